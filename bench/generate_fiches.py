"""Realistic fiche-action exports for benchmarks, written in the real text format (through the project's renderer).

    .venv/bin/python bench/generate_fiches.py --count 100000 --out /tmp/fiches100k
    .venv/bin/python bench/generate_fiches.py --count 10000 --structures 300 --per-file 1000 --seed 7 --out /tmp/f10k

Pure Python, no database. Deterministic for a given --seed (and the same sample file). The French text is the
real sample's (fixtures/fiches/actions-export-1.txt, read with the project's parser) cut into sentences and
« - » lines and recombined, so free text has the same shape as real exports: long paragraphs, « - » lists,
short free-text amounts (« 43700 euros », « environ 30 000 € »…). Départements: the 101 official ones
(fixtures/referentiels/departements.json), weighted by the sample's distribution. Vocabularies: those of
actions/vocabularies.py, lists in the catalogue's fixed order. Natural keys (structure, département, titre) are
unique, structure names are unique per département even ignoring case and accents.

For tests: `generate(count, seed=…, structures=…) -> list[Fiche]`, `render_files(fiches, per_file)`,
`edited(fiches, fraction, seed)` (an edited export of the same fiches, for re-import benchmarks).
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from actions.fiches.labels import HEADER, LABELS, MARKER, STATUT_TERMINEE  # noqa: E402
from actions.fiches.parser import Fiche, parse_bytes  # noqa: E402
from actions.fiches.renderer import render_file  # noqa: E402
from actions.vocabularies import VOCABULARIES  # noqa: E402
from fcsf_actions.text import normalize_label  # noqa: E402

SAMPLE = ROOT / "fixtures" / "fiches" / "actions-export-1.txt"
DEPARTEMENTS = ROOT / "fixtures" / "referentiels" / "departements.json"
FICHES_PER_STRUCTURE = 33
DEFAULT_COUNT = 1000
DEFAULT_PER_FILE = 1000

PROSE_FIELDS = [
    "resume",
    "precision_initiative",
    "description_experience",
    "description_generale",
    "resultat_territoire",
    "resultat_centre",
    "resultat_habitants",
    "limites",
    "perspectives",
    "raisons_fin",
]
SHORT_FIELDS = ["ressources_financieres", "nombre_personnes"]

STRUCTURE_KINDS = [  # (kind, weight)
    ("Centre social", 55),
    ("Maison pour tous", 12),
    ("Espace de vie sociale", 15),
    ("Centre socioculturel", 10),
    ("Maison de quartier", 8),
]
STRUCTURE_NAMES = """Jean Moulin; Louise Michel; Victor Hugo; Jacques Prévert; Simone Veil; Nelson Mandela;
Pablo Picasso; Jules Ferry; Aimé Césaire; Françoise Dolto; Albert Camus; Jean Jaurès; Lucie Aubrac;
Marie Curie; George Sand; Colette; Boris Vian; Olympe de Gouges; Joséphine Baker; Léo Lagrange;
Germaine Tillion; Jean Vilar; Paul Éluard; Romain Rolland; Pierre Mendès France; Nelson Paillou;
Frida Kahlo; Rosa Parks; Gisèle Halimi; Missak Manouchian; des Trois Cités; du Vieux Bourg;
La Clairière; Monplaisir; Les Tilleuls; Les Acacias; La Roseraie; Bellevue; du Mail; des Coteaux;
Les Glycines; Le Phare; L’Escale; La Passerelle; L’Arche; Le Lien; La Source; Horizon;
Les Hauts de Sèvre; du Pont-Neuf; des Minimes; Saint-Jean; Saint-Nicolas; La Verdine;
Le Grand Large; Arc-en-ciel; Les Sablons; La Fontaine; du Château; des Tanneries; La Croix-Rouge;
Bourgogne; Belle-Île; Les Peupliers; Le Moulin; La Chênaie; Val Fleuri; Les Amandiers; Kervénanec;
La Découverte; L’Agora; Le Trait d’union; Les Quatre Vents; La Maillerie; du Bocage; des Bruyères;
Les Salins; La Garenne; du Canal; La Madeleine""".replace("\n", " ")
STRUCTURE_SUFFIXES = ["Nord", "Sud", "Est", "Ouest", "Centre", "Rive gauche", "Rive droite", "Haut", "Bas"]

TITLE_ACTIVITIES = """Atelier cuisine; Accompagnement à la scolarité; Café des parents; Jardin partagé; Repair café;
Sorties familiales; Permanence d'aide administrative; Atelier sociolinguistique; Point information jeunesse;
Fête de quartier; Ludothèque; Chantier jeunes; Séjour familles; Atelier numérique; Groupe de parole; Marche bleue;
Épicerie solidaire; Accueil de loisirs; Conseil citoyen; Vestiaire solidaire; Lieu d'accueil enfants-parents;
Atelier couture; Université populaire; Troc de plantes; Bourse aux vêtements; Atelier théâtre; Chorale;
Accès aux droits; Médiation numérique; Tiers lieu; Local jeunes; Club des aînés; Atelier mémoire;
Ciné-débat; Atelier d'écriture; Potager pédagogique; Fresque participative; Soirée jeux; Maison des projets;
Collectif d'habitants; Pédibus; Atelier vélo; Cafés-rencontres; Espace de vie sociale itinérant; Bricothèque""".replace(
    "\n", " "
)
TITLE_COMPLEMENTS = [
    "",
    "",
    "",
    " : un lieu d’échange entre habitants",
    " pour les familles",
    " intergénérationnel",
    " au cœur du quartier",
    " hors les murs",
    " – saison 2",
    " 2023",
    " 2024",
    " « Bien vieillir »",
    " : agir ensemble",
    " et lien social",
    " en pied d'immeuble",
    " pour les 11-17 ans",
    " des habitants",
    " / accueil du samedi",
    " : pouvoir d'agir des habitants",
    " en milieu rural",
    " avec les écoles",
    " - phase 2",
]
RESSOURCES = ["{n} €", "{n}€", "{n} euros", "environ {n} €", "Budget global : {n}€", "{n}"]
PERSONNES = [
    "{a} professionnels",
    "{a} professionnels, {b} bénévoles",
    "{a} salariés et {b} bénévoles",
    "{a} ETP",
    "{b}",
    "Une coordinatrice et {b} bénévoles",
]


