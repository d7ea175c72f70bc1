"""An entity's ties from an imported dataset (Tie.dataset), summarised in SQL: a table of ties by a
dataset's own rows (LESO's equipment categories, SIPRI's partners) and years, with the totals of
its numeric attributes (quantity, acquisition value, TIV). An agency can hold ~10,000 LESO ties:
the page groups them in the database and never loads them (docs/benchmarks.md).

Which rows and sums a dataset has is registered by the app that knows the dataset (the datasets
app, at start-up) with `register`; a dataset nobody registered is summarised by tie kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from tiewatch.registry.models import Entity, Tie

ROWS = ("kind", "partner", "categories")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")  # attribute names go into SQL: identifiers only
MAX_ROWS = 30
MAX_YEAR_COLUMNS = 15
CURATED = "curated"  # the tie list's dataset filter value for ties not from a dataset


@dataclass(frozen=True, slots=True)
class SummarySpec:
    title: str
    rows: str = "kind"  # "kind", "partner" (the other party of each tie) or "categories" (a list attribute)
    sums: tuple[tuple[str, str], ...] = ()  # (numeric attribute, label)
    row_label: str = "Kind"
    note: str = ""
    # How the entity's role in a tie reads for this dataset ("As supplier" for a SIPRI subject).
    role_labels: tuple[tuple[str, str], ...] = (("subject", "As subject"), ("counterpart", "As counterpart"),
                                                ("program", "As program"))

    def __post_init__(self) -> None:
        if self.rows not in ROWS or not all(KEY.match(k) for k, _ in self.sums):
            raise ValueError(f"bad summary for {self.title!r}: rows {self.rows!r}, sums {self.sums!r}")


SPECS: dict[str, SummarySpec] = {}


def register(name: str, spec: SummarySpec) -> None:
    SPECS[name] = spec


def spec_for(name: str) -> SummarySpec:
    return SPECS.get(name) or SummarySpec(title=name.replace("_", " "))


def dataset_choices() -> list[tuple[str, str]]:
    return [(name, spec.title) for name, spec in sorted(SPECS.items(), key=lambda kv: kv[1].title)]


# --- SQL ----------------------------------------------------------------------------------------

def _number(key: str) -> tuple[str, list[Any]]:
    """A numeric attribute of t.attributes, NULL when absent or not a number (never a cast error)."""
    if connection.vendor == "postgresql":
        return "CASE WHEN jsonb_typeof(t.attributes -> %s) = 'number' THEN (t.attributes -> %s)::float8 END", \
            [key, key]
    return "CASE WHEN json_type(t.attributes, %s) IN ('integer', 'real') THEN json_extract(t.attributes, %s) END", \
        [f"$.{key}", f"$.{key}"]


def _rows_join(spec: SummarySpec, role: str) -> tuple[str, str, str]:
    """(row key, join, whether the joined row is the tie's first): a tie with several categories (or
    counterparts) is one row per category, and only its first row counts in the totals."""
    if spec.rows == "categories":
        if connection.vendor == "postgresql":
            return "r.value", ("LEFT JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(t.attributes -> "
                               "'categories') = 'array' THEN t.attributes -> 'categories' ELSE '[]'::jsonb END) "
                               "WITH ORDINALITY AS r(value, n) ON true"), "(r.n IS NULL OR r.n = 1)"
        return "r.value", ("LEFT JOIN json_each(CASE WHEN json_type(t.attributes, '$.categories') = 'array' "
                           "THEN json_extract(t.attributes, '$.categories') ELSE '[]' END) AS r ON 1"), \
            "(r.key IS NULL OR r.key = 0)"
    if spec.rows == "partner" and role == "subject":
        return "c.entity_id", "JOIN registry_tiecounterpart c ON c.tie_id = t.id", "(c.position = 0)"
    return ("t.subject_id" if spec.rows == "partner" else "t.kind"), "", "(1 = 1)"


def _grouped(qs: QuerySet[Tie], spec: SummarySpec, role: str) -> list[tuple[Any, ...]]:
    """(row key, year, ties, *sums, first rows, *their sums) per row and first year: one pass over the
    ties, each numeric attribute read once per tie."""
    inner, params = qs.order_by().values_list("id", "subject_id", "year_from", "kind", "attributes") \
        .query.sql_with_params()
    numbers, number_params = [], []
    for i, (key, _) in enumerate(spec.sums):
        expression, values = _number(key)
        numbers.append(f"{expression} AS v{i}")
        number_params.extend(values)
    key_sql, join, first = _rows_join(spec, role)
    sums = [f"SUM(t.v{i})" for i in range(len(spec.sums))]
    firsts = [f"SUM(CASE WHEN {first} THEN t.v{i} END)" for i in range(len(spec.sums))]
    columns = ", ".join([key_sql, "t.year_from", "COUNT(*)", *sums, f"SUM(CASE WHEN {first} THEN 1 ELSE 0 END)",
                         *firsts])
    valued = ", ".join(["t.id", "t.subject_id", "t.year_from", "t.kind", "t.attributes", *numbers])
    # OFFSET 0 keeps PostgreSQL from folding the subquery into the aggregate, which would read each
    # attribute from the JSON once per use and per category instead of once per tie.
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    sql = (f"SELECT {columns} FROM (SELECT {valued} FROM ({inner}) t{fence}) t {join} "
           f"GROUP BY {key_sql}, t.year_from")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*number_params, *params])
        return list(cursor.fetchall())


def _add(a: float | None, b: float | None) -> float | None:
    return a if b is None else (b if a is None else a + b)


# --- the summary ----------------------------------------------------------------------------------

def year_columns(years: set[int]) -> list[tuple[int, int]]:
    """Single years, or five-year periods when a table would be wider than MAX_YEAR_COLUMNS."""
    if not years:
        return []
    low, high = min(years), max(years)
    if high - low < MAX_YEAR_COLUMNS:
        return [(y, y) for y in range(low, high + 1)]
    start = low - low % 5
    return [(y, y + 4) for y in range(start, high + 1, 5)]


def _column_of(year: int | None, columns: list[tuple[int, int]]) -> int:
    if year is None:
        return len(columns)  # the "undated" column, last
    return next(i for i, (low, high) in enumerate(columns) if low <= year <= high)


def summarise(qs: QuerySet[Tie], dataset: str, role: str, drafts: bool) -> dict[str, Any]:
    """{title, total, sums: [(label, value)], row_label, columns: [label], undated: bool,
    rows: [{key, label, entity, cells, total, sums}], more_rows: int, note}."""
    spec = spec_for(dataset)
    width = len(spec.sums)
    raw = _grouped(qs, spec, role)
    grouped = [(row[0], row[1], row[2], *row[3:3 + width]) for row in raw]
    total, sums = 0, list[float | None]([None] * width)
    for found in raw:
        total += int(found[3 + width] or 0)
        sums = [_add(a, None if b is None else float(b)) for a, b in zip(sums, found[4 + width:])]
    columns = year_columns({row[1] for row in grouped if row[1] is not None})
    undated = any(row[1] is None for row in grouped)
    by_key: dict[Any, dict[str, Any]] = {}
    for key, year, n, *values in grouped:
        row = by_key.setdefault(key, {"key": key, "cells": [0] * (len(columns) + 1), "total": 0,
                                      "sums": [None] * len(spec.sums)})
        row["cells"][_column_of(year, columns)] += n
        row["total"] += n
        row["sums"] = [_add(a, b) for a, b in zip(row["sums"], values)]
    rows = sorted(by_key.values(), key=lambda r: (-r["total"], str(r["key"] or "")))
    _label(rows, spec, drafts)
    if not undated:
        for row in rows:
            row["cells"].pop()
    labels = [str(low) if low == high else f"{low}–{high}" for low, high in columns]
    for row in rows:
        row["sums"] = [number(v) for v in row["sums"]]
    return {"dataset": dataset, "title": spec.title, "role": role, "total": total, "row_label": spec.row_label,
            "role_label": dict(spec.role_labels).get(role, role),
            "sums": [(label, number(value)) for (_, label), value in zip(spec.sums, sums)],
            "sum_labels": [label for _, label in spec.sums], "columns": labels + (["Undated"] if undated else []),
            "rows": rows[:MAX_ROWS], "more_rows": max(0, len(rows) - MAX_ROWS), "note": spec.note,
            "filter": "category" if spec.rows == "categories" else ("kind" if spec.rows == "kind" else "")}


def number(value: float | None) -> str:
    """1,234,567 or 12.5: totals as people read them ('—' when nothing was summed)."""
    if value is None:
        return "—"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _label(rows: list[dict[str, Any]], spec: SummarySpec, drafts: bool) -> None:
    """Plain-words labels; partners by name, a draft partner (for the public) as 'not public'."""
    if spec.rows != "partner":
        for row in rows:
            row["label"] = str(row["key"]).replace("_", " ") if row["key"] else "no category"
            row["entity"] = None
        return
    qs = Entity.objects.filter(pk__in=[r["key"] for r in rows])
    if not drafts:
        qs = qs.filter(published=True)
    names = {e.pk: e for e in qs.only("id", "name", "published")}
    hidden: dict[str, Any] | None = None
    for row in list(rows):
        entity = names.get(row["key"])
        row["entity"], row["label"] = entity, entity.name if entity else "not public"
        if entity is not None:
            continue
        rows.remove(row)
        if hidden is None:
            hidden = {**row, "key": ""}
        else:  # every hidden partner in one row: the public learns no more than the tie list shows
            hidden["cells"] = [a + b for a, b in zip(hidden["cells"], row["cells"])]
            hidden["total"] += row["total"]
            hidden["sums"] = [_add(a, b) for a, b in zip(hidden["sums"], row["sums"])]
    if hidden is not None:
        rows.append(hidden)
