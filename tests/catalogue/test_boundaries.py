"""numpy and the facet index stay inside catalogue/ (issue 16): ruff's TID251 rule, configured in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUFF = Path(sys.executable).parent / "ruff"


def banned(path, source):
    result = subprocess.run(
        [RUFF, "check", "--select", "TID251", "--stdin-filename", path, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return result.stdout.count("TID251")


@pytest.mark.parametrize(
    "source",
    [
        "import numpy\n",
        "import numpy as np\n",
        "from catalogue.index import FacetIndex\n",
        "from catalogue import index\n",
    ],
)
def test_outside_the_read_model_numpy_and_the_index_are_refused(source):
    assert banned("statistiques/counts.py", source) == 1
    assert banned("catalogue/read_model.py", source) == 0


def test_the_rest_of_the_project_asks_the_snapshot():
    assert banned("api/views.py", "import catalogue\n\ncatalogue.snapshot()\n") == 0
