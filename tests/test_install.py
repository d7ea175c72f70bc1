"""The runtime install stays lean (docs/install.md): `make demo` installs wheels only, no test tools,
nothing that compiles; the lint and type tools are pinned."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~ ;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_runtime_needs_no_compiler_and_no_test_tools() -> None:
    runtime = names(PYPROJECT["project"]["dependencies"])
    # followthemoney -> normality -> PyICU is compiled from C++; the test tools are the test extra's.
    assert not runtime & {"followthemoney", "normality", "rigour", "pyicu"}
    assert not runtime & names(PYPROJECT["project"]["optional-dependencies"]["test"])


def test_lint_and_type_tools_are_pinned() -> None:
    test = PYPROJECT["project"]["optional-dependencies"]["test"]
    pinned = {r.split("==")[0].lower() for r in test if "==" in r}
    assert {"ruff", "mypy", "django-stubs", "types-pyyaml"} <= pinned
    assert PYPROJECT["tool"]["ruff"]["lint"]["select"]


def test_make_demo_installs_the_runtime_only() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    rules = dict(re.findall(r"^([$()\w./-]+):[^\n]*\n((?:\t[^\n]*\n)*)", makefile, re.MULTILINE))
    assert "pip install --quiet -e .\n" in rules["$(STAMP)"]
    assert "[test]" not in rules["$(STAMP)"] and "'.[test]'" in rules["$(TEST_STAMP)"]
    assert re.search(r"^demo: install( \$\(DEMO_SECRET_KEY\))?$", makefile, re.MULTILINE)
    assert re.search(r"^test: install-test$", makefile, re.MULTILINE)
    assert re.search(r"^lint: install-test\n\t\$\(BIN\)/ruff check \.$", makefile, re.MULTILINE)