def _split(text):
    return [item.strip() for item in text.split(";") if item.strip()]


def _usable(line):
    """A free-text line the parser will read back as text (never a label, a marker or the header)."""
    return line and line == line.rstrip() and line not in LABELS and line not in (MARKER, HEADER, "-")


class _Corpus:
    """Everything the generator draws from, read once from the sample and the référentiels."""

    def __init__(self):
        fiches = parse_bytes(SAMPLE.read_bytes(), SAMPLE.name).fiches
        sentences, items = [], []
        for fiche in fiches:
            for name in PROSE_FIELDS:
                for line in getattr(fiche, name).split("\n"):
                    line = line.strip()
                    if line.startswith(("- ", "* ", "+ ")):
                        items.append(line)
                    else:
                        sentences.extend(part for part in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"])", line))
        self.sentences = sorted({s for s in sentences if len(s) >= 25 and _usable(s)})
        self.items = sorted({item for item in items if len(item) >= 6 and _usable(item)})
        self.short = {name: sorted({getattr(f, name) for f in fiches if getattr(f, name)}) for name in SHORT_FIELDS}
        self.titles = sorted({f.titre for f in fiches})
        self.sample_structures = sorted({(f.structure_nom, f.departement_nom) for f in fiches})
        sample_counts = Counter(f.departement_nom for f in fiches)
        names = [entry["nom"] for entry in json.loads(DEPARTEMENTS.read_text(encoding="utf-8"))]
        self.departements = names
        # Every official département, the sample's ones more often (federations there publish more).
        self.departement_weights = [1 + 4 * sample_counts.get(name, 0) for name in names]
        self.structure_names = _split(STRUCTURE_NAMES)
        self.activities = _split(TITLE_ACTIVITIES)


@functools.cache
def corpus():
    return _Corpus()


