"""What the checks on a signing request's body cost, in-process (no server, no database).

Baseline (same run): `json.loads` of a typical signing body. Measured: the API's checked parse
(`tiewatch.core.json_body.load_json_body`: JSON, depth, NUL and lone-surrogate checks) and the one
signature schema (`validation.validate_signature` over `schemas.SignatureIn`), for a valid body and
for an invalid one (which also collects the fields that passed). Prints microseconds per call, CPU
beside wall, and the ratio to the baseline.

    .venv/bin/python bench/signature_input.py [--rounds 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

VALID = json.dumps({"name": "Ada Lovelace", "email": "ada@example.org", "postal_code": "27701",
                    "address": "101 City Hall Plaza", "city": "Durham", "resident": True, "comment": "",
                    "consent": True, "show_publicly": False}).encode()
INVALID = json.dumps({"name": "A", "email": "ada@example.org", "postal_code": "27701", "consent": False}).encode()


def measure(fn: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """(wall µs, CPU µs) per call, best of three runs."""
    best = (float("inf"), float("inf"))
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(rounds):
            fn()
        run = ((time.perf_counter() - wall) / rounds * 1e6, (time.process_time() - cpu) / rounds * 1e6)
        best = min(best, run)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    args = parser.parse_args()

    import django

    django.setup()
    from tiewatch.campaigns.validation import validate_signature
    from tiewatch.core.json_body import load_json_body

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("baseline: json.loads (valid body)", lambda: json.loads(VALID)),
        ("checked parse (valid body)", lambda: load_json_body(VALID)),
        ("checked parse + SignatureIn (valid)", lambda: validate_signature(load_json_body(VALID))),
        ("checked parse + SignatureIn (invalid)", lambda: validate_signature(load_json_body(INVALID))),
    ]
    base = 0.0
    print(f"{'case':40} {'wall µs':>9} {'CPU µs':>9} {'ratio':>7}")
    for name, fn in cases:
        wall, cpu = measure(fn, args.rounds)
        base = base or wall
        print(f"{name:40} {wall:9.2f} {cpu:9.2f} {wall / base:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
