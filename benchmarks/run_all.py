"""Run every benchmark script in this folder in turn and print what each prints.

    .venv/bin/python benchmarks/run_all.py                   # full sizes (tens of minutes)
    .venv/bin/python benchmarks/run_all.py --quick           # small sizes, a few minutes
    .venv/bin/python benchmarks/run_all.py --only search     # one script (repeatable)
    scripts/with-postgres .venv/bin/python benchmarks/run_all.py   # PostgreSQL too

Each script runs in a process of its own with this Python and the same environment (a
DATABASE_URL that names PostgreSQL makes the scripts that support it measure it too). Output
is shown as it comes. The exit status is 1 when any script failed (page_weight.py fails when
the browse page is over its budget).
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Modules here that are not benchmarks.
NOT_BENCHMARKS = {"common", "run_all"}

# Smaller runs of the slow scripts for --quick.
QUICK_ARGUMENTS = {
    "generate_practices": ["--count", "2000", "--runs", "1"],
    "import": ["--rows", "1000", "--skip-baseline"],
    "search": ["--count", "2000"],
    "page_weight": ["--practices", "300"],
    "load": ["--quick"],
}


def benchmarks():
    return sorted(path.stem for path in HERE.glob("*.py") if path.stem not in NOT_BENCHMARKS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes of the slow scripts")
    parser.add_argument(
        "--only",
        action="append",
        choices=benchmarks(),
        help="run only this script (may be given more than once)",
    )
    args = parser.parse_args()

    results = []
    for name in args.only or benchmarks():
        command = [sys.executable, str(HERE / f"{name}.py")]
        if args.quick:
            command += QUICK_ARGUMENTS.get(name, [])
        print(f"\n===== {name}: {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        status = subprocess.run(command, cwd=HERE.parent, check=False).returncode
        results.append((name, status, time.perf_counter() - started))

    print("\n===== Summary")
    for name, status, seconds in results:
        outcome = "ok" if status == 0 else f"FAILED (exit status {status})"
        print(f"{name:<20} {outcome:<26} {seconds:8.1f} s")
    return 1 if any(status for _name, status, _seconds in results) else 0


if __name__ == "__main__":
    sys.exit(main())
