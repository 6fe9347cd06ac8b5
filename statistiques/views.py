from django.http import HttpResponse
from django.shortcuts import render

import catalogue
from actions.filters import ActionFilterSet
from statistiques.counts import count_actions
from statistiques.exports import to_csv, to_xlsx
from statistiques.map import build_map
from statistiques.report import FilterLinks, build_breakdowns, build_table, filter_groups

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def statistics(request):
    """The filter set of the query string (the actions list's), the counts of its actions, their links."""
    filterset = ActionFilterSet(request.GET)
    counts = count_actions(filterset)
    links = FilterLinks(filterset)
    return filterset, counts, links


@catalogue.cached_page
def index(request):
    filterset, counts, links = statistics(request)
    table = build_table(counts, filterset, links)
    context = {
        "filterset": filterset,
        "notices": filterset.notices,
        "chips": filterset.active_filters(),
        "filter_groups": filter_groups(filterset),
        "links": links,
        "table": table,
        "map": build_map(table),
        "breakdowns": build_breakdowns(counts, filterset, links),
    }
    return render(request, "statistiques/index.html", context)


def download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_csv(request):
    filterset, counts, links = statistics(request)
    return download(to_csv(build_table(counts, filterset, links)), CSV_TYPE, "actions-par-departement.csv")


def table_xlsx(request):
    filterset, counts, links = statistics(request)
    return download(to_xlsx(build_table(counts, filterset, links)), XLSX_TYPE, "actions-par-departement.xlsx")
