"""Writes parsed fiches to the database: the only part of the fiche import that touches it.

One transaction per file: a file with any error writes nothing, and a dry run goes through the very same
path inside a transaction that is rolled back. Upserts on the natural key (structure, département, titre),
so re-importing a file changes nothing and an edited export updates its actions in place.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction

from actions.fiches.parser import Diagnostic, Fiche, FicheParseError, parse_bytes
from actions.models import Action, Dimension, Initiative, MotCle, Partenaire, Public, Statut, Territoire
from structures.models import Departement, Structure, closest_departement_names, match_departement

TEXT_FIELDS = [
    "fichiers_associes",
    "raisons_fin",
    "resume",
    "precision_initiative",
    "description_experience",
    "description_generale",
    "ressources_financieres",
    "nombre_personnes",
    "resultat_territoire",
    "resultat_centre",
    "resultat_habitants",
    "limites",
    "perspectives",
]
SINGLE_VALUE_FIELDS = {"statut": Statut, "dimension": Dimension, "territoire": Territoire, "public": Public}
MULTI_VALUE_FIELDS = {"mots_cles": MotCle, "initiatives": Initiative, "partenaires": Partenaire}


@dataclass
class LoadReport:
    filename: str
    fiches: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    warnings: list[Diagnostic] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)

    @property
    def refused(self):
        return bool(self.errors)


class _RolledBack(Exception):
    """Raised inside the file's transaction to undo a dry run."""


def fingerprint(content):
    """A stable digest of an action's imported content, to tell later whether someone edited it since."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def action_content(action):
    """The content of a stored action, in the shape `_FileLoader.content` gives a fiche."""
    content = {name: getattr(action, name) for name in ["titre", *TEXT_FIELDS]}
    content["structure"] = action.structure_id
    for name in SINGLE_VALUE_FIELDS:
        content[name] = getattr(action, f"{name}_id")
    for name in MULTI_VALUE_FIELDS:
        content[name] = sorted(entry.pk for entry in getattr(action, name).all())
    return content


def load_bytes(data, filename, *, state=Action.State.PUBLIEE, dry_run=False, force=False, progress=None):
    """Imports one export file. Never raises for bad content: errors are in the returned report.

    `progress`, if given, is called with (fiches written, fiches in the file) as the import goes.
    """
    report = LoadReport(filename)
    try:
        parsed = parse_bytes(data, filename)
    except FicheParseError as error:
        report.warnings, report.errors = error.warnings, error.diagnostics
        return report
    report.fiches = len(parsed.fiches)
    report.warnings = list(parsed.warnings)
    try:
        with transaction.atomic():
            _FileLoader(report, state=state, force=force, progress=progress).load(parsed.fiches)
            if report.errors or dry_run:
                raise _RolledBack
    except _RolledBack:
        pass
    if report.errors:
        report.created = report.updated = report.unchanged = report.conflicts = 0
    return report


class _FileLoader:
    def __init__(self, report, *, state, force, progress):
        self.report = report
        self.progress = progress or (lambda done, total: None)
        self.state = state
        self.force = force
        self.departements = list(Departement.objects.all())
        self.vocabulary_cache = {}

    def error(self, line, message):
        self.report.errors.append(Diagnostic(self.report.filename, line, message))

    def warning(self, line, message):
        self.report.warnings.append(Diagnostic(self.report.filename, line, message, "warning"))

    def load(self, fiches):
        resolved = [(fiche, self.departement(fiche)) for fiche in fiches]
        if self.report.errors:
            return
        for done, (fiche, departement) in enumerate(resolved, start=1):
            self.upsert(fiche, self.structure(fiche, departement))
            self.progress(done, len(resolved))

    def departement(self, fiche):
        match = match_departement(self.departements, fiche.departement_nom)
        if match is None:
            closest = closest_departement_names(self.departements, fiche.departement_nom)
            hint = f" (départements proches : {', '.join(closest)})" if closest else ""
            self.error(
                fiche.structure_line,
                f"« {fiche.departement_nom} » n’est pas un département connu : écrivez son nom officiel après le "
                f"dernier « - » de la ligne de la structure{hint}.",
            )
        elif match.nom != fiche.departement_nom:
            self.warning(
                fiche.structure_line,
                f"Département « {fiche.departement_nom} » lu comme « {match.nom} » ({match.code}) : "
                "corrigez l’orthographe dans la source si c’est une erreur.",
            )
        return match

    def structure(self, fiche, departement):
        structure = Structure.objects.get_by_natural_key_or_none(fiche.structure_nom, departement)
        if structure is None:
            structure = Structure(nom=fiche.structure_nom, departement=departement)
            structure.save()
        return structure

    def vocabulary(self, model, label, line):
        key = (model, label)
        if key not in self.vocabulary_cache:
            entry, created = model.objects.get_or_create_by_label(label)
            if created:
                self.warning(
                    line,
                    f"Valeur nouvelle « {label} » ajoutée à la liste « {model._meta.verbose_name_plural} » : "
                    "vérifiez qu’il ne s’agit pas d’une faute de frappe.",
                )
            self.vocabulary_cache[key] = entry
        return self.vocabulary_cache[key]

    def content(self, fiche, structure):
        """The fiche as stored values: vocabularies resolved to their entries' ids."""
        content = {name: getattr(fiche, name) for name in ["titre", *TEXT_FIELDS]}
        content["structure"] = structure.pk
        for name, model in SINGLE_VALUE_FIELDS.items():
            label = getattr(fiche, name)
            content[name] = self.vocabulary(model, label, fiche.line).pk if label else None
        for name, model in MULTI_VALUE_FIELDS.items():
            content[name] = sorted({self.vocabulary(model, label, fiche.line).pk for label in getattr(fiche, name)})
        return content

    def upsert(self, fiche: Fiche, structure):
        content = self.content(fiche, structure)
        action = Action.objects.filter(structure=structure, titre=fiche.titre).first()
        if action is None:
            action = Action(state=self.state)
            self.write(action, content)
            self.report.created += 1
            return
        current = action_content(action)
        if current == content:
            if not action.imported_fingerprint:
                Action.objects.filter(pk=action.pk).update(imported_fingerprint=fingerprint(content))
            self.report.unchanged += 1
            return
        edited_since_import = action.imported_fingerprint and action.imported_fingerprint != fingerprint(current)
        if edited_since_import and not self.force:
            self.warning(
                fiche.line,
                f"L’action « {fiche.titre} » a été modifiée dans l’administration depuis son dernier import : "
                "elle n’est pas écrasée. Relancez avec --force pour remplacer ces modifications par le fichier.",
            )
            self.report.conflicts += 1
            return
        self.write(action, content)
        self.report.updated += 1

    def write(self, action, content):
        for name in ["titre", *TEXT_FIELDS]:
            setattr(action, name, content[name])
        action.structure_id = content["structure"]
        for name in SINGLE_VALUE_FIELDS:
            setattr(action, f"{name}_id", content[name])
        action.imported_fingerprint = fingerprint(content)
        action.save()
        for name in MULTI_VALUE_FIELDS:
            getattr(action, name).set(content[name])
