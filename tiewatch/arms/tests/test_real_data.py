"""Against SIPRI's real files in ../shared/data/sipri (never committed): PROVENANCE.md's figures.

These tests fail (not skip) when the folder is missing.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from tiewatch.arms.engine import queries as q
from tiewatch.arms.engine.datasets import Store
from tiewatch.arms.engine.readers import read_file

EARLY, LATE = "2008-2012", "2013-2017"


def _rank(store: Store, role: str, country: str, release: str) -> int:
    rows = q.top(store, role, LATE, limit=None, release=release)["rows"]
    return next(r["rank"] for r in rows if r["country"] == country)


def _share(store: Store, country: str, role: str, partner: str, release: str) -> float:
    rows = q.partners(store, country, role, LATE, release=release)["rows"]
    return next(r["share"] for r in rows if r["partner"] == partner) * 100


@pytest.mark.parametrize(("name", "deals", "split", "open_orders"), [
    ("trade-register_generated-2026-05-18.csv", 29916, 0, 1220),
    ("trade-register_generated-2025-03-13.csv", 29515, 4, 1166),
    ("trade-register_generated-2024-03-18.csv", 29056, 2, 1105),
])
def test_trade_register_row_counts(sipri_dir: Path, name: str, deals: int, split: int, open_orders: int) -> None:
    p = read_file(sipri_dir / "trade_register" / name)
    assert len(p.deals["line"]) == deals and p.split_records == split
    assert sum(1 for years in p.deals["delivery_years"] if not years) == open_orders


def test_2018_totals_reproduce_the_fact_sheet(sipri_store: Store) -> None:
    assert _rank(sipri_store, "exporter", "Israel", "2018") == 8
    r = q.change(sipri_store, "Israel", "exporter", EARLY, LATE, release="2018")
    assert (r["tiv_from"], r["tiv_to"], r["change_pct"]) == (2743, 4248, pytest.approx(54.9, abs=0.05))
    assert r["release"] == "2018-03" and r["generated"] == "2018-12-05"
    assert _rank(sipri_store, "importer", "Israel", "2018") == 17
    r = q.change(sipri_store, "Israel", "importer", EARLY, LATE, release="2018")
    assert (r["tiv_from"], r["tiv_to"], r["change_pct"]) == (1101, 2476, pytest.approx(124.9, abs=0.05))


def test_2022_tables_validation_column(sipri_store: Store) -> None:
    rel = "2022"
    assert _rank(sipri_store, "exporter", "Israel", rel) == 7 and _rank(sipri_store, "exporter", "Spain", rel) == 8
    r = q.change(sipri_store, "Israel", "exporter", EARLY, LATE, release=rel)
    assert (r["tiv_from"], r["tiv_to"], r["change_pct"]) == (2775, 4343, pytest.approx(56.5, abs=0.05))
    assert _share(sipri_store, "Israel", "exporter", "India", rel) == pytest.approx(47.8, abs=0.05)
    for recipient, rank, share in [("Vietnam", 2, 8.5), ("Azerbaijan", 2, 29.5), ("South Korea", 3, 4.6),
                                   ("Italy", 3, 7.2), ("United Kingdom", 3, 4.1), ("India", 3, 11.6)]:
        r = q.rank(sipri_store, "Israel", recipient, LATE, release=rel)
        assert (r["rank"], round(r["share"] * 100, 1)) == (rank, share), recipient
    r = q.change(sipri_store, "India", "importer", EARLY, LATE, partner="Israel", release=rel)
    assert (r["tiv_from"], r["tiv_to"], r["change_pct"]) == (553, 2077, pytest.approx(275.6, abs=0.05))
    assert _rank(sipri_store, "importer", "Israel", rel) == 16
    r = q.change(sipri_store, "Israel", "importer", EARLY, LATE, release=rel)
    assert (r["tiv_from"], r["tiv_to"], r["change_pct"]) == (1122, 2587, pytest.approx(130.6, abs=0.05))
    assert _share(sipri_store, "Israel", "importer", "United States", rel) == pytest.approx(54.8, abs=0.05)
    assert _share(sipri_store, "Israel", "importer", "Germany", rel) == pytest.approx(35.3, abs=0.05)


def test_2022_sipri_total_rows_give_the_bracketed_figures(sipri_store: Store) -> None:
    """PROVENANCE's [+56.8%] and [+130.9%]: the same change from SIPRI's own Total rows."""
    def stated(role: str, first: int, last: int) -> float:
        row = sipri_store.con.execute(
            "SELECT sum(tiv) FROM stated WHERE dataset = '2022-03 tables' AND role = ? AND country = 'Israel' "
            "AND partner = '' AND year BETWEEN ? AND ?", [role, first, last]).fetchall()[0]
        return float(row[0])
    exp = stated("exporter", 2013, 2017) / stated("exporter", 2008, 2012) * 100 - 100
    imp = stated("importer", 2013, 2017) / stated("importer", 2008, 2012) * 100 - 100
    assert (round(exp, 1), round(imp, 1)) == (56.8, 130.9)


@pytest.mark.parametrize(("release", "exp_change", "india_share", "imp_rank", "imp_change", "usa", "germany"), [
    ("2026", 39.4, 41.0, 15, 98.3, 59.4, 31.1),
    ("2025", 43.1, 40.4, None, 93.1, 58.2, 32.0),
    ("2024", 42.7, 40.0, None, 94.2, 58.1, 32.1),
])
def test_trade_register_validation_column(sipri_store: Store, release: str, exp_change: float, india_share: float,
                                          imp_rank: int | None, imp_change: float, usa: float,
                                          germany: float) -> None:
    assert _rank(sipri_store, "exporter", "Israel", release) == 7
    r = q.change(sipri_store, "Israel", "exporter", EARLY, LATE, release=release)
    assert r["change_pct"] == pytest.approx(exp_change, abs=0.05) and r["dataset"] == f"{release}-03 register"
    assert _share(sipri_store, "Israel", "exporter", "India", release) == pytest.approx(india_share, abs=0.05)
    if imp_rank:
        assert _rank(sipri_store, "importer", "Israel", release) == imp_rank
    r = q.change(sipri_store, "Israel", "importer", EARLY, LATE, release=release)
    assert r["change_pct"] == pytest.approx(imp_change, abs=0.05)
    assert _share(sipri_store, "Israel", "importer", "United States", release) == pytest.approx(usa, abs=0.05)
    assert _share(sipri_store, "Israel", "importer", "Germany", release) == pytest.approx(germany, abs=0.05)


def test_trade_register_2026_ranks_among_suppliers(sipri_store: Store) -> None:
    expected = {"Vietnam": 2, "Azerbaijan": 2, "South Korea": 3, "Italy": 3, "UK": 4, "India": 3}
    got = {c: q.rank(sipri_store, "Israel", c, LATE, release="2026")["rank"] for c in expected}
    assert got == expected
    r = q.change(sipri_store, "India", "importer", EARLY, LATE, partner="Israel", release="2026")
    assert r["change_pct"] == pytest.approx(173.8, abs=0.05)


def test_computed_totals_match_each_tables_total_columns(sipri_dir: Path) -> None:
    """Every per-exporter table: partner rows vs the Total column, year columns vs the Total row.

    SIPRI computes totals from unrounded values, so a sum of n rounded cells may differ by up to n/2."""
    checked = 0
    for path in sorted((sipri_dir / "tiv_export_tables_2022-07-28_360info").glob("*.csv")):
        p = read_file(path)
        by_partner: dict[str, float] = defaultdict(float)
        by_year: dict[int, float] = defaultdict(float)
        cells: dict[str, int] = defaultdict(int)
        for rec, year, tiv in zip(p.flows["recipient"], p.flows["year"], p.flows["tiv"]):
            by_partner[rec] += tiv
            by_year[year] += tiv
            cells[rec] += 1
        # Two SIPRI rows can share one canonical name (North Yemen / Yemen Arab Republic): sum them too.
        stated: dict[tuple[str, int | None], float] = defaultdict(float)
        for partner, year, tiv in zip(p.totals["partner"], p.totals["year"], p.totals["tiv"]):
            stated[(partner, year)] += tiv
        for (partner, year), tiv in stated.items():
            if partner and year is None:
                assert abs(by_partner[partner] - tiv) <= cells[partner] / 2 + 0.5, (path.name, partner)
            elif not partner and year is not None:
                assert abs(by_year[year] - tiv) <= len(by_partner) / 2 + 0.5, (path.name, year)
            checked += 1
    assert checked > 3000


def test_2018_totals_rows_match_total_column_and_row(sipri_dir: Path) -> None:
    for path in (sipri_dir / "tiv_totals_2018-12-05_dodomoon").glob("*.csv"):
        p = read_file(path)
        rows = list(zip(p.totals["country"], p.totals["year"], p.totals["tiv"]))
        per_country: dict[str, float] = defaultdict(float)
        n: dict[str, int] = defaultdict(int)
        for country, year, tiv in rows:
            if country and year is not None:
                per_country[country] += tiv
                n[country] += 1
        for country, year, tiv in rows:
            if country and year is None:
                assert abs(per_country[country] - tiv) <= n[country] / 2 + 0.5, country
        world = sum(t for c, y, t in rows if c == "" and y is None)
        assert abs(sum(per_country.values()) - world) <= world * 0.001


def test_2022_store_totals_match_sipri_all_table(sipri_store: Store) -> None:
    """Exporter totals summed from pair cells vs SIPRI's 'exports from All' table (lajh87), per year."""
    rows = sipri_store.con.execute("""
        SELECT c.year, sum(c.tiv), any_value(s.tiv) FROM ctotals c
        JOIN stated s ON s.dataset = c.dataset AND s.role = 'exporter' AND s.country = '' AND s.partner = ''
                     AND s.year = c.year
        WHERE c.dataset = '2022-03 tables' AND c.role = 'exporter' GROUP BY c.year""").fetchall()
    assert len(rows) == 72
    for year, computed, stated in rows:
        assert abs(computed - stated) <= max(60, stated * 0.01), year


