#!/usr/bin/env python
"""Input-layer benchmark: the registry's bundle readers (`read_files`) before and after the core
input layer (tiewatch.core.inputs), on the same generated bundle, in the same run.

The baseline is the readers module as it was at a given commit (default: db7dec4, the last commit
before the input layer), loaded from git into a temporary module; the current one is this tree's.
Each reader reads the same files; runs alternate (baseline, current) `--repeat` times and the best
of each is reported (CPU and wall), read as `import_bundle` reads (cyclic garbage collector off). Ratio = baseline / current (> 1: the current readers are faster).

    .venv/bin/python bench/inputs.py                      # 200,000 ties as JSON lines, plus YAML and JSON
    .venv/bin/python bench/inputs.py --ties 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from registry import generate  # bench/registry.py: the same bundle as the import benchmark

READERS = "tiewatch/registry/importers/readers.py"


def module_from(path: Path, name: str) -> ModuleType:
    """The readers module alone (importing its package would set up Django)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def baseline_module(ref: str, folder: Path) -> ModuleType:
    source = subprocess.run(["git", "-C", str(REPO), "show", f"{ref}:{READERS}"],
                            check=True, capture_output=True, text=True).stdout
    path = folder / "baseline_readers.py"
    path.write_text(source, encoding="utf-8")
    return module_from(path, "baseline_readers")


def documents(jsonl_folder: Path, out: Path, n_ties: int) -> dict[str, list[Path]]:
    """The first `n_ties` ties (and every entity and source) as one YAML and one JSON document."""
    sections: dict[str, list[dict[str, Any]]] = {"sources": [], "entities": [], "ties": []}
    for path in sorted(jsonl_folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            kind = record.pop("type")
            if kind != "ties" or len(sections["ties"]) < n_ties:
                sections[kind].append(record)
    yaml_path, json_path = out / "bundle.yaml", out / "bundle.json"
    import yaml

    yaml_path.write_text(yaml.safe_dump(sections, sort_keys=False, width=200), encoding="utf-8")
    json_path.write_text(json.dumps(sections, indent=1), encoding="utf-8")
    return {"yaml": [yaml_path], "json": [json_path]}


def timed(module: ModuleType, files: list[Path]) -> tuple[float, float, int]:
    gc.collect()
    gc.disable()  # as import_bundle reads: with the cyclic collector off
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        result = module.read_files(files, 10**12)
    finally:
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        gc.enable()
    assert not result.problems, result.problems[:3]
    return wall, cpu, len(result.records)


def compare(label: str, baseline: ModuleType, current: ModuleType, files: list[Path], repeat: int) -> dict[str, Any]:
    best: dict[str, tuple[float, float, int]] = {}
    for _ in range(repeat):
        for name, module in (("baseline", baseline), ("current", current)):
            run = timed(module, files)
            if name not in best or run[0] < best[name][0]:
                best[name] = run
    (bw, bc, records), (cw, cc, records_now) = best["baseline"], best["current"]
    assert records == records_now, (records, records_now)
    print(f"{label}: {records:,} records; baseline {bw:.2f} s wall / {bc:.2f} s CPU "
          f"({records / bw:,.0f} records/s); current {cw:.2f} s / {cc:.2f} s ({records / cw:,.0f} records/s); "
          f"ratio baseline/current {bw / cw:.2f}x wall, {bc / cc:.2f}x CPU", flush=True)
    return {"format": label, "records": records, "baseline_wall": bw, "baseline_cpu": bc,
            "current_wall": cw, "current_cpu": cc}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ties", type=int, default=200_000)
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--document-ties", type=int, default=20_000, help="ties in the YAML and JSON documents")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-ref", default="db7dec4")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tiewatch-inputs-bench-") as tmp:
        folder = Path(tmp)
        baseline = baseline_module(args.baseline_ref, folder)
        current = module_from(REPO / READERS, "current_readers")
        generate(folder / "jsonl", args.ties, args.entities)
        others = documents(folder / "jsonl", folder, args.document_ties)
        compare("JSON lines", baseline, current, sorted((folder / "jsonl").glob("*.jsonl")), args.repeat)
        compare("YAML", baseline, current, others["yaml"], args.repeat)
        compare("JSON", baseline, current, others["json"], args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
