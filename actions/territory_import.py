"""A federation imports a file that covers more than its territory (the national export, say): its own fiches are
imported, the others are listed as skipped, with their structure and département — the file is not refused.

`split` reads the file once: the fiches whose département is in the user's territory (or unknown: the loader
reports those), and the others. The admin's preview lists the titles of both.
"""

from dataclasses import dataclass, field

from accounts import perms
from actions.fiches.loader import LoadReport, load_parsed
from actions.fiches.parser import FicheParseError, ParsedFile, parse_bytes
from structures.models import Departement, match_departement


@dataclass
class Skipped:
    titre: str
    structure: str
    departement: str
    line: int


@dataclass
class TerritoryReport:
    """The loader's report, the titles it covers, and the fiches left out."""

    report: LoadReport
    titles: list = field(default_factory=list)
    skipped: list = field(default_factory=list)

    def __getattr__(self, name):  # the template and the admin read the loader's report through this one
        return getattr(self.report, name)


def split(user, parsed):
    """(fiches in `user`'s territory or of an unknown département, [Skipped])."""
    allowed = set(Departement.objects.filter(perms.departement_scope_q(user)).values_list("pk", flat=True))
    departements = list(Departement.objects.all())
    matches = {}
    own, skipped = [], []
    for fiche in parsed.fiches:
        if fiche.departement_nom not in matches:
            matches[fiche.departement_nom] = match_departement(departements, fiche.departement_nom)
        departement = matches[fiche.departement_nom]
        if departement is None or departement.pk in allowed:
            own.append(fiche)
        else:
            skipped.append(
                Skipped(
                    fiche.titre, fiche.structure_nom, f"{departement.nom} ({departement.code})", fiche.structure_line
                )
            )
    return own, skipped


def load_own(user, data, filename, *, state, dry_run):
    """Load the fiches of `data` that are in `user`'s territory; list the others."""
    try:
        parsed = parse_bytes(data, filename)
    except FicheParseError as error:
        return TerritoryReport(LoadReport(filename, warnings=error.warnings, errors=error.diagnostics))
    own, skipped = split(user, parsed)
    report = load_parsed(ParsedFile(fiches=own, warnings=parsed.warnings), filename, state=state, dry_run=dry_run)
    return TerritoryReport(report, titles=[fiche.titre for fiche in own], skipped=skipped)
