from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def table_cell(cell):
    """A `<td>` of the département table. In Python rather than template tags: the table has some 600 cells and
    the template language spends about 0.1 ms on each (80 ms a page), this about 0.01 ms."""
    zero = mark_safe(' class="zero"') if not cell.count else ""
    if cell.url:
        return format_html(
            '<td headers="{}"{}><a href="{}">{}<span class="visually-hidden"> {}</span></a></td>',
            cell.headers,
            zero,
            cell.url,
            cell.count,
            cell.description,
        )
    return format_html('<td headers="{}"{}>{}</td>', cell.headers, zero, cell.count)
