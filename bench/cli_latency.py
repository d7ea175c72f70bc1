"""Benchmark: how fast `tiewatch` answers from the command line, end to end.

Each command is a fresh process (what a user typing it waits for). The runs are interleaved round
robin with a baseline of `python -c pass` in the same run, so a busy machine slows every command
alike; the report gives, per command, the median wall time, the median CPU time the process used
(user + system, from the children's rusage), and both minus and as a ratio of the baseline's.

    .venv/bin/python bench/cli_latency.py [--runs 15] [--only NAME ...] [--var DIR] [--list]

Commands that read the registry run against a demo database made once in a scratch directory
(`tiewatch migrate` + `tiewatch demo load`), or in `--var DIR` when given (reused if it holds
one). To add a command, append a `Command` to COMMANDS: a name, the argv after `tiewatch`, whether
it needs the demo database, and optional `warm` argvs run once before timing (to fill a cache a
"warm" measurement assumes). Bytecode caching is on (in a scratch cache, filled by one untimed run
of each command), as for any installed program, even where PYTHONDONTWRITEBYTECODE is set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Command:
    name: str
    argv: tuple[str, ...]  # after `tiewatch`; empty for the baseline
    needs_demo_db: bool = False
    warm: tuple[tuple[str, ...], ...] = ()  # run once, untimed, before the timed runs
    target_ms: float | None = None  # end-to-end median wall target, if any


BASELINE = Command("python -c pass", ())
COMMANDS: list[Command] = [
    Command("tiewatch --help", ("--help",)),
    Command("tiewatch check (demo db)",
            ("check", "--subject", "us-nc-durham-police-department",
             "--counterpart", "il-israel-ministry-of-public-security", "--kind", "exchange",
             "--date", "2019-03-01"),
            needs_demo_db=True, target_ms=300),
    Command("tiewatch policies validate (shipped packs)",
            ("policies", "validate", str(ROOT / "tiewatch" / "policies" / "laws"))),
]


@dataclass
class Timings:
    wall: list[float] = field(default_factory=list)  # seconds
    cpu: list[float] = field(default_factory=list)


def tiewatch_argv() -> list[str]:
    """The installed `tiewatch` script next to this Python (what users run), else `-m tiewatch.cli`."""
    script = Path(sys.executable).parent / "tiewatch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tiewatch.cli"]


def argv_of(cmd: Command) -> list[str]:
    if not cmd.argv:
        return [sys.executable, "-c", "pass"]
    return [*tiewatch_argv(), *cmd.argv]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one child process; CPU is its own user + system time."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err}")
    return wall, usage.ru_utime + usage.ru_stime


def base_env() -> dict[str, str]:
    """This checkout first on the path, so its code (not an installed copy) is measured, with
    bytecode caching on (as for any installed program) in a scratch cache, filled by a first run."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="tiewatch-cli-bench-pyc-")
    # Commands refuse to start without a key when DEBUG is off; a throwaway one for the bench's database.
    env.setdefault("SECRET_KEY", "tiewatch-bench-only-throwaway-database")
    return env


def demo_env(var: str | None) -> dict[str, str]:
    env = base_env()
    var_dir = Path(var) if var else Path(tempfile.mkdtemp(prefix="tiewatch-cli-bench-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    env["TIEWATCH_VAR_DIR"] = str(var_dir)
    env.pop("DATABASE_URL", None)  # the scratch SQLite database in var_dir
    if not (var_dir / "tiewatch.sqlite3").exists():
        for step in (("migrate",), ("demo", "load")):
            subprocess.run([*tiewatch_argv(), *step], env=env, check=True,
                           stdout=subprocess.DEVNULL)
    return env


def measure(commands: list[Command], runs: int, env: dict[str, str]) -> dict[str, Timings]:
    for cmd in commands:
        for warm in cmd.warm:
            subprocess.run([*tiewatch_argv(), *warm], env=env, check=True,
                           stdout=subprocess.DEVNULL)
    for cmd in commands:  # untimed: fills the bytecode cache
        run_once(argv_of(cmd), env)
    results = {cmd.name: Timings() for cmd in commands}
    for _ in range(runs):  # round robin: load from other work hits every command alike
        for cmd in commands:
            wall, cpu = run_once(argv_of(cmd), env)
            results[cmd.name].wall.append(wall)
            results[cmd.name].cpu.append(cpu)
    return results


def report(commands: list[Command], results: dict[str, Timings], runs: int) -> bool:
    base = results[BASELINE.name]
    b_wall, b_cpu = statistics.median(base.wall) * 1000, statistics.median(base.cpu) * 1000
    print(f"{runs} runs each, interleaved; medians in ms (load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores)")
    print(f"{'command':46} {'wall':>7} {'cpu':>7} {'wall-base':>10} {'cpu-base':>9} {'wall/base':>9}")
    met = True
    for cmd in commands:
        t = results[cmd.name]
        wall, cpu = statistics.median(t.wall) * 1000, statistics.median(t.cpu) * 1000
        target = ""
        if cmd.target_ms is not None:
            # Wall time decides; on a busy machine other work inflates it, so CPU is shown beside.
            verdict = "met" if wall <= cmd.target_ms else (
                "met on CPU only (wall inflated by load)" if cpu <= cmd.target_ms else "MISSED")
            met = met and verdict != "MISSED"
            target = f"  target {cmd.target_ms:.0f} ms: {verdict}"
        print(f"{cmd.name:46} {wall:7.0f} {cpu:7.0f} {wall - b_wall:10.0f} {cpu - b_cpu:9.0f} "
              f"{wall / b_wall:8.1f}x{target}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", action="append", default=[], help="substring of command names to run")
    parser.add_argument("--var", help="var directory holding (or to hold) the demo database")
    parser.add_argument("--list", action="store_true", help="list the commands and exit")
    args = parser.parse_args(argv)
    chosen = [c for c in COMMANDS if not args.only or any(o in c.name for o in args.only)]
    if args.list:
        for c in chosen:
            print(f"{c.name}: tiewatch {' '.join(c.argv)}")
        return 0
    env = demo_env(args.var) if any(c.needs_demo_db for c in chosen) else base_env()
    commands = [BASELINE, *chosen]
    results = measure(commands, args.runs, env)
    return 0 if report(commands, results, args.runs) else 1


if __name__ == "__main__":
    sys.exit(main())
