"""Analyses on the invented fixtures, where every expected number can be worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiewatch.arms.engine import queries as q
from tiewatch.arms.engine.datasets import Store
from tiewatch.core.errors import NotFound, ValidationFailed

from .conftest import FIXTURES


def test_default_dataset_prefers_tiv_tables(fixture_store: Store) -> None:
    assert fixture_store.dataset().id == "2022-03 tables"
    assert fixture_store.dataset(source="register").id == "2024-03 register"
    assert fixture_store.dataset(release="2018").id == "2018-03 tables"
    assert fixture_store.dataset(release="March 2021").family == "tidy"


def test_top_ranks_states_and_shares_world_total(fixture_store: Store) -> None:
    r = q.top(fixture_store, "exporter", "2013-2017")
    names = [row["country"] for row in r["rows"]]
    assert names == ["Russia", "United States", "Israel", "Germany"]
    # Russia 600+500+450+300+250+200+200 = 2500
    assert r["rows"][0]["tiv"] == 2500
    assert r["world_tiv"] == pytest.approx(sum(row["tiv"] for row in r["rows"]))  # all suppliers are states
    imports = q.top(fixture_store, "importer", "2013-2017", limit=None)
    # the world total includes NATO** (12), Syria rebels* (3) and Unknown recipient(s) (5), which are not ranked
    assert imports["world_tiv"] == pytest.approx(sum(row["tiv"] for row in imports["rows"]) + 20)
    assert r["release"] == "2022-03" and r["generated"] == "2022-07-28"


def test_import_table_cells_are_not_double_counted(fixture_store: Store) -> None:
    r = q.change(fixture_store, "Israel", "importer", "2008-2012", "2013-2017")
    # US 200+150+100+80+70 = 600 plus Germany 50+60 = 110 -> 710, once, though two tables carry them
    assert r["tiv_from"] == 710
    assert r["tiv_to"] == 250 + 300 + 280 + 200 + 250 + 120 + 100 + 90 + 130


def test_change_with_partner_and_percent(fixture_store: Store) -> None:
    r = q.change(fixture_store, "ISR", "exporter", "2008-2012", "2013-17", partner="India")
    assert (r["tiv_from"], r["tiv_to"]) == (400, 1500)
    assert r["change_pct"] == 275.0 and r["partner"] == "India"


def test_partners_shares_and_non_state_unranked(fixture_store: Store) -> None:
    r = q.partners(fixture_store, "United States", "exporter", "2013-2017")
    by_name = {row["partner"]: row for row in r["rows"]}
    assert by_name["NATO**"]["rank"] is None and by_name["Syria rebels*"]["rank"] is None
    assert sum(row["share"] for row in r["rows"]) == pytest.approx(1.0)
    assert by_name["Israel"]["rank"] == 1


def test_rank_and_reverse(fixture_store: Store) -> None:
    r = q.rank(fixture_store, "Israel", "India", "2013-2017")
    # India's suppliers 2013-17: Russia 1550, Israel 1500, US 520
    assert (r["rank"], r["of"]) == (2, 3)
    assert r["share"] == pytest.approx(1500 / 3570, abs=1e-6)
    rev = q.rank(fixture_store, "Israel", "India", "2013-2017", among="recipients")
    assert rev["rank"] == 1


def test_series_fills_missing_years(fixture_store: Store) -> None:
    r = q.series(fixture_store, "Azerbaijan", "importer", "2012-2015", partner="Israel")
    assert [p["tiv"] for p in r["points"]] == [40, 150, 100, 0]


def test_categories_only_from_trade_register(fixture_store: Store) -> None:
    r = q.categories(fixture_store, "Israel", "exporter", "2013-2017")
    assert r["dataset"] == "2024-03 register"
    assert {row["category"]: row["tiv"] for row in r["rows"]} == {"SAM system": 300, "UAV": 100,
                                                                   "air search radar": 40}


def test_totals_only_release(fixture_store: Store) -> None:
    r = q.top(fixture_store, "exporter", "2013-2017", release="2018")
    assert r["rows"][0]["country"] == "Russia" and r["dataset"] == "2018-03 tables"
    with pytest.raises(NotFound, match="totals only"):
        q.partners(fixture_store, "Israel", "exporter", "2013-2017", release="2018")


def test_unknown_country_did_you_mean(fixture_store: Store) -> None:
    with pytest.raises(NotFound, match="did you mean 'Israel'"):
        q.partners(fixture_store, "Isreal", "exporter", "2013-2017")


def test_bad_period_and_role(fixture_store: Store) -> None:
    with pytest.raises(ValidationFailed):
        q.top(fixture_store, "exporter", "2017-2013")
    with pytest.raises(ValidationFailed):
        q.top(fixture_store, "seller", "2013-2017")


def test_warm_load_from_cache_gives_same_answers(tmp_path: Path) -> None:
    cold = Store.open([FIXTURES], tmp_path)
    warm = Store.open([FIXTURES], tmp_path)
    assert warm.snapshot == cold.snapshot
    assert q.top(warm, "importer", "2008-2021", limit=None) == q.top(cold, "importer", "2008-2021", limit=None)
    # small tables live in the snapshot only; the Trade Register (deals) gets its own per-file entry
    assert len(list((tmp_path / "files").iterdir())) == 1 and (cold.snapshot / "files.json").exists()


def test_changed_file_invalidates_cache(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    tidy = data / "t.csv"
    tidy.write_text("supplier,recipient,year,tiv\nIsrael,India,2019,90\n")
    first = q.change(Store.open([data], tmp_path / "c"), "Israel", "exporter", "2019", "2019")
    tidy.write_text("supplier,recipient,year,tiv\nIsrael,India,2019,95\n")
    second = q.change(Store.open([data], tmp_path / "c"), "Israel", "exporter", "2019", "2019")
    assert (first["tiv_to"], second["tiv_to"]) == (90, 95)


def test_missing_path_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        Store.open([tmp_path / "nope"], tmp_path)


def test_saved_running_totals_give_the_same_answers(tmp_path: Path) -> None:
    """A second process reads each dataset's running totals back (numpy files beside the snapshot) without
    reading the snapshot's Arrow tables, and answers exactly as the process that built them."""
    def answers(store: Store) -> list[dict]:
        return [q.top(store, "exporter", "2013-2017", None), q.partners(store, "Israel", "importer", "2008-2021"),
                q.series(store, "India", "importer", "2008-2021", "Israel"),
                q.rank(store, "Israel", "India", "2013-2017", "recipients"), q.top(store, "importer", "2017", 3,
                                                                                  source="register")]
    first = Store.open([FIXTURES], tmp_path)
    built = answers(first)
    second = Store.open([FIXTURES], tmp_path)
    assert answers(second) == built and second._tables is None
    assert sorted(p.name for p in (second.snapshot / "cubes").iterdir()) == ["1-2022-03_tables", "1-2024-03_register"]