class _Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.corpus = corpus()

    # -- text -------------------------------------------------------------------------------------------------

    def sentences(self, low, high):
        return " ".join(self.rng.choice(self.corpus.sentences) for _ in range(self.rng.randint(low, high)))

    def prose(self, paragraphs=(1, 3), sentences=(1, 4), lists=0.0):
        """Paragraphs of recombined sample sentences, sometimes with a « - » list, as in the real exports."""
        rng, out = self.rng, []
        for _ in range(rng.randint(*paragraphs)):
            out.append(self.sentences(*sentences))
            if rng.random() < lists:
                out.extend(rng.choice(self.corpus.items) for _ in range(rng.randint(2, 6)))
        if rng.random() < lists / 3:
            out.insert(0, rng.choice(self.corpus.items))  # a section starting with a « - » line
        return "\n".join(out)

    def maybe(self, probability, make):
        return make() if self.rng.random() < probability else ""

    def short(self, name):
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice(self.corpus.short[name])
        if name == "ressources_financieres":
            return rng.choice(RESSOURCES).format(n=rng.choice([500, 1200, 3500, 5000, 14000, 27860, 43700, 100200]))
        return rng.choice(PERSONNES).format(a=rng.randint(1, 6), b=rng.randint(2, 40))

    # -- vocabularies -----------------------------------------------------------------------------------------

    def some(self, vocabulary, counts, weights):
        """Some values of a list, in the catalogue's fixed order."""
        values = VOCABULARIES[vocabulary]
        k = self.rng.choices(counts, weights)[0]
        return [values[i] for i in sorted(self.rng.sample(range(len(values)), k))]

    def one(self, vocabulary, weights, empty=0.0):
        if self.rng.random() < empty:
            return ""
        return self.rng.choices(VOCABULARIES[vocabulary], weights)[0]

    # -- structures and titles --------------------------------------------------------------------------------

    def structures(self, count):
        """`count` (name, département) pairs, unique per département ignoring case and accents."""
        rng, corpus = self.rng, self.corpus
        out, seen = [], set()

        def add(name, departement):
            key = (departement, normalize_label(name))
            if key in seen:
                return False
            seen.add(key)
            out.append((name, departement))
            return True

        for name, departement in corpus.sample_structures[:count]:
            add(name, departement)
        kinds, kind_weights = zip(*STRUCTURE_KINDS, strict=True)
        while len(out) < count:
            departement = rng.choices(corpus.departements, corpus.departement_weights)[0]
            for attempt in range(20):
                name = f"{rng.choices(kinds, kind_weights)[0]} {rng.choice(corpus.structure_names)}"
                if attempt >= 5:
                    name += f" {rng.choice(STRUCTURE_SUFFIXES)}"
                if attempt >= 10:
                    name += f" {rng.randint(2, 99)}"
                if rng.random() < 0.35:
                    name = name.upper()  # as many real exports write them
                if add(name, departement):
                    break
        return out

    def title(self, taken):
        rng = self.rng
        for attempt in range(50):
            if rng.random() < 0.05:
                title = rng.choice(self.corpus.titles)
            else:
                title = rng.choice(self.corpus.activities) + rng.choice(TITLE_COMPLEMENTS)
            if attempt >= 10:
                title += f" ({rng.randint(2, 999)})"
            roll = rng.random()
            if roll < 0.03:
                title = title.upper()
            elif roll < 0.06:
                title = title[0].lower() + title[1:]
            elif roll < 0.08:
                title = f'"{title}"'
            if title not in taken and title not in LABELS and title not in (MARKER, HEADER):
                taken.add(title)
                return title
        raise RuntimeError("no unique title found")  # pragma: no cover - 50 attempts with a random suffix

    # -- fiches -----------------------------------------------------------------------------------------------

    def fiche(self, structure, taken_titles):
        rng = self.rng
        statut = STATUT_TERMINEE if rng.random() < 0.12 else "En cours"
        initiatives = self.some("Initiative", [0, 1, 2, 3], [8, 60, 24, 8])
        fiche = Fiche(
            titre=self.title(taken_titles),
            structure_nom=structure[0],
            departement_nom=structure[1],
            statut=statut,
            raisons_fin=self.maybe(0.7, lambda: self.prose((1, 1), (1, 2))) if statut == STATUT_TERMINEE else "",
            dimension=self.one("Dimension", [45, 35, 20], empty=0.08),
            mots_cles=self.some("MotCle", [1, 2, 3, 4, 5, 6], [22, 30, 24, 13, 7, 4]),
            resume=self.prose((1, 2), (1, 4)),
            initiatives=initiatives,
            precision_initiative=self.maybe(0.9 if "Autre" in initiatives else 0.1, lambda: self.prose((1, 2))),
            territoire=self.one("Territoire", [35, 25, 25, 10, 5]),
            description_experience=self.prose((2, 5), (1, 4), lists=0.4),
            public=self.one("Public", [30, 6, 10, 14, 8, 12, 12, 8], empty=0.1),
            partenaires=self.some("Partenaire", [1, 2, 3], [40, 35, 25]),
            description_generale=self.maybe(0.6, lambda: self.prose((1, 4), (1, 4), lists=0.2)),
            ressources_financieres=self.maybe(0.75, lambda: self.short("ressources_financieres")),
            nombre_personnes=self.maybe(0.8, lambda: self.short("nombre_personnes")),
            resultat_territoire=self.maybe(0.7, lambda: self.prose((1, 2), lists=0.2)),
            resultat_centre=self.maybe(0.65, lambda: self.prose((1, 2))),
            resultat_habitants=self.maybe(0.7, lambda: self.prose((1, 3), lists=0.2)),
            limites=self.maybe(0.6, lambda: self.prose((1, 2))),
            perspectives=self.maybe(0.65, lambda: self.prose((1, 2))),
        )
        return fiche

    def generate(self, count, structures):
        rng = self.rng
        if not count:
            return []
        structures = max(1, min(structures, count))
        pool = self.structures(structures)
        # Every structure has at least one fiche; the others go to structures of uneven activity.
        activity = [rng.paretovariate(1.5) for _ in pool]
        owners = list(range(structures)) + rng.choices(range(structures), activity, k=count - structures)
        rng.shuffle(owners)
        titles = [set() for _ in pool]
        return [self.fiche(pool[owner], titles[owner]) for owner in owners]


