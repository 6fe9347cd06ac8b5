"""Writes parsed fiches to the database: the only part of the fiche import that touches it.

One transaction per file: a file with any error writes nothing, and a dry run goes through the very same
path inside a transaction that is rolled back. Upserts on the natural key (structure, département, titre),
so re-importing a file changes nothing and an edited export updates its actions in place.

Written for federation-sized imports: a file costs a fixed number of queries whatever its number of fiches
(up to the database's parameter limit per query). Départements, vocabularies, the file's structures and
its existing actions (with their lists) are read in a few queries; the fiches are then compared in memory;
new structures are written with `bulk_create`, new actions with one COPY (their ids taken from the sequence
first) and their history rows copied from them in SQL, changed ones with `bulk_update`, the lists' link rows
with COPY and one `delete` per list. `save()` is not called: what it does is done here in bulk (natural-key and
slug columns, publication and submission dates, history rows). The search document and the catalogue version
are kept current by the database's own triggers, which bulk writes and COPY fire like any other statement.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from json.encoder import encode_basestring

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from actions import workflow
from actions.fiches.parser import Diagnostic, Fiche, FicheParseError, ParsedFile, parse_bytes
from actions.models import FICHE_FIELDS, Action, TransitionRecord, link_table
from fcsf_actions.text import normalize_label
from structures.models import Departement, Structure, closest_departement_names, match_departement, slug_base
from structures.referentiels import insert_rows

# Field name → vocabulary model.
SINGLE_VALUE_FIELDS = {name: Action._meta.get_field(name).related_model for name in Action.VOCABULARY_FIELDS}
MULTI_VALUE_FIELDS = {name: Action._meta.get_field(name).related_model for name in Action.LIST_FIELDS}
TEXT_FIELDS = [name for name in FICHE_FIELDS if name not in SINGLE_VALUE_FIELDS and name not in MULTI_VALUE_FIELDS]
# The columns of an action that an import writes.
STORED_FIELDS = [
    "titre",
    *TEXT_FIELDS,
    "structure_id",
    *(f"{name}_id" for name in SINGLE_VALUE_FIELDS),
    "imported_fingerprint",
]

WRITE_BATCH = 1000  # rows per INSERT / UPDATE statement
IN_BATCH = 10_000  # values per IN (…) list
WRITE_ATTEMPTS = 2  # a file is written again once if a concurrent writer took one of its slugs
IMPORT_LOCK = 0x66637361  # PostgreSQL advisory lock key: one file import writes at a time


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


def fingerprint(content, serialized=None):
    """A stable digest of an action's imported content, to tell later whether someone edited it since: the SHA-256
    of `json.dumps(content, sort_keys=True, ensure_ascii=False)`, written piece by piece so that `serialized` (key →
    its value already in JSON) spares the texts a second serialization."""
    serialized = serialized or {}
    pieces = (
        f"{encode_basestring(key)}: {serialized[key] if key in serialized else to_json(content[key])}"
        for key in sorted(content)
    )
    return hashlib.sha256(("{" + ", ".join(pieces) + "}").encode()).hexdigest()


def to_json(value):
    """`json.dumps(value, ensure_ascii=False)`, without building an encoder for the common values (texts, ids)."""
    if isinstance(value, str):
        return encode_basestring(value)  # what json.dumps calls for a string
    if value is None:
        return "null"
    if type(value) is int:
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def action_content(action, lists=None):
    """The content of a stored action, in the shape `_FileLoader.content` gives a fiche.

    `lists` maps each of MULTI_VALUE_FIELDS to the action's entry ids; read from the database if not given.
    """
    content = {name: getattr(action, name) for name in ["titre", *TEXT_FIELDS]}
    content["structure"] = action.structure_id
    for name in SINGLE_VALUE_FIELDS:
        content[name] = getattr(action, f"{name}_id")
    for name in MULTI_VALUE_FIELDS:
        ids = lists[name] if lists is not None else (entry.pk for entry in getattr(action, name).all())
        content[name] = sorted(ids)
    return content


def load_bytes(data, filename, *, state=Action.State.PUBLIEE, dry_run=False, force=False, progress=None):
    """Imports one export file. Never raises for bad content: errors are in the returned report.

    `progress`, if given, is called with (fiches done, fiches in the file) as the import goes; the last call,
    (total, total), comes once everything is written.
    """
    return load_parsed(read(data, filename), filename, state=state, dry_run=dry_run, force=force, progress=progress)


@dataclass(frozen=True)
class PreparedFiche:
    """What the import draws from a fiche without the database. Read only: a file written again after a conflict
    (`WRITE_ATTEMPTS`) starts from the same."""

    texts: dict  # titre and the text fields, as stored
    serialized: dict  # the same values in JSON, for the fingerprint


@dataclass
class PreparedFile(ParsedFile):
    prepared: list[PreparedFiche] = field(default_factory=list)


def prepare(parsed):
    """`parsed` with each fiche's `PreparedFiche`: Python work of a file that needs no database, done by `read`
    in the command's reader thread while the database writes the file before."""
    prepared = []
    for fiche in parsed.fiches:
        texts = {name: getattr(fiche, name) for name in ["titre", *TEXT_FIELDS]}
        serialized = {name: to_json(value) for name, value in texts.items()}
        prepared.append(PreparedFiche(texts, serialized))
    return PreparedFile(parsed.fiches, parsed.warnings, prepared)


