"""Checking numeric claims (a YAML file) against loaded data.

Each claim is reported as `holds`, `differs` (with the difference) or `cannot_check` (with why).
Percentages in claims are written as percentages (49 means 49 %), as stories print them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from tiewatch.core.errors import NotFound, Problem, TiewatchError, ValidationFailed
from tiewatch.core.inputs import line_of, load_yaml, read_text

from . import queries as q
from .datasets import Store

METRICS = {
    "rank": "rank of country among all exporters/importers (role) in period",
    "world_share": "country's share of world exports/imports in period, percent",
    "tiv": "country's (or the country-partner flow's) total TIV in period, millions",
    "change": "percent change of country's exports/imports (or of the flow with partner) from -> to",
    "partner_share": "share of country's exports/imports (role) going to/coming from partner, percent",
    "supplier_rank": "rank of supplier among recipient's suppliers in period",
    "recipient_rank": "rank of recipient among supplier's recipients in period",
}
DEFAULT_TOLERANCE = {"rank": 0, "supplier_rank": 0, "recipient_rank": 0, "tiv": 0.5}
PERCENT_TOLERANCE = 0.5
TEXT_FIELDS = ("id", "text", "country", "partner", "supplier", "recipient", "role", "period", "from", "to", "release",
               "source")
MAX_BYTES = 10_000_000  # a claims file is hand-written; anything near this is a mistake
REQUIRED = {
    "rank": ("country", "role", "period"), "world_share": ("country", "role", "period"),
    "tiv": ("country", "role", "period"), "change": ("country", "role", "from", "to"),
    "partner_share": ("country", "partner", "role", "period"),
    "supplier_rank": ("supplier", "recipient", "period"), "recipient_rank": ("supplier", "recipient", "period"),
}


def load_claims(path: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read and validate a claims file; every problem names the file, the line, the claim and the field."""
    path = str(path)
    return validate_claims(load_yaml(read_text(path, MAX_BYTES, "claims file limit"), path), path)


