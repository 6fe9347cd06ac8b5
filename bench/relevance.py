"""Precision at 5 of the relevance test set (tests/actions/relevance_set.py), before and after issue 19.

    .venv/bin/python bench/relevance.py

Runs tests/actions/test_relevance.py::test_precision_at_5_is_better_with_the_thesaurus_and_the_places on a
throwaway PostgreSQL (scripts/test.sh) and prints its line « precision at 5: before …, after … ». « Before »: the
same search without the thesaurus and without places understood in the query (issue 19's additions switched off);
« after »: as shipped. Precision at 5 of a query: the share of its expected fiches among the first five results
(out of five, or of the expected ones when there are fewer), averaged over the queries.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/actions/test_relevance.py::test_precision_at_5_is_better_with_the_thesaurus_and_the_places"

if __name__ == "__main__":
    result = subprocess.run(
        ["bash", "scripts/test.sh", TEST, "-q", "-s", "-p", "no:randomly"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("precision at 5")]
    print("\n".join(lines) or result.stdout[-3000:] + result.stderr[-3000:])
    sys.exit(result.returncode)
