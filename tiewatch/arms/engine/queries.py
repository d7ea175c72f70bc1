"""The analyses, as DuckDB queries over a loaded `Store`.

Conventions (SIPRI's, stated in every result under "convention"):
- TIV in millions, summed by year of delivery over the period (both years included).
- Shares are fractions of the total including every party (states, `*` non-state actors, `**`
  organisations, unknown); ranks count states only, as SIPRI's fact sheets do.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from tiewatch.core.errors import Problem, ValidationFailed

from .datasets import FAMILY_LABEL, Dataset, Store

ROLES = ("exporter", "importer")
CONVENTION = ("TIV millions summed by delivery year; shares of the total of all parties (incl. non-state, "
              "organisations, unknown); ranks count states only")
OTHER = {"exporter": "importer", "importer": "exporter"}


FIRST_YEAR, LAST_YEAR = 1900, 2199


def parse_period(text: str, field_name: str = "period") -> tuple[int, int]:
    """'2013-2017', '2013-17', '2013–2017' or '2017' -> (first year, last year)."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–/]\s*(\d{2}|\d{4}))?\s*", str(text))
    if not match:
        raise ValidationFailed(f"bad period {text!r}", [Problem("expected YYYY-YYYY, e.g. 2013-2017", field=field_name)])
    first = int(match[1])
    last = int(match[2]) if match[2] and len(match[2]) == 4 else (first // 100 * 100 + int(match[2]) if match[2] else first)
    if last < first:
        raise ValidationFailed(f"bad period {text!r}", [Problem("period ends before it starts", field=field_name)])
    if first < FIRST_YEAR or last > LAST_YEAR:  # SIPRI's data start in 1950: a year 0 or 9999 is a typo
        raise ValidationFailed(f"bad period {text!r}", [Problem(
            f"years must lie between {FIRST_YEAR} and {LAST_YEAR}", field=field_name)])
    return first, last


def period_label(period: tuple[int, int]) -> str:
    return f"{period[0]}-{period[1]}" if period[0] != period[1] else str(period[0])


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationFailed(f"bad role {role!r}", [Problem("expected exporter or importer", field="role")])
    return role


def check_limit(limit: int | None) -> int | None:
    if limit is not None and limit < 0:
        raise ValidationFailed(f"bad limit {limit}", [Problem("expected 0 (all) or more", field="limit")])
    return limit


def _meta(ds: Dataset) -> dict[str, Any]:
    return {"release": ds.release, "generated": ds.generated, "source": FAMILY_LABEL.get(ds.family, ds.family),
            "dataset": ds.id, "convention": CONVENTION}


def _opts(release: str | None, source: str | None) -> str:
    return "".join(f" --{k} {v}" for k, v in (("release", release), ("source", source)) if v)


def _side(role: str) -> tuple[str, str]:
    """(own column, partner column) in flows for a role."""
    return ("supplier", "recipient") if role == "exporter" else ("recipient", "supplier")


def _ranked(rows: list[tuple[str, str, float]], total: float) -> list[dict[str, Any]]:
    """Rows (name, kind, tiv) sorted by TIV; rank only for states (SIPRI's convention)."""
    out, rank = [], 0
    for name, kind, tiv in sorted(rows, key=lambda r: (-r[2], r[0])):
        if kind == "state":
            rank += 1
        out.append({"rank": rank if kind == "state" else None, "name": name, "kind": kind, "tiv": round(tiv, 3),
                    "share": round(tiv / total, 6) if total else None})
    return out


def top(store: Store, role: str, period: str, limit: int | None = 10, release: str | None = None,
        source: str | None = None) -> dict[str, Any]:
    """Largest exporters/importers of a period (states ranked), with share of the world total."""
    role, (first, last), limit = check_role(role), parse_period(period), check_limit(limit)
    ds = store.dataset(release, source)
    cube = store.cube(ds)
    sums = cube.period_totals(role, first, last)
    world = float(sums.sum())
    # Only states are ranked: sort the (few hundred) states by TIV, name; others count in the world total.
    hits = np.flatnonzero((sums > 0) & cube.states)
    rows = [(cube.names[i], "state", float(sums[i])) for i in hits]
    ranked = [r for r in _ranked(rows, world) if r["rank"] is not None]
    listed = ranked[:limit] if limit else ranked
    return {"period": period_label((first, last)), "role": role, **_meta(ds), "world_tiv": round(world, 3),
            "rows": [{"rank": r["rank"], "country": r["name"], "tiv": r["tiv"], "share": r["share"]} for r in listed],
            "query": f"tiewatch arms top --role {role} --period {period_label((first, last))}"
                     f" --limit {limit or 0}{_opts(release, source)}"}


def _total(store: Store, ds: Dataset, role: str, country: str, period: tuple[int, int],
           partner: str | None = None) -> float:
    return float(sum(store.cube(ds).yearly(role, country, period[0], period[1], partner)))


def change(store: Store, country: str, role: str, period_from: str, period_to: str, partner: str | None = None,
           release: str | None = None, source: str | None = None) -> dict[str, Any]:
    """Percent change of a country's exports/imports (or of one pair's flow) between two periods."""
    role = check_role(role)
    p_from, p_to = parse_period(period_from, "from"), parse_period(period_to, "to")
    ds = store.dataset(release, source, needs_flows=partner is not None)
    name = store.resolve(country, ds)
    other = store.resolve(partner, ds, "partner") if partner else None
    tiv_from = _total(store, ds, role, name, p_from, other)
    tiv_to = _total(store, ds, role, name, p_to, other)
    pct = round((tiv_to - tiv_from) / tiv_from * 100, 2) if tiv_from else None
    query = (f"tiewatch arms change --country {_q(name)}{f' --partner {_q(other)}' if other else ''} --role {role} "
             f"--from {period_label(p_from)} --to {period_label(p_to)}{_opts(release, source)}")
    return {"country": name, "partner": other, "role": role, "from": period_label(p_from),
            "to": period_label(p_to), "tiv_from": round(tiv_from, 3), "tiv_to": round(tiv_to, 3),
            "change_pct": pct, **_meta(ds), "query": query}


def partner_rows(store: Store, ds: Dataset, role: str, country: str, period: tuple[int, int]) -> list[dict]:
    cube = store.cube(ds)
    idx, sums = cube.partner_sums(role, country, *period)
    rows = [(cube.names[i], cube.kinds[i], float(v)) for i, v in zip(idx, sums) if v > 0]
    return _ranked(rows, sum(r[2] for r in rows))


def partners(store: Store, country: str, role: str, period: str, limit: int | None = None,
             release: str | None = None, source: str | None = None) -> dict[str, Any]:
    """Where a supplier's exports went (role exporter) or where a recipient's imports came from."""
    role, span, limit = check_role(role), parse_period(period), check_limit(limit)
    ds = store.dataset(release, source, needs_flows=True)
    name = store.resolve(country, ds)
    rows = partner_rows(store, ds, role, name, span)
    total = sum(r["tiv"] for r in rows)
    listed = rows[:limit] if limit else rows
    return {"country": name, "role": role, "period": period_label(span), **_meta(ds), "total_tiv": round(total, 3),
            "rows": [{"rank": r["rank"], "partner": r["name"], "kind": r["kind"], "tiv": r["tiv"], "share": r["share"]}
                     for r in listed],
            "query": f"tiewatch arms partners --country {_q(name)} --role {role} --period {period_label(span)}"
                     f"{_opts(release, source)}"}


def rank(store: Store, supplier: str, recipient: str, period: str, among: str = "suppliers",
         release: str | None = None, source: str | None = None) -> dict[str, Any]:
    """Rank of a supplier among a recipient's suppliers (among='suppliers'), or of the recipient among
    the supplier's recipients (among='recipients'). States only are ranked."""
    if among not in ("suppliers", "recipients"):
        raise ValidationFailed("bad --among", [Problem("expected suppliers or recipients", field="among")])
    span = parse_period(period)
    ds = store.dataset(release, source, needs_flows=True)
    sup, rec = store.resolve(supplier, ds, "supplier"), store.resolve(recipient, ds, "recipient")
    base, target = (rec, sup) if among == "suppliers" else (sup, rec)
    rows = partner_rows(store, ds, "importer" if among == "suppliers" else "exporter", base, span)
    hit = next((r for r in rows if r["name"] == target), None)
    states = sum(1 for r in rows if r["rank"] is not None)
    return {"supplier": sup, "recipient": rec, "period": period_label(span), "among": among,
            "rank": hit["rank"] if hit else None, "tiv": hit["tiv"] if hit else 0.0,
            "share": hit["share"] if hit else 0.0, "of": states, **_meta(ds),
            "query": f"tiewatch arms rank --supplier {_q(sup)} --recipient {_q(rec)} --period {period_label(span)}"
                     f"{' --among recipients' if among == 'recipients' else ''}{_opts(release, source)}"}


def series(store: Store, country: str, role: str, period: str | None = None, partner: str | None = None,
           release: str | None = None, source: str | None = None) -> dict[str, Any]:
    """Yearly TIV of a country's exports/imports, or of one pair; missing years are 0."""
    role = check_role(role)
    ds = store.dataset(release, source, needs_flows=partner is not None)
    name = store.resolve(country, ds)
    other = store.resolve(partner, ds, "partner") if partner else None
    first, last = parse_period(period) if period else (ds.first_year or 1950, ds.last_year or 1950)
    values = store.cube(ds).yearly(role, name, first, last, other)
    points = [{"year": y, "tiv": round(v, 3)} for y, v in zip(range(first, last + 1), values)]
    return {"country": name, "partner": other, "role": role, "period": period_label((first, last)), **_meta(ds),
            "points": points,
            "query": f"tiewatch arms series --country {_q(name)}{f' --partner {_q(other)}' if other else ''} "
                     f"--role {role} --period {period_label((first, last))}{_opts(release, source)}"}


def categories(store: Store, country: str, role: str, period: str, release: str | None = None) -> dict[str, Any]:
    """TIV by weapon description (Trade Register only: TIV tables have no categories)."""
    role, span = check_role(role), parse_period(period)
    ds = store.dataset(release, "register", needs_flows=True)
    name = store.resolve(country, ds)
    rows = store.categories(ds).sums(role, name, *span)
    total = sum(r[1] for r in rows)
    return {"country": name, "role": role, "period": period_label(span), **_meta(ds),
            "rows": [{"category": c, "tiv": round(t, 3), "share": round(t / total, 6) if total else None}
                     for c, t in rows],
            "query": f"tiewatch arms categories --country {_q(name)} --role {role} --period {period_label(span)}"
                     f" --source register{_opts(release, None)}"}


def releases(store: Store) -> dict[str, Any]:
    """What is loaded: one entry per dataset, with its files and the default choice."""
    default = store.dataset().id if store.datasets else None
    items = []
    for ds in sorted(store.datasets.values(), key=lambda d: (d.release, d.family)):
        files = [f for f in store.files if f.dataset == ds.id]
        items.append({**ds.describe(), "default": ds.id == default, "has_pairs": ds.has_flows,
                      "years": [ds.first_year, ds.last_year], "files": [
                          {"file": f.path, "format": f.fmt, "generated": f.generated, "release_basis": f.release_basis,
                           "flows": f.flows, "deals": f.deals, "split_records_rejoined": f.split_records,
                           "unlisted_names": f.unlisted_names} for f in files]})
    return {"default": default, "datasets": items}


def _q(name: str) -> str:
    """Quote a name for a shell command line when needed."""
    return f"'{name}'" if re.search(r"[^\w.-]", name) else name