def validate_claims(doc: Any, path: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Defaults (top-level keys) and the claims merged with them, or ValidationFailed."""
    if isinstance(doc, list):
        doc = {"claims": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("claims"), list):
        raise ValidationFailed(f"{path}: no claims", [Problem(
            "expected a 'claims:' list", file=path, field="claims", line=line_of(doc, "claims"))])
    defaults = {k: v for k, v in doc.items() if k != "claims"}
    problems = []
    for i, claim in enumerate(doc["claims"], start=1):
        where = _Where(path, i, doc, claim)
        if not isinstance(claim, dict):
            problems.append(where.problem("a claim must be a mapping", ""))
            continue
        metric = claim.get("metric")
        if not isinstance(metric, str) or metric not in METRICS:
            known = ", ".join(METRICS)
            problems.append(where.problem(f"unknown metric {metric!r} (one of {known})", "metric"))
            continue
        problems.extend(_claim_problems({**defaults, **claim}, metric, where))
    if problems:
        raise ValidationFailed(f"{path}: {len(problems)} problem(s)", problems)
    return defaults, [{**defaults, **c} for c in doc["claims"]]


class _Where:
    """Where a claim's field was written: the claim's own key, else the top-level default, else the claim."""

    def __init__(self, path: str, number: int, doc: Any, claim: Any) -> None:
        self.path, self.number, self.doc, self.claim = path, number, doc, claim
        self.claim_line = line_of(doc.get("claims"), number - 1)

    def problem(self, message: str, key: str) -> Problem:
        field = f"claims[{self.number}].{key}" if key else f"claims[{self.number}]"
        line = None
        if key and isinstance(self.claim, dict) and key in self.claim:
            line = line_of(self.claim, key)
        elif key and key in self.doc:
            line = line_of(self.doc, key)
        return Problem(message, file=self.path, field=field, line=line or self.claim_line)


def _claim_problems(merged: dict[str, Any], metric: str, where: _Where) -> list[Problem]:
    """A claim's missing fields, and values of the wrong kind (a list where a name goes, a word as tolerance)."""
    out = []
    for key in (*REQUIRED[metric], "stated"):
        if merged.get(key) in (None, ""):
            out.append(where.problem(f"missing {key}", key))
    for key in TEXT_FIELDS:
        if merged.get(key) is not None and not isinstance(merged[key], (str, int, float)):
            value = merged[key]
            found = "list" if isinstance(value, list) else "dict" if isinstance(value, dict) else type(value).__name__
            out.append(where.problem(f"expected a name or a number, found {found}", key))
    if merged.get("stated") not in (None, "") and _number(merged["stated"]) is None:
        out.append(where.problem("stated must be a number", "stated"))
    if merged.get("tolerance") is not None and _number(merged["tolerance"]) is None:
        out.append(where.problem("tolerance must be a number", "tolerance"))
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip().rstrip("%").replace("+", "").strip()
    for suffix in ("st", "nd", "rd", "th"):
        if text.endswith(suffix) and text[:-2].isdigit():
            text = text[:-2]
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _compute(store: Store, c: dict[str, Any]) -> tuple[float | None, dict[str, Any]]:
    """The computed value of one claim and the result it came from."""
    metric, rel, src = c["metric"], c.get("release"), c.get("source")
    rel = str(rel) if rel is not None else None
    if metric == "rank":
        res = q.top(store, c["role"], str(c["period"]), limit=None, release=rel, source=src)
        ds = store.dataset(rel, src)
        name = store.resolve(str(c["country"]), ds)
        hit = next((r for r in res["rows"] if r["country"] == name), None)
        return (float(hit["rank"]) if hit else None), res
    if metric == "world_share":
        res = q.top(store, c["role"], str(c["period"]), limit=None, release=rel, source=src)
        name = store.resolve(str(c["country"]), store.dataset(rel, src))
        hit = next((r for r in res["rows"] if r["country"] == name), None)
        return (hit["share"] * 100 if hit else 0.0), res
    if metric in ("tiv", "change"):
        period_from = str(c.get("from", c.get("period")))
        period_to = str(c.get("to", c.get("period")))
        res = q.change(store, str(c["country"]), c["role"], period_from, period_to,
                       partner=c.get("partner"), release=rel, source=src)
        return (res["tiv_to"] if metric == "tiv" else res["change_pct"]), res
    if metric == "partner_share":
        res = q.partners(store, str(c["country"]), c["role"], str(c["period"]), release=rel, source=src)
        ds = store.dataset(rel, src, needs_flows=True)
        partner = store.resolve(str(c["partner"]), ds, "partner")
        hit = next((r for r in res["rows"] if r["partner"] == partner), None)
        return (hit["share"] * 100 if hit else 0.0), res
    among = "suppliers" if metric == "supplier_rank" else "recipients"
    res = q.rank(store, str(c["supplier"]), str(c["recipient"]), str(c["period"]), among=among, release=rel, source=src)
    return (float(res["rank"]) if res["rank"] else None), res


def _covered(store: Store, c: dict[str, Any]) -> str | None:
    """Why a claim's periods fall outside the data, or None."""
    rel, src = c.get("release"), c.get("source")
    needs = c["metric"] in ("partner_share", "supplier_rank", "recipient_rank") or bool(c.get("partner"))
    ds = store.dataset(str(rel) if rel is not None else None, src, needs_flows=needs)
    for key in ("period", "from", "to"):
        if c.get(key) is None:
            continue
        first, last = q.parse_period(str(c[key]), key)
        if ds.first_year and (first < ds.first_year or last > (ds.last_year or last)):
            return f"{key} {first}-{last} is outside {ds.id} ({ds.first_year}-{ds.last_year})"
    return None


def check_claim(store: Store, c: dict[str, Any]) -> dict[str, Any]:
    stated = _number(c["stated"])
    pct_metric = c["metric"] in ("world_share", "change", "partner_share")
    tolerance = _number(c.get("tolerance", PERCENT_TOLERANCE if pct_metric else DEFAULT_TOLERANCE.get(c["metric"], 0)))
    assert tolerance is not None  # validate_claims refused any other
    out: dict[str, Any] = {"id": c.get("id"), "text": c.get("text"), "metric": c["metric"], "stated": stated,
                           "tolerance": tolerance}
    try:
        why = _covered(store, c)
        if why:
            return {**out, "status": "cannot_check", "reason": why}
        value, res = _compute(store, c)
    except (NotFound, ValidationFailed) as error:
        return {**out, "status": "cannot_check", "reason": error.message}
    except TiewatchError as error:  # pragma: no cover - other expected errors
        return {**out, "status": "cannot_check", "reason": error.message}
    meta = {"release": res["release"], "generated": res["generated"], "dataset": res["dataset"], "query": res["query"]}
    if value is None:
        reason = "base period has no transfers" if c["metric"] == "change" else "not ranked (no transfers or not a state)"
        return {**out, **meta, "status": "cannot_check", "reason": reason}
    value = round(float(value), 2)
    diff = round(value - float(stated or 0), 2)
    status = "holds" if abs(diff) <= tolerance + 1e-9 else "differs"
    return {**out, **meta, "computed": value, "difference": diff, "status": status}


def check_file(store: Store, path: str | Path) -> dict[str, Any]:
    _, claims = load_claims(path)
    return _report(store, claims, str(path))


def check_document(store: Store, doc: dict[str, Any], name: str) -> dict[str, Any]:
    _, claims = validate_claims(doc, name)
    return _report(store, claims, name)


def _report(store: Store, claims: list[dict[str, Any]], path: str) -> dict[str, Any]:
    results = [check_claim(store, c) for c in claims]
    counts = {s: sum(1 for r in results if r["status"] == s) for s in ("holds", "differs", "cannot_check")}
    return {"file": str(path), "counts": counts, "results": results}
