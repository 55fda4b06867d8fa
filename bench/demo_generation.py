"""Demo generation benchmark: ``crosscanal demo --products N`` timed afresh in its own process at
10,000, 100,000 and 1,000,000 products on SQLite and PostgreSQL, side by side in one run (issue
14's target: a million in under 3 minutes on both), with its default workers (one per core from
20,000 products); the largest size (or ``--one-worker``) is also generated with one worker first, for the ratio. The
catalogs are kept under var/bench for ``bench.scale`` to reuse.

    .venv/bin/python -m bench.demo_generation [--sizes 10000 100000] [--databases sqlite postgresql]
        [--one-worker 100000]

Writes bench/results/demo_generation.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.catalogs import generate
from bench.machine import header

RESULTS = Path(__file__).with_name("results") / "demo_generation.json"
TARGET_SECONDS_1M = 180


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--one-worker", type=int, default=None,
                        help="the size also generated with one worker, for the ratio (default: the largest)")
    args = parser.parse_args()
    results: dict[str, Any] = {
        **header(),
        "target_seconds_1m": TARGET_SECONDS_1M, "runs": {},
    }
    single = args.one_worker or max(args.sizes)
    for database in args.databases:
        runs = results["runs"].setdefault(database, {})
        for size, workers in [(single, 1)] + [(size, None) for size in sorted(args.sizes)]:
            found = generate(size, database, workers)
            found["products_per_second"] = round(size / found["seconds"], 1)
            if size == 1_000_000:
                found["over_target"] = round(found["seconds"] / TARGET_SECONDS_1M, 2)
            runs[f"{size}{'_1_worker' if workers else ''}"] = found
            print(database, size, workers or "default workers", found, flush=True)
            RESULTS.write_text(json.dumps(results, indent=2) + "\n")  # written as it goes: the run is long
        runs[f"one_worker_over_default_{single}"] = round(runs[f"{single}_1_worker"]["seconds"] / runs[str(single)]["seconds"], 2)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
