"""Every CLI command, API endpoint, policy-rule operator and setting is documented in docs/.

Each list is derived from the code, never kept by hand:
- CLI commands: walked from `tiewatch.cli.build_parser()`, nested subcommands included. docs/cli.md
  lists exactly these in its table, and the page each row points at shows `tiewatch <command>`.
- API endpoints: the OpenAPI schema of the one NinjaAPI. docs/api.md names each method and path; the
  path is documented in its app's page (docs/<tag>.md) or under its own heading in docs/api.md.
- Rule operators, fields, effects, instrument types: asked of the policy engine.
- Settings: every environment variable the code reads by a literal name (`env_str("X", ...)`,
  `os.environ.get("X")` ...), documented in docs/settings.md or in the reading app's page.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def docs_text() -> str:
    pages = sorted(DOCS.glob("*.md"))
    assert pages, f"no docs pages in {DOCS}"
    return "\n".join(p.read_text(encoding="utf-8") for p in pages)


# --- CLI commands -----------------------------------------------------------------------------

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


def cli_table() -> dict[str, str]:
    """docs/cli.md's command table: command -> the page documenting it ("cli.md" for "below")."""
    rows = re.findall(r"^\| `tiewatch ([^`]+)` \|.*\| (?:\[[^]]+\]\(([\w.-]+\.md)\)|below) \|$", page("cli.md"),
                      flags=re.MULTILINE)
    assert rows, "docs/cli.md has no command table"
    return {command: target or "cli.md" for command, target in rows}


def test_the_walk_finds_nested_commands() -> None:
    commands = all_commands()
    assert ("demo", "load") in commands and ("arms", "top") in commands
    assert ("import",) in commands and ("export",) in commands and ("worker",) in commands


def test_every_cli_command_is_in_the_cli_table() -> None:
    listed = set(cli_table())
    existing = {" ".join(c) for c in all_commands()}
    assert not existing - listed, f"commands missing from docs/cli.md's table: {sorted(existing - listed)}"
    assert not listed - existing, f"docs/cli.md lists commands that do not exist: {sorted(listed - existing)}"


def test_every_cli_command_is_documented_where_the_table_points() -> None:
    missing = [f"tiewatch {command} (in {target})" for command, target in cli_table().items()
               if not mentioned(tuple(command.split()), page(target))]
    assert not missing, f"commands not shown where docs/cli.md points: {missing}"


def test_every_cli_command_is_documented() -> None:
    text = docs_text()
    missing = [" ".join(c) for c in all_commands() if not mentioned(c, text)]
    assert not missing, "CLI commands missing from docs/*.md (write them as `tiewatch <command>`): " + \
        ", ".join(f"tiewatch {m}" for m in missing)


# --- API endpoints ----------------------------------------------------------------------------

def api_operations() -> list[tuple[str, str, str]]:
    """(METHOD, path, tag) of every operation in the OpenAPI schema."""
    from config.api import api

    schema: dict[str, Any] = api.get_openapi_schema()
    return sorted((method.upper(), path, (operation.get("tags") or [""])[0])
                  for path, operations in schema["paths"].items() for method, operation in operations.items())


def path_in(path: str, text: str) -> bool:
    return re.search(re.escape(path) + r"(?![\w/{}-])", text) is not None


def test_the_schema_walk_finds_every_app() -> None:
    tags = {tag for _, _, tag in api_operations()}
    assert {"registry", "policies", "arms", "campaigns"} <= tags


def test_every_api_operation_is_in_the_api_page() -> None:
    text = page("api.md")
    missing = [f"{method} {path}" for method, path, _ in api_operations()
               if f"### `{method} {path}`" not in text and f"| {method} | `{path}` |" not in text]
    assert not missing, f"API operations missing from docs/api.md (heading or table row): {missing}"


def test_every_api_path_is_documented_in_its_apps_page() -> None:
    headings = page("api.md")
    missing = [f"{path} ({tag}.md)" for method, path, tag in api_operations()
               if f"### `{method} {path}`" not in headings
               and not ((DOCS / f"{tag}.md").exists() and path_in(path, page(f"{tag}.md")))]
    assert not missing, f"API paths documented neither in their app's page nor under a heading: {missing}"


# --- policy rules -----------------------------------------------------------------------------