def read(data, filename):
    """The parsed and prepared file, or the FicheParseError that refuses it: returned, not raised, so that a
    caller may read the next file (no database) while the database writes this one (the import_fiches command)."""
    try:
        return prepare(parse_bytes(data, filename))
    except FicheParseError as error:
        return error


def load_parsed(
    parsed, filename, *, state=Action.State.PUBLIEE, dry_run=False, force=False, progress=None, writing=None
):
    """`load_bytes` of a file already `read`. `writing`, if given, is called when the file's long statement starts
    (the database builds the search documents): the caller's Python may then run without delaying this file."""
    if isinstance(parsed, FicheParseError):
        return LoadReport(filename, warnings=parsed.warnings, errors=parsed.diagnostics)
    if not isinstance(parsed, PreparedFile):
        parsed = prepare(parsed)
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        report = LoadReport(filename, fiches=len(parsed.fiches), warnings=list(parsed.warnings))
        try:
            with transaction.atomic():
                _lock_imports()
                _FileLoader(report, state=state, force=force, progress=progress, writing=writing).load(
                    parsed.fiches, parsed.prepared
                )
                if report.errors or dry_run:
                    raise _RolledBack
        except _RolledBack:
            pass
        except IntegrityError:
            # Only a concurrent writer outside the import (an admin save taking a slug between our read and
            # our write) gets here: imports themselves are serialised by the lock. Start the file again.
            if attempt == WRITE_ATTEMPTS:
                raise
            continue
        break
    if report.errors:
        report.created = report.updated = report.unchanged = report.conflicts = 0
    return report


