"""A warm-cache `tiewatch arms` query imports neither pandas nor pyarrow nor DuckDB (issue 8: about 1 s of
a query's start-up was pandas and pyarrow.dataset, which the query does not need)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("pandas", "pyarrow", "pyarrow.dataset", "duckdb")
PROBE = """
import sys
from tiewatch.cli import main
code = main(sys.argv[1:])
print("loaded:", ",".join(m for m in {heavy!r} if m in sys.modules), "exit:", code)
"""


def _run(*argv: str) -> str:
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv], capture_output=True,
                            text=True, check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return result.stdout.splitlines()[-1]


@pytest.mark.parametrize("query", [
    ("top", "--role", "exporter", "--period", "2013-2017"),
    ("partners", "--country", "Israel", "--role", "exporter", "--period", "2013-2017", "--json"),
    ("change", "--country", "Israel", "--role", "exporter", "--from", "2008-2012", "--to", "2013-2017"),
    ("rank", "--supplier", "Israel", "--recipient", "India", "--period", "2013-2017"),
    ("series", "--country", "Israel", "--role", "importer", "--period", "2008-2017"),
])
def test_warm_query_imports_nothing_heavy(tmp_path: Path, query: tuple[str, ...]) -> None:
    argv = ("arms", *query, "--data", str(FIXTURES / "tables"), "--cache", str(tmp_path / "cache"))
    first = _run(*argv)  # cold: parses, builds the snapshot and the dataset's cube (pyarrow, DuckDB)
    assert first.endswith("exit: 0") and "pyarrow" in first
    assert _run(*argv) == "loaded:  exit: 0"
