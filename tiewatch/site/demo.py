"""The steps of `tiewatch demo load` after the bundled records: a bounded slice of the real shared data
beside the checkout, the screening run the policy, entity and home pages show, and the arms data.

The shared data (settings.TIEWATCH_DEMO_DATA, by default ../shared/data relative to the checkout) is read
where it lies, never copied into the repository. When it is there, the demo imports:
- one state's rows of the DLA LESO release (North Carolina, the Durham story's state: 3,083 rows), through
  the same `datasets import leso` machinery, so the equipment law packs (EO 13688 ...) give real verdicts;
- the newest SIPRI Trade Register, through `datasets import sipri_register`, so the countries' pages
  (Israel, the United States ...) show their arms transfers.
A file already imported (same SHA-256) is not imported again, so a reload leaves the ties it wrote, and any
edit made to them since, alone. Without the shared data the demo runs on its bundled records alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

LESO_SLICE = Path("leso") / "dla_leso_merged_2021-03-31_barbh1307" / "NC_leso.tsv"
REGISTERS = Path("sipri") / "trade_register"


@dataclass(frozen=True, slots=True)
class SharedSlice:
    dataset: str
    path: Path | None  # None: not found beside the checkout
    wanted: str  # what was looked for, for the message


def shared_root() -> Path | None:
    root = getattr(settings, "TIEWATCH_DEMO_DATA", "")
    return Path(root) if root and Path(root).is_dir() else None


def newest_register(root: Path) -> Path | None:
    """The Trade Register export of the newest release (the file names carry the generation date)."""
    found = sorted((root / REGISTERS).glob("trade-register_generated-*.csv")) if (root / REGISTERS).is_dir() else []
    return found[-1] if found else None


def shared_slices() -> list[SharedSlice]:
    root = shared_root()
    leso = root / LESO_SLICE if root is not None else None
    return [SharedSlice("leso", leso if leso is not None and leso.is_file() else None, str(LESO_SLICE)),
            SharedSlice("sipri_register", newest_register(root) if root is not None else None,
                        str(REGISTERS / "trade-register_generated-*.csv"))]


def already_imported(dataset: str, path: Path) -> bool:
    from tiewatch.datasets.importer import sha256_of
    from tiewatch.datasets.models import ImportRun

    digest = sha256_of(path)
    return any(f.get("sha256") == digest for run in ImportRun.objects.filter(dataset=dataset)
               for f in run.files if isinstance(f, dict))


def import_shared() -> int:
    """Import each shared slice not imported before; the number of ties created or updated."""
    from tiewatch.datasets.importer import import_dataset

    changed = 0
    for item in shared_slices():
        if item.path is None:
            print(f"{item.dataset}: no shared file ({item.wanted}) beside the checkout; skipped")
            continue
        if already_imported(item.dataset, item.path):
            print(f"{item.dataset}: {item.path.name} already imported")
            continue
        report = import_dataset(item.dataset, item.path, actor="demo")
        ties = report.ties
        changed += ties.created + ties.updated
        print(f"{item.dataset}: {item.path.name}: {report.rows:,} rows; ties {ties.created:,} created, "
              f"{ties.updated:,} updated; entities {report.linked:,} linked, {report.created:,} created")
    if changed:
        refresh_statistics()
    return changed


def refresh_statistics() -> None:
    """PostgreSQL plans the pages' queries from table statistics, which autovacuum refreshes only some
    time after a big import: until then an entity page of 30,000 fresh ties was planned as if the
    tables were empty (minutes, not milliseconds). ANALYZE them now. SQLite needs nothing."""
    from django.db import connection

    from tiewatch.registry.models import Entity, Tie, TieCounterpart

    if connection.vendor != "postgresql":
        return
    tables = [Tie._meta.db_table, TieCounterpart._meta.db_table, Entity._meta.db_table,
              Tie.sources.through._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def screen(changed: bool) -> None:
    """Screen the registry against the law packs when it has no run yet, when this load changed the
    registry, or when the law packs changed since the last run; else keep the stored run."""
    from tiewatch.policies.models import ScreeningRun
    from tiewatch.policies.services import load_instruments, policy_set_hash, run_screening

    last = ScreeningRun.objects.order_by("-started_at", "-id").first()
    if last is not None and not changed and last.policy_set_hash == policy_set_hash(load_instruments()):
        print("policies: already screened (run `tiewatch screen` to screen again)")
        return
    run, findings = run_screening()
    effects: dict[str, int] = {}
    for finding in findings:
        effects[finding.effect] = effects.get(finding.effect, 0) + 1
    counted = ", ".join(f"{effect.replace('_', ' ')} {n:,}" for effect, n in sorted(effects.items()))
    print(f"policies: screened {run.ties_screened:,} ties, {len(findings):,} finding(s)"
          + (f" ({counted})" if counted else ""))


def arms_data() -> None:
    """Open (and cache) the arms pages' data now, so the first page is fast, and say which it is."""
    from tiewatch.arms.web import shown_path, source

    data = source()
    if data.store is None:
        print(f"arms: data not available: {data.error}")
        return
    releases = sorted({d.release for d in data.store.datasets.values()})
    where = ("the invented demo fixture (pages carry its banner)" if data.demo else
             f"real SIPRI files read from {shown_path(data.shared)}" if data.shared else "TIEWATCH_ARMS_DATA")
    print(f"arms: {where}; releases {', '.join(releases)}")
