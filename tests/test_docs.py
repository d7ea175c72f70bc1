"""Every CLI command and every API endpoint is documented in docs/*.md.

- Each command path of the `tiewatch` parser (walked from `tiewatch.cli.build_parser()`, nested
  subcommands included: `tiewatch demo load`, `tiewatch arms top` ...) must appear in some docs page
  as `tiewatch <command path>`.
- Each path of the API's OpenAPI schema must appear literally in some docs page, as the schema
  spells it (`/api/entities/{id}`).
- The command table of docs/cli.md names only commands that exist.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


def docs_text() -> str:
    pages = sorted(DOCS.glob("*.md"))
    assert pages, f"no docs pages in {DOCS}"
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path under `parser` (canonical names only, not aliases), groups included."""
    paths: list[tuple[str, ...]] = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        seen: set[int] = set()
        for name, sub in action.choices.items():
            if id(sub) in seen:  # an alias of a command already walked
                continue
            seen.add(id(sub))
            path = (*prefix, name)
            paths.append(path)
            paths.extend(command_paths(sub, path))
    return paths


def all_commands() -> list[tuple[str, ...]]:
    from tiewatch.cli import build_parser

    return command_paths(build_parser())


def mentioned(command: tuple[str, ...], text: str) -> bool:
    pattern = r"tiewatch\s+" + r"\s+".join(re.escape(word) for word in command) + r"(?![\w-])"
    return re.search(pattern, text) is not None


def api_paths() -> list[str]:
    from config.api import api

    return sorted(api.get_openapi_schema()["paths"])


def test_the_walk_finds_nested_commands() -> None:
    commands = all_commands()
    assert ("demo", "load") in commands
    assert ("import",) in commands and ("export",) in commands


def test_every_cli_command_is_documented() -> None:
    text = docs_text()
    missing = [" ".join(c) for c in all_commands() if not mentioned(c, text)]
    assert not missing, "CLI commands missing from docs/*.md (write them as `tiewatch <command>`): " + \
        ", ".join(f"tiewatch {m}" for m in missing)


def test_every_api_path_is_documented() -> None:
    text = docs_text()
    missing = [p for p in api_paths() if re.search(re.escape(p) + r"(?![\w/{}-])", text) is None]
    assert not missing, "API paths missing from docs/*.md (write them as in /api/openapi.json): " + \
        ", ".join(missing)


def test_cli_page_names_only_existing_commands() -> None:
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `tiewatch ([^`]+)` \|", page, flags=re.MULTILINE)
    assert listed, "docs/cli.md has no command table"
    existing = {" ".join(c) for c in all_commands()}
    stale = [c for c in listed if c not in existing]
    assert not stale, f"docs/cli.md lists commands that do not exist: {stale}"


@pytest.mark.parametrize("path", ["/api/entities", "/api/entities/{id}", "/api/ties", "/api/ties/{id}",
                                  "/api/sources", "/api/jurisdictions"])
def test_registry_endpoints_are_in_the_api_page(path: str) -> None:
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    assert f"### `GET {path}`" in page