def _lock_imports():
    """Imports of files wait for each other (until commit): two imports of the same new fiches never both insert
    them, and slugs chosen by one are seen by the next."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def _chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def allocate_slugs(model, texts):
    """A slug per text for new rows of `model`, as `unique_slug` would give them one by one (suffixes -2, -3…
    when taken), free in the database and among themselves: two queries for the whole batch."""
    bases = [slug_base(text) for text in texts]
    counts = Counter(bases)
    taken = set()
    for chunk in _chunks(sorted(counts), IN_BATCH):
        taken.update(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    crowded = sorted(base for base in counts if base in taken or counts[base] > 1)
    if crowded:
        # The slugs starting with "<base>-": a byte-order range per base (what LIKE 'base-%' becomes), one probe each
        # in the pattern index Django gives slug fields; an OR of LIKEs grew with the table (60 ms at 10,000 rows).
        quote = connection.ops.quote_name
        table, column = quote(model._meta.db_table), quote(model._meta.get_field("slug").column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT row.{column} FROM {table} row JOIN unnest(%s::text[]) AS crowded(base) "
                f"ON row.{column}::text ~>=~ (base || '-') AND row.{column}::text ~<~ (base || '.')",
                [crowded],
            )
            taken.update(slug for (slug,) in cursor.fetchall())
    slugs, next_suffix = [], {}
    for base in bases:
        slug, suffix = base, next_suffix.get(base, 2)
        while slug in taken:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        next_suffix[base] = suffix
        taken.add(slug)
        slugs.append(slug)
    return slugs


def _history_manager(model):
    """The model's simple_history manager, if it has one."""
    history = getattr(model, "history", None)
    return history if hasattr(history, "bulk_history_create") else None