def policy_operator_names() -> list[str]:
    """The condition operators as written in law packs, asked of the policy engine: its operator table
    (`OPERATORS` of `tiewatch.policies.engine.operators`: names, a mapping keyed by name, or operator
    objects with a `name`) where it has one, else the names `schema.OPERATORS` declares."""
    for module_name in ("tiewatch.policies.engine.operators", "tiewatch.policies.engine.schema"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        if table := getattr(module, "OPERATORS", None):
            return [str(getattr(entry, "name", entry)) for entry in table]
    raise AssertionError("the policy engine names no operators (OPERATORS in engine/operators.py or schema.py)")


def backticked_missing(names: Iterable[str], text: str) -> list[str]:
    """Names written neither as `name` nor inside a written-out mapping such as `{url, title, publisher}`."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)  # code blocks hold no spans
    spans = re.findall(r"`([^`\n]+)`", prose)
    written = set(spans) | {word for span in spans if "{" in span for word in re.findall(r"[\w-]+", span)}
    return sorted({name for name in names if name not in written})


def test_the_engine_names_its_operators() -> None:
    assert {"all", "any", "not", "counterpart_country_in", "attribute_exists"} <= set(policy_operator_names())


def test_every_rule_operator_is_documented() -> None:
    text = page("policies.md")
    missing = [op for op in policy_operator_names() if not re.search(rf"^\| `{re.escape(op)}` \|", text, re.M)]
    assert not missing, f"operators missing from docs/policies.md's operator table: {missing}"


def test_every_rule_field_effect_and_type_is_documented() -> None:
    from tiewatch.policies.engine import loader, schema

    fields = [value for name, value in vars(loader).items() if name.endswith("_FIELDS")]
    names = [field for group in fields for field in group]
    names += [*schema.EFFECTS, *schema.INSTRUMENT_TYPES, *schema.VERDICTS, *schema.WINDOW_MATCHES]
    assert len(fields) >= 8 and names
    missing = backticked_missing(names, page("policies.md"))
    assert not missing, f"rule fields or values missing from docs/policies.md: {missing}"


# --- settings ---------------------------------------------------------------------------------

ENV_READERS = {"env_str", "env_bool", "env_int", "env_list", "getenv", "get"}


def _literal_env_reads(tree: ast.AST) -> set[str]:
    """Names in `env_*("X", ...)`, `os.getenv("X")`, `os.environ.get("X")` and `os.environ["X"]`."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            is_environ = isinstance(func, ast.Attribute) and func.attr == "get" and \
                ast.unparse(func.value).endswith("environ")
            if name in ENV_READERS - {"get"} or is_environ:
                names.add(str(node.args[0].value))
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("environ") \
                and isinstance(node.slice, ast.Constant) and isinstance(node.ctx, ast.Load):
            names.add(str(node.slice.value))
    return names


def settings_read() -> dict[str, set[str]]:
    """Environment variable -> the docs pages that may document it (settings.md, or the app's page)."""
    found: dict[str, set[str]] = {}
    for path in [*REPO.glob("config/**/*.py"), *REPO.glob("tiewatch/**/*.py")]:
        parts = path.relative_to(REPO).parts
        if "tests" in parts or "migrations" in parts:
            continue
        pages = {"settings.md"} | ({f"{parts[1]}.md"} if parts[0] == "tiewatch" and len(parts) > 2 else set())
        for name in _literal_env_reads(ast.parse(path.read_text(encoding="utf-8"))):
            found.setdefault(name, set()).update(pages)
    return found


def test_the_settings_scan_finds_every_kind_of_read() -> None:
    # Guards the scan itself: if it stopped matching, the next test would pass vacuously.
    read = settings_read()
    assert {"DATABASE_URL", "SECRET_KEY", "TIEWATCH_PAGE_SIZE", "TIEWATCH_CAMPAIGNS_RATE_IP_SHORT",
            "TIEWATCH_ARMS_CACHE"} <= set(read)
    tree = ast.parse('os.environ.get("A"); os.environ["B"]; os.getenv("C"); env_int("D", 1); d.get("E")')
    assert _literal_env_reads(tree) == {"A", "B", "C", "D"}


def test_every_setting_is_documented() -> None:
    missing = sorted(f"{name} (in {' or '.join(sorted(pages))})" for name, pages in settings_read().items()
                     if not any(f"`{name}`" in page(p) for p in pages if (DOCS / p).exists()))
    assert not missing, f"settings not documented: {missing}"


def test_campaign_settings_default_to_the_documented_values(monkeypatch: pytest.MonkeyPatch) -> None:
    from tiewatch.campaigns import conf

    for name in conf.READERS:
        monkeypatch.delenv(name, raising=False)
    assert conf.rate("TIEWATCH_CAMPAIGNS_RATE_IP_SHORT") == conf.Rate(10, 60)
    assert conf.get("TIEWATCH_CAMPAIGNS_IP_RETENTION_DAYS") == 30
    monkeypatch.setenv("TIEWATCH_CAMPAIGNS_BLOCKED_EMAIL_DOMAINS", "a.example, b.example")
    assert conf.get("TIEWATCH_CAMPAIGNS_BLOCKED_EMAIL_DOMAINS") == ["a.example", "b.example"]
    monkeypatch.setenv("TIEWATCH_CAMPAIGNS_RATE_IP_SHORT", "0")
    assert not conf.rate("TIEWATCH_CAMPAIGNS_RATE_IP_SHORT").enabled
