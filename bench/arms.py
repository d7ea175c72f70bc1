"""Benchmark of the arms engine on SIPRI's real files, beside a straightforward pandas version.

Run: .venv/bin/python bench/arms.py [--data ../shared/data/sipri] [--repeat 20]

Each line: what was timed, tiewatch (DuckDB + Parquet cache) time, pandas time measured in the same
process, and the ratio pandas / tiewatch. Both sides compute the same figures (checked: the script
asserts the answers agree). Targets: warm load < 100 ms, each query < 10 ms, >= 3x pandas.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tiewatch.arms.engine import factsheet
from tiewatch.arms.engine import queries as q
from tiewatch.arms.engine.countries import countries
from tiewatch.arms.engine.datasets import Store

PERIOD, EARLY = "2013-2017", "2008-2012"


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time in ms over `repeat` runs, and the last result."""
    wall, _cpu, result = timed_cpu(fn, repeat)
    return wall, result


def timed_cpu(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median wall time and median CPU time of the process (all threads) in ms, and the last result."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    return statistics.median(times), statistics.median(cpu), result


# --- the pandas baseline: read the same files and compute the same figures ----------------------------


def _canon_map() -> Callable[[pd.Series], pd.Series]:
    table = countries()
    cache: dict[str, str] = {}

    def canon(s: pd.Series) -> pd.Series:
        return s.map(lambda n: cache.setdefault(n, table.canonical(str(n))))
    return canon


def pandas_load(data: Path) -> dict[str, pd.DataFrame]:
    """Flows of the 2022 tables (per-exporter files + stacked long files, de-duplicated), the 2018 totals
    and the 2026 Trade Register allocated evenly over delivery years - what the store holds."""
    canon = _canon_map()
    frames = []
    for path in sorted((data / "tiv_export_tables_2022-07-28_360info").glob("*.csv")):
        exporter = pd.read_csv(path, skiprows=0, nrows=0, encoding="latin-1").columns[0]
        exporter = exporter.split("exports from ", 1)[1].rsplit(",", 1)[0]
        wide = pd.read_csv(path, skiprows=10, encoding="latin-1", on_bad_lines="skip").rename(columns={"Unnamed: 0": "recipient"})
        wide = wide[wide["recipient"].notna() & (wide["recipient"] != "Total")].drop(columns="Total")
        long = wide.melt(id_vars="recipient", var_name="year", value_name="tiv").dropna()
        long["supplier"], long["prio"] = exporter, 0
        frames.append(long)
    for name, own, other in (("export_tiv.csv", "Export_From", "Import_To"), ("import_tiv.csv", "Import_To", "Export_From")):
        df = pd.read_csv(data / "tiv_pairs_2022_lajh87" / name)
        df = df[(df[own] != "All") & (df[other] != "Total") & (df["Year"] != "Total")]
        sup, rec = ("Export_From", "Import_To")
        frames.append(pd.DataFrame({"supplier": df[sup], "recipient": df[rec], "year": df["Year"], "tiv": df["TIV"],
                                    "prio": 1 if name.startswith("export") else 2}))
    flows = pd.concat(frames, ignore_index=True)
    flows["year"] = flows["year"].astype(int)
    flows["supplier"], flows["recipient"] = canon(flows["supplier"]), canon(flows["recipient"])
    flows = flows.sort_values("prio").drop_duplicates(["supplier", "recipient", "year"])[
        ["supplier", "recipient", "year", "tiv"]]
    for path in sorted((data / "tiv_totals_2018-12-05_dodomoon").glob("*.csv")):  # same files as the store
        totals = pd.read_csv(path, skiprows=10, encoding="latin-1", on_bad_lines="skip")
        totals.melt(id_vars=totals.columns[0], var_name="year", value_name="tiv").dropna()
    trs = {p.name: _pandas_tr(p, canon) for p in sorted((data / "trade_register").glob("*.csv"))}
    return {"flows": flows, "tr": next(v for k, v in trs.items() if "2026" in k)}


def _pandas_tr(tr_path: Path, canon: Callable[[pd.Series], pd.Series]) -> pd.DataFrame:
    """A Trade Register, delivered TIV split evenly over delivery years (split records are not re-joined:
    pandas fills the short rows with NaN, a silent misread the store does not make)."""
    text = tr_path.read_bytes().decode("latin-1").split("\n", 11)[11]
    tr = pd.read_csv(io.StringIO(text), dtype=str)
    tr = tr[tr["Year(s) of delivery"].notna() & tr["SIPRI TIV of delivered weapons"].notna()]
    years = tr["Year(s) of delivery"].str.split("; ")
    tr = tr.assign(year=years, n=years.str.len()).explode("year")
    return pd.DataFrame({"supplier": canon(tr["Supplier"]), "recipient": canon(tr["Recipient"]),
                         "year": tr["year"].astype(int),
                         "tiv": tr["SIPRI TIV of delivered weapons"].astype(float) / tr["n"],
                         "category": tr["Weapon description"]})


def pandas_top(flows: pd.DataFrame, kinds: dict[str, str], role: str, first: int, last: int) -> pd.DataFrame:
    col = "supplier" if role == "exporter" else "recipient"
    sel = flows[(flows["year"] >= first) & (flows["year"] <= last)]
    totals = sel.groupby(col)["tiv"].sum()
    totals = totals[totals > 0]
    world = totals.sum()
    states = totals[[kinds.get(n, "state") == "state" for n in totals.index]].sort_values(ascending=False)
    return pd.DataFrame({"tiv": states, "share": states / world})


def pandas_change(flows: pd.DataFrame, country: str, role: str, p0: tuple[int, int], p1: tuple[int, int],
                  partner: str | None = None) -> float | None:
    """Percent change; None when the first period has no transfers (as the engine's `change_pct`)."""
    own, other = ("supplier", "recipient") if role == "exporter" else ("recipient", "supplier")
    sel = flows[flows[own] == country]
    if partner:
        sel = sel[sel[other] == partner]
    a = sel[(sel["year"] >= p0[0]) & (sel["year"] <= p0[1])]["tiv"].sum()
    b = sel[(sel["year"] >= p1[0]) & (sel["year"] <= p1[1])]["tiv"].sum()
    return round(float((b - a) / a * 100), 2) if a else None


def pandas_partners(flows: pd.DataFrame, country: str, role: str, first: int, last: int) -> pd.Series:
    own, other = ("supplier", "recipient") if role == "exporter" else ("recipient", "supplier")
    sel = flows[(flows[own] == country) & (flows["year"] >= first) & (flows["year"] <= last)]
    out = sel.groupby(other)["tiv"].sum()
    out = out[out > 0].sort_values(ascending=False)
    return out / out.sum()


def pandas_rank(flows: pd.DataFrame, kinds: dict[str, str], supplier: str, recipient: str, first: int,
                last: int) -> int:
    shares = pandas_partners(flows, recipient, "importer", first, last)
    states = [n for n in shares.index if kinds.get(n, "state") == "state"]
    return states.index(supplier) + 1


def pandas_series(flows: pd.DataFrame, country: str, role: str, first: int, last: int) -> list[float]:
    col = "supplier" if role == "exporter" else "recipient"
    sel = flows[(flows[col] == country) & (flows["year"] >= first) & (flows["year"] <= last)]
    return sel.groupby("year")["tiv"].sum().reindex(range(first, last + 1), fill_value=0).tolist()


def pandas_factsheet(flows: pd.DataFrame, tr: pd.DataFrame, kinds: dict[str, str], country: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for role in ("exporter", "importer"):
        top = pandas_top(flows, kinds, role, 2013, 2017)
        out[role] = {"rank": (list(top.index).index(country) + 1) if country in top.index else None,
                     "partners": pandas_partners(flows, country, role, 2013, 2017),
                     "series": pandas_series(flows, country, role, 2008, 2017)}
        out[role]["change"] = pandas_change(flows, country, role, (2008, 2012), (2013, 2017))
        col = "supplier" if role == "exporter" else "recipient"
        sel = tr[(tr[col] == country) & (tr["year"] >= 2013) & (tr["year"] <= 2017)]
        out[role]["categories"] = sel.groupby("category")["tiv"].sum().sort_values(ascending=False)
    return out


# --- the benchmark ------------------------------------------------------------------------------------


def row(label: str, ours: float, theirs: float | None, note: str = "") -> str:
    ratio = f"{theirs / ours:6.1f}x" if theirs else "     -"
    base = f"{theirs:10.2f}" if theirs is not None else "         -"
    return f"| {label:<44} | {ours:10.2f} | {base} | {ratio} | {note}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "sipri"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    data, rep = Path(args.data), args.repeat
    kinds = {c.name: c.kind for c in countries().by_name.values()}

    lines = [f"| {'step (ms, median)':<44} | {'tiewatch':>10} | {'pandas':>10} | {'ratio':>7} | note",
             f"|{'-' * 46}|{'-' * 12}|{'-' * 12}|{'-' * 9}|-----"]
    with tempfile.TemporaryDirectory() as tmp:
        runs = iter(range(10**6))
        # Cold: a new, empty cache folder each run (median of 3); the last one is kept for the warm runs.
        cold, cold_cpu, _ = timed_cpu(lambda: Store.open([data], Path(tmp) / f"cold-{next(runs)}"), 3)
        (Path(tmp) / "cache").symlink_to(Path(tmp) / f"cold-{next(runs) - 1}")
        pd_load, pd_cpu, frames = timed_cpu(lambda: pandas_load(data), 3)
        lines.append(row("cold load: parse all files + write cache (3 runs)", cold, pd_load,
                         "same 141 files; ours also validates every cell, writes the cache"))
        lines.append(row("  cold load, CPU time (all threads)", cold_cpu, pd_cpu,
                         "process CPU time: less sensitive to other load on the machine"))
        warm, store = timed(lambda: Store.open([data], Path(tmp) / "cache"), rep)
        snap = store.snapshot
        pq_warm, _ = timed(lambda: {t: pd.read_parquet(snap / f"{t}.parquet") for t in ("flows", "ctotals")}, rep)
        lines.append(row("warm load: from the Parquet cache", warm, pd_load, "pandas has no cache: re-reads CSVs"))
        lines.append(row("  (reference: pandas read_parquet of snapshot)", warm, pq_warm, "tables only, no checks"))

        def open_and_query() -> Any:
            fresh = Store.open([data], Path(tmp) / "cache")
            return q.top(fresh, "exporter", PERIOD)
        first, _ = timed(open_and_query, rep)
        lines.append(row("warm load + first query (builds running totals)", first, pd_load,
                         "pandas: CSV load, then the query is extra"))
        cli = [sys.executable, "-m", "tiewatch.cli", "arms", "top", "--role", "exporter", "--period", PERIOD,
               "--data", str(data), "--cache", str(Path(tmp) / "cache"), "--json"]
        cli_ms, _ = timed(lambda: subprocess.run(cli, check=True, capture_output=True, cwd=ROOT), max(3, rep // 5))
        lines.append(row("`tiewatch arms top` CLI, new process", cli_ms, None, "incl. Python start-up and imports"))

        flows = frames["flows"]
        ds = store.dataset()
        assert ds.id == "2022-03 tables"
        queries: list[tuple[str, Callable[[], Any], Callable[[], Any], Callable[[Any, Any], bool]]] = [
            ("top --role exporter --period 2013-2017",
             lambda: q.top(store, "exporter", PERIOD),
             lambda: pandas_top(flows, kinds, "exporter", 2013, 2017).head(10),
             lambda a, b: [r["country"] for r in a["rows"]] == list(b.index)),
            ("change --country Israel --role exporter",
             lambda: q.change(store, "Israel", "exporter", EARLY, PERIOD),
             lambda: pandas_change(flows, "Israel", "exporter", (2008, 2012), (2013, 2017)),
             lambda a, b: abs(a["change_pct"] - b) < 0.01),
            ("change --country India --partner Israel --role importer",
             lambda: q.change(store, "India", "importer", EARLY, PERIOD, partner="Israel"),
             lambda: pandas_change(flows, "India", "importer", (2008, 2012), (2013, 2017), "Israel"),
             lambda a, b: abs(a["change_pct"] - b) < 0.01),
            ("partners --country Israel --role exporter",
             lambda: q.partners(store, "Israel", "exporter", PERIOD),
             lambda: pandas_partners(flows, "Israel", "exporter", 2013, 2017),
             lambda a, b: abs(a["rows"][0]["share"] - b.iloc[0]) < 1e-6),
            ("rank --supplier Israel --recipient Azerbaijan",
             lambda: q.rank(store, "Israel", "Azerbaijan", PERIOD),
             lambda: pandas_rank(flows, kinds, "Israel", "Azerbaijan", 2013, 2017),
             lambda a, b: a["rank"] == b),
            ("series --country Israel --role exporter",
             lambda: q.series(store, "Israel", "exporter", "2008-2017"),
             lambda: pandas_series(flows, "Israel", "exporter", 2008, 2017),
             lambda a, b: [p["tiv"] for p in a["points"]] == b),
        ]
        for label, ours_fn, theirs_fn, same in queries:
            ours, a = timed(ours_fn, rep)
            theirs, b = timed(theirs_fn, rep)
            assert same(a, b), label
            lines.append(row(label, ours, theirs))
        ours, a = timed(lambda: q.top(store, "exporter", PERIOD, source="register"), rep)
        tr = frames["tr"]
        theirs, b = timed(lambda: pandas_top(tr, kinds, "exporter", 2013, 2017).head(10), rep)
        assert [r["country"] for r in a["rows"]] == list(b.index)
        lines.append(row("top --source register (TR 2026)", ours, theirs))

        names = list(store.countries_in(ds))
        t0 = time.perf_counter()
        for name in names:
            factsheet.to_html(factsheet.build(store, name, PERIOD, EARLY))
        ours = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        for name in names:
            pandas_factsheet(flows, tr, kinds, name)
        theirs = (time.perf_counter() - t0) * 1000
        lines.append(row(f"fact sheets, all {len(names)} countries (total)", ours, theirs,
                         "both: ranks, change, partners, series, TR categories; ours also renders HTML + SVG"))
        lines.append(row("  per fact sheet", ours / len(names), theirs / len(names)))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
