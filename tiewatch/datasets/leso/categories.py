"""Equipment categories of LESO rows, from the rules in `categories.yaml` (data, not code).

`categorize(fsc, demil_code, item)` gives the category slugs of one row: `fsc` is the federal
supply class ("2320") or the whole NSN ("2320-01-128-9551"), `demil_code` the DEMIL code ("C"),
`item` the item description. The slugs that law packs name (EO 13688's prohibited and controlled
lists) are FIXED; see `categories.yaml` for how rules, fallbacks and markers combine.

`unclassified_report(rows)` measures coverage (share of rows and of acquisition value that some
rule classifies) and lists the item descriptions no rule classifies, most rows first.

Pure Python: no Django. Results are cached per distinct (fsc, DEMIL, item), which is what makes
140,500 rows take a fraction of a second (the files hold about 6,000 distinct combinations).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tiewatch.core.errors import Problem
from tiewatch.core.inputs import InputError, LineDict, line_of, load_yaml, read_text

CATEGORIES_FILE = Path(__file__).with_name("categories.yaml")
LISTS = ("eo13688_prohibited", "eo13688_controlled")
RULE_KEYS = frozenset({"categories", "fsc", "fsg", "not_fsc", "demil", "item", "not_item"})
MISSING = {"", "NOT IN FILE"}   # what the source writes where a file has no such column
CACHE_LIMIT = 200_000           # distinct (fsc, DEMIL, item) kept; a bound for arbitrary input
UNCLASSIFIED, BY_FALLBACK, BY_RULE = 0, 1, 2   # how a row was classified (Categorizer.classify)


@dataclass(frozen=True, slots=True)
class Category:
    slug: str
    label: str
    list: str = ""   # "eo13688_prohibited", "eo13688_controlled" or ""


@dataclass(frozen=True, slots=True)
class Rule:
    """Conditions on one row; each one stated must hold. `line`: where the rule is written."""

    categories: tuple[str, ...]
    line: int
    fsc: frozenset[str] | None = None
    fsg: frozenset[str] | None = None
    not_fsc: frozenset[str] = frozenset()
    demil: frozenset[str] | None = None
    item: tuple[re.Pattern[str], ...] = ()
    not_item: tuple[re.Pattern[str], ...] = ()

    def matches(self, fsc: str, demil: str, item: str) -> bool:
        if self.fsc is not None and fsc not in self.fsc:
            return False
        if self.fsg is not None and fsc[:2] not in self.fsg:
            return False
        if fsc in self.not_fsc or (self.demil is not None and demil not in self.demil):
            return False
        return all(p.search(item) for p in self.item) and not any(p.search(item) for p in self.not_item)


def fsc_of(code: str) -> str:
    """The 4-digit supply class of an FSC or NSN ("2320-01-128-9551" -> "2320"); "" when none."""
    head = code.strip()[:4]
    return head if len(head) == 4 and head.isdigit() else ""


def normal_item(item: str) -> str:
    return " ".join(item.upper().split())


def normal_demil(code: str) -> str:
    code = code.strip().upper()
    return "" if code in MISSING else code


class Categorizer:
    """The rules of one categories file, compiled."""

    def __init__(self, categories: Mapping[str, Category], rules: Iterable[Rule],
                 fallbacks: Iterable[Rule], markers: Iterable[Rule]) -> None:
        self.categories = dict(categories)
        self.rules = tuple(rules)
        self.fallbacks = tuple(fallbacks)
        self.markers = tuple(markers)
        self._order = {slug: n for n, slug in enumerate(self.categories)}
        self._cache: dict[tuple[str, str, str], tuple[tuple[str, ...], int]] = {}

    def categorize(self, fsc: str, demil_code: str, item: str) -> list[str]:
        return list(self.classify(fsc, demil_code, item)[0])

    def classify(self, fsc: str, demil_code: str, item: str) -> tuple[tuple[str, ...], int]:
        """(slugs, level): level BY_RULE when a rule matched, BY_FALLBACK when only a fallback did,
        UNCLASSIFIED (0, false) when only markers or nothing matched."""
        key = (fsc, demil_code, item)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._compute(fsc_of(fsc), normal_demil(demil_code), normal_item(item))
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = hit
        return hit

    def _compute(self, fsc: str, demil: str, item: str) -> tuple[tuple[str, ...], int]:
        found: set[str] = set()
        for rule in self.rules:
            if rule.matches(fsc, demil, item):
                found.update(rule.categories)
        classified = BY_RULE if found else UNCLASSIFIED
        if not found:
            fallback = next((r for r in self.fallbacks if r.matches(fsc, demil, item)), None)
            if fallback is not None:
                found.update(fallback.categories)
                classified = BY_FALLBACK
        for marker in self.markers:
            if marker.matches(fsc, demil, item):
                found.update(marker.categories)
        return tuple(sorted(found, key=self._order.__getitem__)), classified

    def on_list(self, name: str) -> list[str]:
        """The slugs of one federal list ("eo13688_prohibited" or "eo13688_controlled")."""
        return [c.slug for c in self.categories.values() if c.list == name]


@dataclass(frozen=True, slots=True)
class _Where:
    """Where in the categories file a value is written, to name it in a Problem."""

    file: str
    line: int | None
    field: str

    def problem(self, message: str) -> Problem:
        return Problem(message, field=self.field, file=self.file, line=self.line)


def load_categories(path: str | Path = CATEGORIES_FILE) -> Categorizer:
    """Read and check a categories file; InputError naming file:line:field on any fault."""
    file = str(path)
    data = load_yaml(read_text(path), file)
    if not isinstance(data, LineDict):
        raise InputError([Problem("expected a mapping with categories, patterns, rules", file=file, line=1)])
    problems: list[Problem] = []
    categories = _categories(data.get("categories"), file, problems)
    patterns = _patterns(data.get("patterns") or LineDict(), file, problems)
    sections = {}
    for section in ("rules", "fallbacks", "markers"):
        sections[section] = _rules(data, section, categories, patterns, file, problems)
    for key in data:
        if key not in {"version", "categories", "patterns", "rules", "fallbacks", "markers"}:
            problems.append(Problem(f"unknown section {key!r}", field=str(key), file=file, line=line_of(data, key)))
    if problems:
        raise InputError(problems)
    return Categorizer(categories, sections["rules"], sections["fallbacks"], sections["markers"])


def _categories(raw: Any, file: str, problems: list[Problem]) -> dict[str, Category]:
    if not isinstance(raw, LineDict) or not raw:
        problems.append(Problem("a mapping of category slugs is required", field="categories", file=file, line=1))
        return {}
    out = {}
    for slug, spec in raw.items():
        where = _Where(file, line_of(raw, slug), f"categories.{slug}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(slug)):
            problems.append(where.problem("a slug is lower case letters, digits and _"))
        elif not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
            problems.append(where.problem("needs a label"))
        elif spec.get("list", "") not in ("", *LISTS):
            problems.append(where.problem(f"list must be one of {', '.join(LISTS)}"))
        else:
            out[slug] = Category(slug, spec["label"], spec.get("list", ""))
    return out


def _patterns(raw: Any, file: str, problems: list[Problem]) -> dict[str, re.Pattern[str]]:
    if not isinstance(raw, LineDict):
        problems.append(Problem("patterns: a mapping of names to regular expressions", field="patterns", file=file))
        return {}
    out = {}
    for name, text in raw.items():
        where = _Where(file, line_of(raw, name), f"patterns.{name}")
        if not isinstance(text, str):
            problems.append(where.problem("a pattern is one regular expression (text)"))
            continue
        try:
            out[str(name)] = re.compile(text)
        except re.error as error:
            problems.append(where.problem(f"not a regular expression: {error}"))
    return out


def _rules(data: LineDict, section: str, categories: Mapping[str, Category],
           patterns: Mapping[str, re.Pattern[str]], file: str, problems: list[Problem]) -> list[Rule]:
    raw = data.get(section) or []
    if not isinstance(raw, list):
        problems.append(Problem("a list of rules", field=section, file=file, line=line_of(data, section)))
        return []
    rules = []
    for n, spec in enumerate(raw):
        line = line_of(raw, n) or 0
        where = _Where(file, line or None, f"{section}[{n}]")
        found = len(problems)
        if not isinstance(spec, dict):
            problems.append(where.problem("a rule is a mapping"))
            continue
        for key in spec:
            if key not in RULE_KEYS:
                problems.append(where.problem(f"unknown condition {key!r}"))
        slugs = _texts(spec.get("categories"), "categories", where, problems)
        for slug in slugs:
            if slug not in categories:
                problems.append(where.problem(f"unknown category {slug!r}"))
        compiled = {k: _named(spec.get(k), k, patterns, where, problems) for k in ("item", "not_item")}
        sets = {k: _codes(spec, k, where, problems) for k in ("fsc", "fsg", "not_fsc", "demil")}
        if not slugs:
            problems.append(where.problem("a rule gives at least one category"))
        if len(problems) == found:
            rules.append(Rule(tuple(slugs), line, sets["fsc"], sets["fsg"], sets["not_fsc"] or frozenset(),
                              sets["demil"], compiled["item"], compiled["not_item"]))
    return rules


def _texts(raw: Any, key: str, where: _Where, problems: list[Problem]) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        problems.append(where.problem(f"{key}: a list of texts"))
        return []
    return list(raw)


def _codes(spec: Mapping[str, Any], key: str, where: _Where, problems: list[Problem]) -> frozenset[str] | None:
    if key not in spec:
        return None
    codes = _texts(spec[key], key, where, problems)
    width = {"fsc": 4, "not_fsc": 4, "fsg": 2}.get(key)
    for code in codes:
        if width and not (len(code) == width and code.isdigit()):
            problems.append(where.problem(f"{key}: {code!r} is not {width} digits"))
    return frozenset(c.upper() for c in codes)


def _named(raw: Any, key: str, patterns: Mapping[str, re.Pattern[str]], where: _Where,
           problems: list[Problem]) -> tuple[re.Pattern[str], ...]:
    out = []
    for name in _texts(raw, key, where, problems):
        if name in patterns:
            out.append(patterns[name])
        else:
            problems.append(where.problem(f"{key}: no pattern named {name!r}"))
    return tuple(out)


@lru_cache(maxsize=1)
def default_categorizer() -> Categorizer:
    return load_categories(CATEGORIES_FILE)


def categorize(fsc: str, demil_code: str, item: str) -> list[str]:
    """The category slugs of one LESO row by the shipped `categories.yaml` (see module doc)."""
    return default_categorizer().categorize(fsc, demil_code, item)


@dataclass
class CoverageReport:
    """How much of a set of rows the rules classify; `unclassified` counts rows per description."""

    rows: int = 0
    classified_rows: int = 0
    value: float = 0.0
    classified_value: float = 0.0
    rule_rows: int = 0               # classified by a rule, not only by a supply-group fallback
    rule_value: float = 0.0
    unclassified: Counter[str] = field(default_factory=Counter)
    unclassified_value: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    by_category: Counter[str] = field(default_factory=Counter)

    @property
    def row_share(self) -> float:
        return self.classified_rows / self.rows if self.rows else 1.0

    @property
    def value_share(self) -> float:
        return self.classified_value / self.value if self.value else 1.0

    def as_dict(self, limit: int = 50) -> dict[str, Any]:
        return {
            "rows": self.rows, "classified_rows": self.classified_rows, "row_share": round(self.row_share, 4),
            "value": round(self.value, 2), "classified_value": round(self.classified_value, 2),
            "value_share": round(self.value_share, 4), "rule_rows": self.rule_rows,
            "rule_value": round(self.rule_value, 2), "by_category": dict(self.by_category.most_common()),
            "unclassified": [{"item": item, "rows": n, "value": round(self.unclassified_value[item], 2)}
                             for item, n in self.unclassified.most_common(limit)],
        }

    def lines(self, limit: int = 50) -> list[str]:
        out = [f"{self.classified_rows:,} of {self.rows:,} rows classified ({self.row_share:.2%}); "
               f"${self.classified_value:,.0f} of ${self.value:,.0f} acquisition value ({self.value_share:.2%})",
               f"by a rule (not only a supply-group fallback): {self.rule_rows:,} rows, ${self.rule_value:,.0f}",
               "unclassified item descriptions (rows, value):"]
        out += [f"{n:>7,}  ${self.unclassified_value[item]:>14,.0f}  {item}"
                for item, n in self.unclassified.most_common(limit)]
        return out


def unclassified_report(rows: Iterable[tuple[str, str, str, float]],
                        categorizer: Categorizer | None = None) -> CoverageReport:
    """Coverage of `rows`, each (fsc or NSN, DEMIL code, item description, acquisition value of
    the row, i.e. unit value x quantity), and the rows that no rule or fallback classifies,
    counted by item description. `row_of_tsv` turns a row of the shared LESO TSV files into one."""
    rules = categorizer or default_categorizer()
    report = CoverageReport()
    for fsc, demil, item, value in rows:
        slugs, classified = rules.classify(fsc, demil, item)
        report.rows += 1
        report.value += value
        report.by_category.update(slugs)
        if classified:
            report.classified_rows += 1
            report.classified_value += value
            if classified == BY_RULE:
                report.rule_rows += 1
                report.rule_value += value
        else:
            key = normal_item(item)
            report.unclassified[key] += 1
            report.unclassified_value[key] += value
    return report


def row_of_tsv(row: Mapping[str, str]) -> tuple[str, str, str, float]:
    """(fsc, DEMIL, item, value) of a row of the DLA LESO TSV files (columns Item_FSG, Item_FSC,
    DEMILCode, ItemDescription, AcquisitionValue per unit, Quantity); bad numbers count as 0."""
    try:
        value = float(row.get("AcquisitionValue") or 0) * float(row.get("Quantity") or 0)
    except ValueError:
        value = 0.0
    fsc = (row.get("Item_FSG") or "") + (row.get("Item_FSC") or "")
    return fsc, row.get("DEMILCode") or "", row.get("ItemDescription") or "", value
