"""Parser for the « Les actions des centres sociaux » text export (see docs/fiche-format.md).

Pure module: text in, ``Fiche`` records and diagnostics out. No Django, no database: matching the
département against the référentiel is the importer's job; here the structure line is only split.

Usage::

    text, warnings = decode(data, filename)  # or parse_bytes(data, filename)
    parsed = parse(text, filename)  # raises FicheParseError listing every error found

Decisions (beyond the format spec):

* Header « Les actions des centres sociaux »: expected once, as the first non-empty line. Missing
  header → warning (the file is read anyway). A non-empty line before the first fiche → error. The
  header repeated just before a fiche (two exports put end to end) → warning, the line is ignored.
* A line is a label only if it is exactly one of the labels that may come next (optional labels may be
  skipped). In a free-text section anything else is text; in the other sections anything else is an
  error, after which the parser skips lines until it can resynchronise on a later label (so one mistake
  gives one error, and the errors of the other fiches are still reported).
* « Actions » always starts a new fiche after the last section (« Perspectives ») or inside a non-text
  section. Inside an earlier free-text section it starts a new fiche only if it is followed by a title
  and « - Structure organisatrice » (a fiche cut in the middle followed by another fiche); otherwise it
  is text.
* Empty lines are kept inside free text (leading/trailing ones are dropped) and ignored elsewhere.
  Trailing whitespace is stripped from every line. A bare « - » is the separator of list sections; a
  missing separator is a warning. A bare « - » under a single-value label is ignored with a warning.
* The same fiche twice (same natural key): identical content → warning, the later copy is dropped;
  different content → error naming both lines and the differing fields.
* Values are not checked against the vocabularies (statut, public…): that is the importer's job.
"""

from __future__ import annotations

import codecs
import difflib
import functools
from dataclasses import dataclass, field, fields
from typing import Literal

from actions.fiches.labels import (
    FIELD_NAMES,
    HEADER,
    ITEM_PREFIX,
    LABELS,
    MARKER,
    PARTENAIRE_ARTEFACT,
    PARTENAIRES,
    SECTIONS,
    SEPARATOR,
    STRUCTURE,
    STRUCTURE_SPLIT,
    Kind,
    display_name,
)
from fcsf_actions.text import normalize_label

__all__ = [
    "Diagnostic",
    "Fiche",
    "FicheParseError",
    "ParsedFile",
    "decode",
    "parse",
    "parse_bytes",
]

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Diagnostic:
    filename: str
    line: int
    message: str
    level: Level = "error"

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.message}"


class FicheParseError(ValueError):
    """The file cannot be imported. ``diagnostics`` lists every error found (sorted by line);
    ``warnings`` the warnings gathered so far."""

    def __init__(self, diagnostics: list[Diagnostic], warnings: list[Diagnostic] | None = None) -> None:
        self.diagnostics = list(diagnostics)
        self.warnings = list(warnings or [])
        super().__init__("\n".join(str(diagnostic) for diagnostic in self.diagnostics))


_POSITION_FIELDS = frozenset({"line", "end_line", "structure_line"})


@dataclass
class Fiche:
    line: int = 0  # line of the « Actions » marker (1-based)
    end_line: int = 0  # last non-empty line of the fiche
    titre: str = ""
    structure_nom: str = ""
    departement_nom: str = ""
    structure_line: int = 0  # line of the « - NOM - Département » value
    fichiers_associes: str = ""
    statut: str = ""
    raisons_fin: str = ""
    dimension: str = ""
    mots_cles: list[str] = field(default_factory=list)
    resume: str = ""
    initiatives: list[str] = field(default_factory=list)
    precision_initiative: str = ""
    territoire: str = ""
    description_experience: str = ""
    public: str = ""
    partenaires: list[str] = field(default_factory=list)
    description_generale: str = ""
    ressources_financieres: str = ""
    nombre_personnes: str = ""
    resultat_territoire: str = ""
    resultat_centre: str = ""
    resultat_habitants: str = ""
    limites: str = ""
    perspectives: str = ""

    @property
    def natural_key(self) -> tuple[str, str, str]:
        return (self.structure_nom, self.departement_nom, self.titre)

    def content(self) -> dict[str, str | tuple[str, ...]]:
        """Every field except the line numbers (lists as tuples): equal content ⇔ equal fiches."""
        return {
            f.name: tuple(getattr(self, f.name)) if isinstance(getattr(self, f.name), list) else getattr(self, f.name)
            for f in fields(self)
            if f.name not in _POSITION_FIELDS
        }


