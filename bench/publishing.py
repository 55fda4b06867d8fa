"""Publishing benchmark: the Google Shopping feed for generated catalogs of 10,000 and
100,000 products on SQLite; products per second and peak memory, which must stay flat.

    .venv/bin/python -m bench.publishing [--sizes 10000 100000]

Writes bench/results/publishing.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.catalogs import catalog, environment
from bench.machine import header

RESULTS = Path(__file__).with_name("results") / "publishing.json"
CHANNEL = "google_shopping"


def run(size: int) -> dict[str, Any]:
    folder, generated = catalog(size)
    env = environment(folder)
    answer = subprocess.run([sys.executable, "-m", "bench.publish_one", CHANNEL, "--fresh"], env=env, check=True,
                            capture_output=True, text=True)
    result = json.loads(answer.stdout.strip().splitlines()[-1])
    result["catalog_generation_seconds"] = generated  # None when a kept catalog was reused
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    results: dict[str, Any] = {
        **header(),
        "channel": CHANNEL, "database": "sqlite", "runs": {},
    }
    for size in args.sizes:
        results["runs"][str(size)] = run(size)
        print(size, results["runs"][str(size)], flush=True)
    sizes = [str(s) for s in sorted(args.sizes)]
    if len(sizes) >= 2:
        small, large = results["runs"][sizes[0]]["peak_rss_mib"], results["runs"][sizes[-1]]["peak_rss_mib"]
        results["peak_memory_growth"] = round(large / small - 1, 3)
        results["peak_memory_within_20_percent"] = large <= small * 1.2
        print(f"peak memory {small} MiB -> {large} MiB ({results['peak_memory_growth']:+.1%})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