def test_2022_sources_agree_except_four_cells(sipri_dir: Path) -> None:
    """PROVENANCE: the stacked 2a tables and the 2b per-exporter files differ in 4 cells only."""
    long = read_file(sipri_dir / "tiv_pairs_2022_lajh87" / "export_tiv.csv")
    a = {(s, r, y): t for s, r, y, t in zip(long.flows["supplier"], long.flows["recipient"], long.flows["year"],
                                             long.flows["tiv"])}
    b: dict[tuple, float] = {}
    for path in (sipri_dir / "tiv_export_tables_2022-07-28_360info").glob("*.csv"):
        p = read_file(path)
        b.update({(s, r, y): t for s, r, y, t in zip(p.flows["supplier"], p.flows["recipient"], p.flows["year"],
                                                      p.flows["tiv"])})
    diff = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    assert diff == {("France", "United Arab Emirates", 1977), ("France", "United Arab Emirates", 1978),
                    ("France", "Afghanistan", 1977), ("France", "Afghanistan", 1978)}


def test_fact_sheet_claims_file(sipri_store: Store) -> None:
    from tiewatch.arms.engine.claims import check_file

    path = Path(__file__).resolve().parents[1] / "fixtures" / "israel-2018-factsheet-claims.yaml"
    status = {r["id"]: r["status"] for r in check_file(sipri_store, path)["results"]}
    assert status == {
        "exporter-rank": "holds", "exports-change": "holds", "india-share": "differs",
        "azerbaijan-second": "holds", "india-third": "holds", "india-imports-change": "differs",
        "importer-rank": "holds", "imports-change": "holds", "usa-share-2018": "cannot_check"}