@dataclass
class ParsedFile:
    fiches: list[Fiche]
    warnings: list[Diagnostic]


# ---------------------------------------------------------------------------------------------------------------
# Bytes → text


def decode(data: bytes, filename: str) -> tuple[str, list[Diagnostic]]:
    """Decode an export: UTF-8 (BOM stripped), else cp1252; newlines normalised to LF.

    Returns the text and the warnings; raises FicheParseError if the bytes are not a text export."""
    warnings: list[Diagnostic] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FicheParseError(
            [
                Diagnostic(
                    filename,
                    1,
                    "Le fichier est encodé en UTF-16 (ou UTF-32), format non pris en charge : "
                    "réenregistrez-le en UTF-8 puis recommencez.",
                )
            ]
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise FicheParseError([_nul_error(filename, data[:nul].count(b"\n") + 1)])
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        warnings.append(
            Diagnostic(
                filename,
                1,
                "Le fichier commence par une marque d’ordre des octets (BOM UTF-8), qui a été ignorée. "
                "Rien à corriger ; pour ne plus voir cet avertissement, enregistrez-le en « UTF-8 sans BOM ».",
                "warning",
            )
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        utf8_line = data[: utf8_error.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as cp1252_error:
            line = data[: cp1252_error.start].count(b"\n") + 1
            byte = data[cp1252_error.start]
            raise FicheParseError(
                [
                    Diagnostic(
                        filename,
                        line,
                        f"Le fichier n’est ni en UTF-8 ni en Windows-1252 : l’octet 0x{byte:02X} est illisible. "
                        "Réenregistrez le fichier en UTF-8 puis recommencez.",
                    )
                ],
                warnings,
            ) from None
        warnings.append(
            Diagnostic(
                filename,
                utf8_line,
                f"Le fichier n’est pas en UTF-8 (premier caractère invalide ligne {utf8_line}) : il a été lu comme "
                "du Windows-1252 (Latin-1). Vérifiez les accents des fiches importées et réenregistrez le "
                "fichier en UTF-8.",
                "warning",
            )
        )
    text, newline_warning = _normalise_newlines(text, filename)
    if newline_warning:
        warnings.append(newline_warning)
    return text, warnings


def parse_bytes(data: bytes, filename: str) -> ParsedFile:
    """``decode`` then ``parse``, with the decoding warnings in front of the parsing ones."""
    text, warnings = decode(data, filename)
    try:
        parsed = parse(text, filename)
    except FicheParseError as error:
        error.warnings[:0] = warnings
        raise
    parsed.warnings[:0] = warnings
    return parsed


def _normalise_newlines(text: str, filename: str) -> tuple[str, Diagnostic | None]:
    if "\r" not in text:
        return text, None
    kind = "Windows (CRLF)" if "\r\n" in text else "Mac (CR)"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, Diagnostic(
        filename,
        1,
        f"Fins de ligne {kind} converties en fins de ligne Unix (LF). Rien à corriger ; pour ne plus voir cet "
        "avertissement, enregistrez le fichier avec des fins de ligne LF.",
        "warning",
    )


def _nul_error(filename: str, line: int) -> Diagnostic:
    return Diagnostic(
        filename,
        line,
        "Le fichier contient des caractères nuls (0x00) : ce n’est pas un export texte. "
        "Réexportez les fiches en texte UTF-8 puis recommencez.",
    )


# ---------------------------------------------------------------------------------------------------------------
# Text → fiches


def parse(text: str, filename: str = "<stdin>") -> ParsedFile:
    """Parse an export. Raises FicheParseError (only) if the file contains at least one error."""
    return _Parser(text, filename).run()


_LAST = len(SECTIONS) - 1
_EXCERPT = 70


def _next_positions(pos: int) -> tuple[int, ...]:
    """Sections whose label may come after section ``pos`` (-1: after the title)."""
    out = []
    for k in range(pos + 1, len(SECTIONS)):
        out.append(k)
        if not SECTIONS[k].optional:
            break
    return tuple(out)


_NEXT = {pos: _next_positions(pos) for pos in range(-1, len(SECTIONS))}


def _q(text: str) -> str:
    """French quotation of a (possibly long) line."""
    if len(text) > _EXCERPT:
        text = text[: _EXCERPT - 1].rstrip() + "…"
    return f"« {text} »"


def _qv(value: str) -> str:
    return _q(value) if value else "une valeur vide"


# Comparison key tolerant of case, accents, spaces and punctuation (for « did you mean » hints).
_key = normalize_label


@functools.lru_cache(maxsize=4096)  # list values repeat across fiches: the comparison dominated parsing time
def _resembles(line: str, label: str) -> bool:
    line_key, label_key = _key(line), _key(label)
    if not line_key or line == label:
        return False
    if line_key == label_key:
        return True
    if 2 * min(len(line_key), len(label_key)) < 0.9 * (len(line_key) + len(label_key)):
        return False  # the ratio below cannot reach 0.9
    return difflib.SequenceMatcher(None, line_key, label_key).ratio() >= 0.9


def _label_hint(line: str) -> str:
    for label in sorted(LABELS):
        if _resembles(line, label):
            return f" Vouliez-vous écrire la rubrique {_q(label)} ? Les rubriques doivent être recopiées exactement."
    return ""


@dataclass
class _Acc:
    """Lines gathered under one label."""

    pos: int
    label_line: int
    value: str | None = None
    value_line: int = 0
    separator: bool = False
    items: list[str] = field(default_factory=list)
    text: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _State:
    marker_line: int
    titre: str = ""
    title_line: int = 0
    structure_line: int = 0
    values: dict[str, object] = field(default_factory=dict)
    value_lines: dict[str, int] = field(default_factory=dict)


class _Parser:
    def __init__(self, text: str, filename: str) -> None:
        self.filename = filename
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        text, newline_warning = _normalise_newlines(text, filename)
        if newline_warning:
            self.warnings.append(newline_warning)
        raw = text.split("\n")
        if text.endswith("\n"):
            raw.pop()
        self.lines = [line.rstrip() for line in raw]
        self.n = len(self.lines)
        # _nonblank[i]: first index >= i of a non-empty line (self.n if none).
        self._nonblank = [self.n] * (self.n + 1)
        for i in range(self.n - 1, -1, -1):
            self._nonblank[i] = i if self.lines[i] else self._nonblank[i + 1]

    # -- diagnostics ------------------------------------------------------------------------------------------

    def _error(self, line: int, message: str) -> None:
        self.errors.append(Diagnostic(self.filename, line, message, "error"))

    def _warning(self, line: int, message: str) -> None:
        self.warnings.append(Diagnostic(self.filename, line, message, "warning"))

    # -- driver -----------------------------------------------------------------------------------------------

    def run(self) -> ParsedFile:
        fiches = self._parse_all()
        fiches = self._drop_duplicates(fiches)
        self._check_artefacts(fiches)
        errors = sorted(self.errors, key=lambda d: d.line)
        warnings = sorted(self.warnings, key=lambda d: d.line)
        if errors:
            raise FicheParseError(errors, warnings)
        return ParsedFile(fiches, warnings)

    def _next_nonblank(self, i: int) -> int | None:
        j = self._nonblank[min(i, self.n)]
        return j if j < self.n else None

    def _parse_all(self) -> list[Fiche]:
        lines = self.lines
        for i, line in enumerate(lines):
            if "\x00" in line:
                self._error(i + 1, _nul_error(self.filename, i + 1).message)
                break
        first = self._next_nonblank(0)
        if first is None:
            self._error(
                1,
                "Le fichier est vide : il ne contient aucune fiche. Vérifiez que vous avez choisi le bon fichier "
                f"(un export de la page {_q(HEADER)}).",
            )
            return []
        if MARKER not in lines:
            self._error(
                1,
                f"Aucune fiche trouvée : le fichier ne contient aucune ligne {_q(MARKER)}, qui doit précéder chaque "
                f"fiche. Vérifiez que le fichier est bien un export de la page {_q(HEADER)}.",
            )
            return []
        i = first
        if lines[i] == HEADER:
            i = self._next_nonblank(i + 1)
        elif lines[i] == MARKER:
            self._warning(
                first + 1,
                f"En-tête {_q(HEADER)} absent : le fichier est lu quand même. Vérifiez qu’il s’agit bien d’un "
                "export complet (l’en-tête doit être sa première ligne).",
            )
        if i is None or lines[i] != MARKER:
            j = lines.index(MARKER, first)
            i = j if i is None else i
            self._error(
                i + 1,
                f"Ligne inattendue {_q(lines[i])} avant la première fiche : le fichier doit commencer par "
                f"{_q(HEADER)} puis {_q(MARKER)}. Le début du fichier manque peut-être : réexportez le fichier "
                "ou supprimez les lignes qui précèdent la première fiche.",
            )
            i = j
        fiches: list[Fiche] = []
        while i is not None and i < self.n:
            if lines[i] == HEADER:
                self._warning(
                    i + 1,
                    f"En-tête {_q(HEADER)} répété : il a été ignoré. Si plusieurs exports ont été mis bout à bout, "
                    "vérifiez qu’aucune fiche n’a été coupée.",
                )
                i = self._next_nonblank(i + 1)
                continue
            fiche, i = self._parse_fiche(i)
            if fiche is not None:
                fiches.append(fiche)
        return fiches

    # -- one fiche --------------------------------------------------------------------------------------------

    def _looks_like_fiche_start(self, i: int) -> bool:
        """Line i is « Actions », followed by an optional title then « - Structure organisatrice »."""
        j = self._next_nonblank(i + 1)
        if j is None:
            return False
        if self.lines[j] == STRUCTURE:
            return True
        if self.lines[j] in LABELS or self.lines[j] == MARKER:
            return False
        k = self._next_nonblank(j + 1)
        return k is not None and self.lines[k] == STRUCTURE

    def _ends_fiche(self, i: int, pos: int) -> bool:
        """Does line i start the next fiche, the current one being in section ``pos``?"""
        line = self.lines[i]
        if line == HEADER:
            k = self._next_nonblank(i + 1)
            return k is not None and self.lines[k] == MARKER and self._ends_fiche(k, pos)
        if line != MARKER:
            return False
        if pos == _LAST or pos < 0 or SECTIONS[pos].kind is not Kind.FREE:
            return True
        return self._looks_like_fiche_start(i)

    def _parse_fiche(self, start: int) -> tuple[Fiche | None, int]:
        lines = self.lines
        n_errors = len(self.errors)
        state = _State(marker_line=start + 1)
        j = self._next_nonblank(start + 1)
        if j is None or self._ends_fiche(j, -1):
            self._error(
                start + 1,
                f"Ligne {_q(MARKER)} sans fiche : elle n’est suivie d’aucun titre ni d’aucune rubrique. "
                "Supprimez cette ligne ou complétez la fiche.",
            )
            return None, self.n if j is None else j
        if lines[j] in LABELS:
            self._error(
                start + 1,
                f"Fiche sans titre : la ligne qui suit {_q(MARKER)} doit être le titre de l’action, or c’est la "
                f"rubrique {_q(lines[j])} (ligne {j + 1}). Ajoutez le titre juste après {_q(MARKER)}.",
            )
            i = j
        else:
            state.titre = lines[j].strip()
            state.title_line = j + 1
            i = j + 1
        last = j
        pos = -1
        acc: _Acc | None = None
        recovering = False
        while i < self.n:
            line = lines[i]
            if line and self._ends_fiche(i, pos):
                break
            if line:
                last = i
            k = self._match(line, _NEXT[pos])
            if k is not None:
                if acc is not None:
                    self._close(acc, state)
                pos, acc, recovering = k, _Acc(k, i + 1), False
            elif recovering:
                k = self._later(line, pos)
                if k is not None:
                    pos, acc, recovering = k, _Acc(k, i + 1), False
            elif acc is None:
                if line:
                    self._error(i + 1, self._unexpected_after_title(line, state))
                    recovering = True
            else:
                recovering = not self._feed(acc, line, i + 1, state)
            i += 1
        if not recovering:
            if acc is not None:
                self._close(acc, state)
            if pos != _LAST:
                self._missing(state, pos, acc, last + 1, i + 1 if i < self.n else None)
        if len(self.errors) > n_errors:
            return None, i
        return (
            Fiche(
                line=state.marker_line,
                end_line=last + 1,
                titre=state.titre,
                structure_line=state.structure_line,
                **state.values,  # type: ignore[arg-type]
            ),
            i,
        )

    @staticmethod
    def _match(line: str, positions: tuple[int, ...]) -> int | None:
        if line in LABELS:
            for k in positions:
                if SECTIONS[k].label == line:
                    return k
        return None

    @staticmethod
    def _later(line: str, pos: int) -> int | None:
        if line in LABELS:
            for k in range(pos + 1, len(SECTIONS)):
                if SECTIONS[k].label == line:
                    return k
        return None

    # -- messages ---------------------------------------------------------------------------------------------

    @staticmethod
    @functools.cache  # asked for every value line, in case it is wrong: a few distinct answers
    def _expected(pos: int) -> str:
        labels = [_q(SECTIONS[k].label) for k in _NEXT[pos]]
        if not labels:
            return f"{_q(MARKER)} (fiche suivante) ou la fin du fichier"
        if len(labels) == 1:
            return f"la rubrique {labels[0]}"
        return "la rubrique " + ", ".join(labels[:-1]) + f" ou {labels[-1]}"

    def _unexpected_after_title(self, line: str, state: _State) -> str:
        if line in LABELS:
            return (
                f"Rubrique {_q(line)} inattendue : après le titre (ligne {state.title_line or state.marker_line}), "
                f"la rubrique attendue est {_q(STRUCTURE)}. Les rubriques doivent suivre l’ordre de l’export."
            )
        return (
            f"Ligne inattendue {_q(line)} : après le titre (ligne {state.title_line}), la rubrique attendue est "
            f"{_q(STRUCTURE)}. Si le titre tient sur plusieurs lignes, réunissez-le sur une seule ligne ; "
            f"sinon supprimez cette ligne.{_label_hint(line)}"
        )

    def _unexpected(self, line: str, acc: _Acc, detail: str) -> str:
        label = SECTIONS[acc.pos].label
        if line in LABELS:
            return (
                f"Rubrique {_q(line)} inattendue ici : après la rubrique {_q(label)} (ligne {acc.label_line}), "
                f"on attend {self._expected(acc.pos)}. Les rubriques doivent suivre l’ordre de l’export : "
                "remettez celle-ci à sa place ou supprimez-la."
            )
        return f"Ligne inattendue {_q(line)} sous la rubrique {_q(label)} (ligne {acc.label_line}) : {detail}" + (
            _label_hint(line)
        )

    # -- sections ---------------------------------------------------------------------------------------------

    def _feed(self, acc: _Acc, line: str, lineno: int, state: _State) -> bool:
        """Add a line to the current (non-label) section. Returns False after reporting an error."""
        section = SECTIONS[acc.pos]
        kind = section.kind
        if kind is Kind.FREE:
            acc.text.append((lineno, line))
            return True
        if not line:
            return True
        expected = self._expected(acc.pos)
        if line in LABELS:
            self._error(lineno, self._unexpected(line, acc, ""))
            return False
        if kind is Kind.STRUCTURE:
            return self._feed_structure(acc, line, lineno, state)
        if any(_resembles(line, SECTIONS[k].label) for k in _NEXT[acc.pos]):
            # « - Resume » under « - Mots clés… » is a misspelt label, not a keyword.
            detail = "cette ligne ressemble à une rubrique mal recopiée et ne peut pas être lue comme une valeur."
            self._error(lineno, self._unexpected(line, acc, detail))
            return False
        if kind is Kind.SINGLE:
            if acc.value is None and line == SEPARATOR:
                self._warning(
                    lineno,
                    f"Ligne « - » seule ignorée sous la rubrique {_q(section.label)} : une valeur s’écrit "
                    "« - valeur » ; supprimez cette ligne.",
                )
                return True
            if acc.value is None and line.startswith(ITEM_PREFIX):
                acc.value = line[len(ITEM_PREFIX) :].strip()
                acc.value_line = lineno
                return True
            if acc.value is not None:
                detail = (
                    f"cette rubrique n’a qu’une valeur (déjà {_q(acc.value)} ligne {acc.value_line}), suivie de "
                    f"{expected}. Supprimez cette ligne ou déplacez-la."
                )
            else:
                detail = (
                    f"la valeur s’écrit « - valeur » (tiret puis espace), et elle est suivie de {expected}. "
                    "Corrigez ou supprimez cette ligne."
                )
            self._error(lineno, self._unexpected(line, acc, detail))
            return False
        if line == SEPARATOR and not acc.separator and not acc.items and kind in (Kind.LIST, Kind.SEPARATOR):
            acc.separator = True
            return True
        if kind is Kind.SEPARATOR:
            detail = (
                f"sous cette rubrique ne vient qu’une ligne « - » seule, puis la ligne {_q(PARTENAIRES)} suivie "
                "des partenaires (« - partenaire »). Déplacez ou supprimez cette ligne."
            )
        elif line == SEPARATOR:
            where = (
                "n’est permis que juste après la rubrique, comme séparateur"
                if kind is Kind.LIST
                else "n’a pas sa place ici"
            )
            detail = f"le « - » seul {where} ; chaque valeur s’écrit « - valeur ». Supprimez cette ligne."
        elif line.startswith(ITEM_PREFIX):
            acc.items.append(line[len(ITEM_PREFIX) :].strip())
            return True
        else:
            detail = (
                f"chaque valeur de la liste s’écrit « - valeur » (tiret puis espace), et la liste est suivie de "
                f"{expected}. Corrigez ou supprimez cette ligne."
            )
        self._error(lineno, self._unexpected(line, acc, detail))
        return False

    def _feed_structure(self, acc: _Acc, line: str, lineno: int, state: _State) -> bool:
        if acc.value is not None:
            self._error(
                lineno,
                self._unexpected(
                    line,
                    acc,
                    f"cette rubrique n’a qu’une ligne « - NOM - Département » (ligne {acc.value_line}), suivie de "
                    f"{self._expected(acc.pos)}. Supprimez cette ligne ou déplacez-la.",
                ),
            )
            return False
        acc.value, acc.value_line = line, lineno
        rest = line[len(ITEM_PREFIX) :] if line.startswith(ITEM_PREFIX) else ""
        cut = rest.rfind(STRUCTURE_SPLIT)
        if not rest:
            message = (
                f"Structure mal écrite {_q(line)} : sous {_q(STRUCTURE)}, écrivez « - NOM - Département » "
                "(par exemple « - CENTRE SOCIAL IMAGINE - Nord »)."
            )
        elif cut < 0:
            message = (
                f"Structure sans département {_q(line)} : écrivez « - NOM - Département » (avec « - » entouré "
                "d’espaces avant le département), par exemple « - CENTRE SOCIAL IMAGINE - Nord »."
            )
        else:
            nom, departement = rest[:cut].strip(), rest[cut + len(STRUCTURE_SPLIT) :].strip()
            if nom and departement:
                state.values["structure_nom"] = nom
                state.values["departement_nom"] = departement
                state.structure_line = lineno
                return True
            message = (
                f"Structure incomplète {_q(line)} : le nom de la structure est vide. Écrivez « - NOM - Département »."
            )
        self._error(lineno, message)
        return False

    def _close(self, acc: _Acc, state: _State) -> None:
        section = SECTIONS[acc.pos]
        kind = section.kind
        if kind is Kind.STRUCTURE:
            if acc.value is None:
                self._error(
                    acc.label_line,
                    f"La rubrique {_q(STRUCTURE)} n’a pas de valeur : ajoutez juste après la ligne "
                    "« - NOM - Département ».",
                )
        elif kind is Kind.SINGLE:
            value = acc.value or ""
            line = acc.value_line or acc.label_line
            if section.repeat:
                first = state.values.get(section.field, "")
                if value != first:
                    self._error(
                        line,
                        f"Les deux rubriques {_q(section.label)} de la fiche diffèrent : {_qv(value)} ici, mais "
                        f"{_qv(str(first))} ligne {state.value_lines.get(section.field, '?')}. Elles doivent être "
                        "identiques : corrigez l’une des deux valeurs.",
                    )
            else:
                state.values[section.field] = value
                state.value_lines[section.field] = line
        elif kind is Kind.FREE:
            text = [line for _, line in acc.text]
            while text and not text[0]:
                text.pop(0)
            while text and not text[-1]:
                text.pop()
            state.values[section.field] = "\n".join(text)
        else:
            if kind in (Kind.LIST, Kind.SEPARATOR) and not acc.separator:
                self._warning(
                    acc.label_line,
                    f"Séparateur « - » manquant sous la rubrique {_q(section.label)} : la suite a été lue quand "
                    "même. Ajoutez une ligne « - » seule juste après la rubrique.",
                )
            if section.field:
                state.values[section.field] = list(acc.items)

    def _missing(self, state: _State, pos: int, acc: _Acc | None, end_line: int, next_line: int | None) -> None:
        required = [SECTIONS[k].label for k in range(pos + 1, len(SECTIONS)) if not SECTIONS[k].optional]
        missing = required[0]
        others = len(required) - 1
        more = ""
        if others == 1:
            more = ", ainsi que la rubrique obligatoire qui la suit"
        elif others > 1:
            more = f", ainsi que les {others} rubriques obligatoires qui la suivent"
        titre = _q(state.titre) if state.titre else "sans titre"
        hint = ""
        if acc is not None and SECTIONS[acc.pos].kind is Kind.FREE:
            expected = [SECTIONS[k].label for k in _NEXT[pos]]
            for lineno, line in acc.text:
                close = next((label for label in expected if _resembles(line, label)), None)
                if close:
                    hint = (
                        f" La ligne {lineno} {_q(line)} ressemble à la rubrique {_q(close)} : recopiez-la exactement."
                    )
                    break
            else:
                for lineno, line in acc.text:
                    if line in LABELS:
                        hint = (
                            f" La ligne {lineno} {_q(line)} a été lue comme du texte de la rubrique "
                            f"{_q(SECTIONS[acc.pos].label)}, car {_q(missing)} doit la précéder."
                        )
                        break
        if next_line is None:
            message = (
                f"Fichier tronqué : la fiche {titre} (ligne {state.marker_line}) s’arrête ici alors que la "
                f"rubrique {_q(missing)} est attendue{more}. Complétez la fiche à partir de l’export d’origine "
                f"ou supprimez-la.{hint}"
            )
        else:
            message = (
                f"Fiche {titre} (ligne {state.marker_line}) incomplète : la rubrique {_q(missing)} manque"
                f"{more}, avant la fiche suivante (ligne {next_line}). Complétez la fiche ou supprimez-la.{hint}"
            )
        self._error(end_line, message)

    # -- whole file -------------------------------------------------------------------------------------------

    def _drop_duplicates(self, fiches: list[Fiche]) -> list[Fiche]:
        seen: dict[tuple[str, str, str], Fiche] = {}
        kept: list[Fiche] = []
        for fiche in fiches:
            first = seen.get(fiche.natural_key)
            if first is None:
                seen[fiche.natural_key] = fiche
                kept.append(fiche)
                continue
            name = f"{_q(fiche.titre)} de {_q(fiche.structure_nom)} ({fiche.departement_nom})"
            first_content, content = first.content(), fiche.content()
            if first_content == content:
                self._warning(
                    fiche.line,
                    f"Fiche en double : {name} est identique à la fiche de la ligne {first.line} ; ce doublon "
                    "est ignoré. Supprimez-le du fichier pour ne plus voir cet avertissement.",
                )
            else:
                differences = ", ".join(FIELD_NAMES[name] for name in content if content[name] != first_content[name])
                self._error(
                    fiche.line,
                    f"Fiche présente deux fois avec un contenu différent : {name}, lignes {first.line} et "
                    f"{fiche.line} (différences : {differences}). Gardez une seule version de la fiche et "
                    "supprimez l’autre.",
                )
        return kept

    def _check_artefacts(self, fiches: list[Fiche]) -> None:
        if len(fiches) >= 2 and all(fiche.partenaires == [PARTENAIRE_ARTEFACT] for fiche in fiches):
            self._warning(
                1,
                f"Les {len(fiches)} fiches ont toutes pour seul partenaire {_q(PARTENAIRE_ARTEFACT)} : c’est "
                f"probablement un artefact de l’export. Les données sont conservées telles quelles ; vérifiez "
                f"les partenaires ({_q(display_name(PARTENAIRES))}) sur le site d’origine si besoin.",
            )