def generate(count=DEFAULT_COUNT, seed=0, structures=None):
    """`count` fiches of `structures` structures (default count/33), the same for the same arguments."""
    if structures is None:
        structures = max(1, round(count / FICHES_PER_STRUCTURE))
    return _Generator(seed).generate(count, structures)


def edited(fiches, fraction=0.1, seed=0):
    """A copy of `fiches` where about `fraction` of them changed as a re-export would (amounts, text, keywords)."""
    rng, gen = random.Random(seed), _Generator(seed)
    out = []
    for fiche in fiches:
        fiche = copy.deepcopy(fiche)
        if rng.random() < fraction:
            fiche.ressources_financieres = f"{rng.randint(1000, 99999)} €"
            fiche.resume = (fiche.resume + "\n" + gen.sentences(1, 2)).strip("\n")
            if rng.random() < 0.5:
                fiche.mots_cles = gen.some("MotCle", [1, 2, 3, 4], [30, 30, 25, 15])
        out.append(fiche)
    return out


def render_files(fiches, per_file=DEFAULT_PER_FILE):
    """The export files' texts, `per_file` fiches each."""
    return [render_file(fiches[start : start + per_file]) for start in range(0, len(fiches), per_file)]


def write_files(fiches, out, per_file=DEFAULT_PER_FILE, prefix="fiches"):
    """Writes `out/<prefix>-0001.txt`…; returns the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, text in enumerate(render_files(fiches, per_file), start=1):
        path = out / f"{prefix}-{number:04d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description="Génère des exports de fiches action réalistes (format texte).")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="nombre de fiches (défaut : 1000)")
    parser.add_argument("--structures", type=int, help="nombre de structures (défaut : count/33)")
    parser.add_argument("--per-file", type=int, default=DEFAULT_PER_FILE, help="fiches par fichier (défaut : 1000)")
    parser.add_argument("--seed", type=int, default=0, help="graine : mêmes arguments, mêmes fichiers (défaut : 0)")
    parser.add_argument("--edited", type=float, default=0.0, help="part des fiches modifiées (export retouché)")
    parser.add_argument("--out", required=True, type=Path, help="dossier des fichiers .txt")
    args = parser.parse_args(argv)
    if args.count < 0 or args.per_file < 1 or (args.structures is not None and args.structures < 1):
        parser.error("--count doit être positif, --per-file et --structures au moins 1.")
    started = time.perf_counter()
    fiches = generate(args.count, seed=args.seed, structures=args.structures)
    if args.edited:
        fiches = edited(fiches, args.edited, seed=args.seed)
    paths = write_files(fiches, args.out, args.per_file)
    structures = len({(fiche.structure_nom, fiche.departement_nom) for fiche in fiches})
    print(
        f"{len(fiches)} fiches de {structures} structures écrites dans {len(paths)} fichier(s) sous {args.out} "
        f"en {time.perf_counter() - started:.1f} s."
    )


if __name__ == "__main__":
    main()