class _FileLoader:
    def __init__(self, report, *, state, force, progress, writing=None):
        self.report = report
        self.progress = progress or (lambda done, total: None)
        self.writing = writing or (lambda: None)
        self.state = state
        self.force = force
        self.now = timezone.now()
        self.fiche_warnings = {}  # fiche index -> warnings, reported in fiche order after the département ones

    def error(self, line, message):
        self.report.errors.append(Diagnostic(self.report.filename, line, message))

    def warning(self, line, message, index=None):
        diagnostic = Diagnostic(self.report.filename, line, message, "warning")
        if index is None:
            self.report.warnings.append(diagnostic)
        else:
            self.fiche_warnings.setdefault(index, []).append(diagnostic)

    # -- reading ----------------------------------------------------------------------------------------------

    def load(self, fiches, prepared):
        departements = self.departements(fiches)
        if self.report.errors:
            return
        self.read_vocabularies()
        structures = self.structures(fiches, departements)
        contents = [
            self.content(index, fiche, prepared[index].texts, structures[index]) for index, fiche in enumerate(fiches)
        ]
        self.read_actions(contents)
        for index, (fiche, content) in enumerate(zip(fiches, contents, strict=True)):
            self.upsert(index, fiche, content, prepared[index])
            if index + 1 < len(fiches):
                self.progress(index + 1, len(fiches))
        self.write()
        for index in sorted(self.fiche_warnings):
            self.report.warnings.extend(self.fiche_warnings[index])
        if fiches:
            self.progress(len(fiches), len(fiches))

    def departements(self, fiches):
        known = list(Departement.objects.all())
        matches = {}
        resolved = []
        for fiche in fiches:
            text = fiche.departement_nom
            if text not in matches:
                matches[text] = match_departement(known, text)
            match = matches[text]
            if match is None:
                closest = closest_departement_names(known, text)
                hint = f" (départements proches : {', '.join(closest)})" if closest else ""
                self.error(
                    fiche.structure_line,
                    f"« {text} » n’est pas un département connu : écrivez son nom officiel après le "
                    f"dernier « - » de la ligne de la structure{hint}.",
                )
            elif match.nom != text:
                self.warning(
                    fiche.structure_line,
                    f"Département « {text} » lu comme « {match.nom} » ({match.code}) : "
                    "corrigez l’orthographe dans la source si c’est une erreur.",
                )
            resolved.append(match)
        return resolved

    def read_vocabularies(self):
        self.vocabularies = {}  # model -> {key: pk}
        for model in [*SINGLE_VALUE_FIELDS.values(), *MULTI_VALUE_FIELDS.values()]:
            self.vocabularies[model] = dict(model.objects.values_list("cle", "pk"))
        self.vocabulary_cache = {}  # (model, label) -> pk

    def vocabulary(self, model, label, line, index):
        cached = self.vocabulary_cache.get((model, label))
        if cached is not None:
            return cached
        pk = self.vocabularies[model].get(normalize_label(label))
        if pk is None:
            entry, created = model.objects.get_or_create_by_label(label)
            if created:
                self.warning(
                    line,
                    f"Valeur nouvelle « {label} » ajoutée à la liste « {model._meta.verbose_name_plural} » : "
                    "vérifiez qu’il ne s’agit pas d’une faute de frappe.",
                    index,
                )
            pk = self.vocabularies[model][entry.cle] = entry.pk
        self.vocabulary_cache[(model, label)] = pk
        return pk

    def structures(self, fiches, departements):
        """The structure id of each fiche: existing structures read in one query, new ones created in bulk."""
        keys = [
            (departement.pk, normalize_label(fiche.structure_nom))
            for fiche, departement in zip(fiches, departements, strict=True)
        ]
        wanted = {}  # key -> (nom, département) of the first fiche naming it
        for key, fiche, departement in zip(keys, fiches, departements, strict=True):
            wanted.setdefault(key, (fiche.structure_nom, departement))
        found = {}
        for chunk in _chunks(wanted, IN_BATCH):
            rows = Structure.objects.filter(
                departement_id__in={key[0] for key in chunk}, nom_cle__in={key[1] for key in chunk}
            ).values_list("departement_id", "nom_cle", "pk")
            found.update(((departement_id, nom_cle), pk) for departement_id, nom_cle, pk in rows)
        missing = [key for key in wanted if key not in found]
        if missing:
            texts = [f"{wanted[key][0]} {wanted[key][1].code}" for key in missing]
            new = [
                Structure(nom=wanted[key][0], nom_cle=key[1], departement=wanted[key][1], slug=slug)
                for key, slug in zip(missing, allocate_slugs(Structure, texts), strict=True)
            ]
            self.bulk_create(Structure, new)
            found.update((key, structure.pk) for key, structure in zip(missing, new, strict=True))
        return [found[key] for key in keys]

    def content(self, index, fiche, texts, structure_id):
        """The fiche as stored values: vocabularies resolved to their entries' ids."""
        content = dict(texts)
        content["structure"] = structure_id
        for name, model in SINGLE_VALUE_FIELDS.items():
            label = getattr(fiche, name)
            content[name] = self.vocabulary(model, label, fiche.line, index) if label else None
        for name, model in MULTI_VALUE_FIELDS.items():
            labels = getattr(fiche, name)
            content[name] = sorted({self.vocabulary(model, label, fiche.line, index) for label in labels})
        return content

    def read_actions(self, contents):
        """The existing actions of the file's natural keys, with the ids of their lists' entries and link rows."""
        keys = {(content["structure"], content["titre"]) for content in contents}
        # The keys first, then whole rows for the file's keys only: a title common to several structures of the
        # file would otherwise bring every fiche of that title, texts included.
        matching = []
        for chunk in _chunks(sorted(keys), IN_BATCH):
            candidates = Action.objects.filter(
                structure_id__in={key[0] for key in chunk}, titre__in={key[1] for key in chunk}
            ).values_list("pk", "structure_id", "titre")
            matching.extend(pk for pk, structure_id, titre in candidates if (structure_id, titre) in keys)
        self.actions = {}  # (structure id, titre) -> Action
        for chunk in _chunks(matching, IN_BATCH):
            self.actions.update(
                ((action.structure_id, action.titre), action) for action in Action.objects.filter(pk__in=chunk)
            )
        ids = [action.pk for action in self.actions.values()]
        self.stored_columns = {  # action id -> the columns the import may change, as read
            action.pk: {name: getattr(action, name) for name in STORED_FIELDS} for action in self.actions.values()
        }
        self.links = {name: {pk: {} for pk in ids} for name in MULTI_VALUE_FIELDS}  # name -> action -> entry -> row
        for name in MULTI_VALUE_FIELDS:
            through, source, target = link_table(Action, name)
            for chunk in _chunks(ids, IN_BATCH):
                rows = through.objects.filter(**{f"{source}__in": chunk}).values_list("pk", source, target)
                for row, action_id, entry_id in rows:
                    self.links[name][action_id][entry_id] = row
        self.current = {  # (structure id, titre) -> content as stored (then as written by this file)
            key: action_content(action, {name: self.links[name][action.pk] for name in MULTI_VALUE_FIELDS})
            for key, action in self.actions.items()
        }

    # -- comparing --------------------------------------------------------------------------------------------

    def upsert(self, index, fiche: Fiche, content, prepared: PreparedFiche):
        key = (content["structure"], content["titre"])
        action = self.actions.get(key)
        if action is None:
            state = self.state
            missing = workflow.missing_content(content) if state != Action.State.BROUILLON else {}
            if missing:
                # The workflow's rule: nothing is submitted or published without résumé and dimension.
                state = Action.State.BROUILLON
                self.warning(
                    fiche.line,
                    f"L’action « {fiche.titre} » est importée en brouillon : {' '.join(missing.values())}",
                    index,
                )
            action = Action(state=state, created_at=self.now, federation_draft=True)
            self.actions[key] = action
            self.assign(action, content, prepared.serialized)
            self.report.created += 1
            return
        current = self.current[key]
        if current == content:
            if not action.imported_fingerprint:
                action.imported_fingerprint = fingerprint(content, prepared.serialized)
                action._fingerprint_only = True
            self.report.unchanged += 1
            return
        edited_since_import = action.imported_fingerprint and action.imported_fingerprint != fingerprint(current)
        if edited_since_import and not self.force:
            self.warning(
                fiche.line,
                f"L’action « {fiche.titre} » a été modifiée dans l’administration depuis son dernier import : "
                "elle n’est pas écrasée. Relancez avec --force pour remplacer ces modifications par le fichier.",
                index,
            )
            self.report.conflicts += 1
            return
        self.assign(action, content, prepared.serialized)
        self.report.updated += 1

    def assign(self, action, content, serialized):
        """Gives `action` the content of a fiche, to be written by `write`."""
        for name in ["titre", *TEXT_FIELDS]:
            setattr(action, name, content[name])
        action.structure_id = content["structure"]
        for name in SINGLE_VALUE_FIELDS:
            setattr(action, f"{name}_id", content[name])
        action.imported_fingerprint = fingerprint(content, serialized)
        action._lists = {name: content[name] for name in MULTI_VALUE_FIELDS}
        self.current[(content["structure"], content["titre"])] = content

    # -- writing ----------------------------------------------------------------------------------------------

    def write(self):
        actions = list(self.actions.values())
        new = [action for action in actions if action.pk is None]
        changed = [action for action in actions if action.pk is not None and hasattr(action, "_lists")]
        changed_ids = {action.pk for action in changed}
        fingerprint_only = [
            action for action in actions if getattr(action, "_fingerprint_only", False) and action.pk not in changed_ids
        ]
        if new:
            for action, slug in zip(new, allocate_slugs(Action, [action.titre for action in new]), strict=True):
                action.slug = slug
                workflow.stamp_dates(action, self.now)
                action.updated_at = self.now
            self.reserve_ids(new)
            # Links first (their foreign keys are checked at commit): the database's search triggers then build
            # each new action's document once, on the action's insert, with its mots-clés already there.
            self.write_links(new, [])
            self.writing()  # the long statement: the database builds the search documents
            self.bulk_create(Action, new)
            # What the workflow records of a transition (the imports fire none of its notifications: an import
            # of the legacy catalogue would otherwise mail every team).
            names = {
                state: workflow.transition_between(None, Action(structure_id=None), state) or ""
                for state in {action.state for action in new} - {Action.State.BROUILLON}
            }
            insert_rows(
                TransitionRecord,
                ["action", "name", "source", "target", "user", "comment", "via", "created_at"],
                (
                    (
                        action.pk,
                        names[action.state],
                        Action.State.BROUILLON,
                        action.state,
                        None,
                        "",
                        workflow.IMPORT,
                        self.now,
                    )
                    for action in new
                    if action.state in names
                ),
            )
            new = []
        if changed:
            fields = {"updated_at", "version"}
            for action in changed:
                fields.update(self.changed_fields(action))
                fields.update(workflow.stamp_dates(action, self.now))
                action.updated_at = self.now
                action.version = F("version") + 1  # an admin form opened before this import is now stale
            self.writing()
            Action.objects.bulk_update(changed, sorted(fields), batch_size=WRITE_BATCH)
            history = _history_manager(Action)
            if history is not None:
                history.bulk_history_create(changed, batch_size=WRITE_BATCH, update=True)
        if fingerprint_only:
            # As before: recording the fingerprint of an unchanged action is not an edit (no history, no date).
            Action.objects.bulk_update(fingerprint_only, ["imported_fingerprint"], batch_size=WRITE_BATCH)
        self.write_links(new, changed)
        self.writing()

    @staticmethod
    def reserve_ids(actions):
        """Gives the new actions their ids from the table's sequence, before inserting them."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [Action._meta.db_table, Action._meta.pk.column, len(actions)],
            )
            for action, (pk,) in zip(actions, cursor.fetchall(), strict=True):
                action.pk = pk

    def changed_fields(self, action):
        """The columns of an existing action that its fiche changes."""
        stored = self.stored_columns[action.pk]
        return [name for name in STORED_FIELDS if getattr(action, name) != stored[name]]

    def write_links(self, new, changed):
        for name in MULTI_VALUE_FIELDS:
            through, source, target = link_table(Action, name)
            rows, stale = [], []
            for action in new:
                rows.extend((action.pk, entry) for entry in action._lists[name])
            for action in changed:
                existing = self.links[name][action.pk]
                wanted = set(action._lists[name])
                stale.extend(row for entry, row in existing.items() if entry not in wanted)
                rows.extend((action.pk, entry) for entry in wanted if entry not in existing)
            for chunk in _chunks(stale, IN_BATCH):
                through.objects.filter(pk__in=chunk).delete()
            if rows:
                insert_rows(through, [source, target], rows)  # plain tuples: no model instance per link

    def bulk_create(self, model, objects):
        """New rows, with the history rows `save()` would have written.

        Rows whose ids were reserved (PostgreSQL) are written with one COPY and their history rows copied from
        them by the database: no SQL text of megabytes of fiches to quote and parse, no model instance per
        history row (bench/import_floor.py)."""
        if objects and all(obj.pk is not None for obj in objects):
            fields = model._meta.concrete_fields
            # The attributes as they are: COPY adapts str, int, datetime and None itself.
            rows = [[getattr(obj, field.attname) for field in fields] for obj in objects]
            insert_rows(model, [field.attname for field in fields], rows)
            self.copy_history(model, objects)
            return
        model.objects.bulk_create(objects, batch_size=WRITE_BATCH)
        if any(obj.pk is None for obj in objects):  # pragma: no cover - every supported database returns ids
            raise RuntimeError(f"{model.__name__}: the database did not return the ids of the new rows.")
        history = _history_manager(model)
        if history is not None:
            history.bulk_history_create(objects, batch_size=WRITE_BATCH)

    def copy_history(self, model, objects):
        """The creation history rows of `objects`, new rows of `model`, as `bulk_history_create` writes them."""
        history = _history_manager(model)
        if history is None:
            return
        historical = history.model
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in historical.tracked_fields)
        user = historical.get_default_history_user(objects[0])  # the request's user, if any
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(historical._meta.db_table)} "
                f"({columns}, history_date, history_change_reason, history_type, history_user_id) "
                f"SELECT {columns}, %s, '', '+', %s FROM {quote(model._meta.db_table)} WHERE id = ANY(%s) ORDER BY id",
                [self.now, user.pk if user else None, [obj.pk for obj in objects]],
            )
