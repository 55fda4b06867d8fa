"""Scale benchmark (issue 14): demo catalogs of 10,000, 100,000 and 1,000,000 products, and
the Google feed published from each, side by side in one run.

    .venv/bin/python -m bench.scale [--sizes 10000 100000 1000000] [--databases sqlite postgresql]
                                    [--postgresql-sizes 10000 100000]

Per catalog: how long the demo took to generate; the Google feed (XML and TSV) rendered in full
with one worker and with two, each in a fresh process with its peak memory; a republish after
1 % of the products got a new price (through the product service), again with nothing changed since, and after a brand-guide
change (every item again); the catalog exported as CSV and as NDJSON; a stock file of one
warehouse's count for up to 100,000 SKUs applied (every line a new quantity). At 100,000
products (or the largest size below it) every other channel is published once. Catalogs are kept under var/bench and reused; PostgreSQL ones in
databases named crosscanal_bench_<size>. Writes bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.catalogs import catalog, environment
from bench.cli_timing import timed
from bench.machine import header

RESULTS = Path(__file__).with_name("results") / "scale.json"
CHANNEL = "google_shopping"
OTHER_CHANNELS = ["google_local", "marketplace", "meta", "pinterest", "tiktok", "shelf_labels", "esl"]
TARGETS = {"products_per_second_2_workers": 16_700, "products_per_second_1_worker": 8_000,
           "incremental_share_of_full": 0.05, "peak_rss_mib": 400, "peak_rss_ratio_100k_to_1m": 1.2,
           "generation_seconds_1m": 180, "postgresql_slower_than_sqlite_at_most": 1.5}


def run(module: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    answer = subprocess.run([sys.executable, "-m", module, *args], env=env, check=True, capture_output=True, text=True)
    return json.loads(answer.stdout.strip().splitlines()[-1])


def publish(env: dict[str, str], channel: str, workers: int, fresh: bool) -> dict[str, Any]:
    result = run("bench.publish_one", env, channel, "--workers", str(workers), *(["--fresh"] if fresh else []))
    if result["status"] != "succeeded":
        raise RuntimeError(f"{channel} failed: {result['error']}")
    return result


def bench_size(size: int, database: str, others: bool) -> dict[str, Any]:
    folder, generated = catalog(size, database)
    env = environment(folder)
    found: dict[str, Any] = {"generation_seconds": generated,
                             "generation_products_per_second": round(size / generated, 1) if generated else None}
    one = publish(env, CHANNEL, 1, fresh=True)
    two = publish(env, CHANNEL, 2, fresh=True)
    change = run("bench.change", env, "prices", "--share", "0.01")
    # Republishes with the hub's default workers: one per core where each gets 20,000 products
    # to render, so a republish of a few changes renders in the publishing process.
    incremental = publish(env, CHANNEL, 0, fresh=False)
    unchanged = publish(env, CHANNEL, 0, fresh=False)
    guide = run("bench.change", env, "guide")
    after_guide = publish(env, CHANNEL, 0, fresh=False)
    found["google"] = {
        "full_1_worker": one, "full_2_workers": two, "speedup_2_workers": round(one["seconds"] / two["seconds"], 2),
        "change_1_percent": change, "incremental": incremental,
        "incremental_share_of_full_2_workers": round(incremental["seconds"] / two["seconds"], 3),
        "nothing_changed": unchanged,
        "brand_guide_change": guide, "after_brand_guide": after_guide,
    }
    print(size, database, json.dumps(found["google"], indent=None)[:600], flush=True)
    found["exports"], skus = exports(env, folder, size)
    found["stock_file"] = stock_file(env, folder, skus[:100_000])
    print(size, database, json.dumps({"exports": found["exports"], "stock_file": found["stock_file"]}), flush=True)
    if others:
        found["other_channels_2_workers"] = {code: publish(env, code, 2, fresh=True) for code in OTHER_CHANNELS}
    return found


def exports(env: dict[str, str], folder: Path, size: int) -> tuple[dict[str, Any], list[str]]:
    """The catalog exported as CSV and NDJSON; answers the figures and the SKUs (the CSV's first column)."""
    found = {}
    for fmt in ("csv", "ndjson"):
        path = folder / f"export.{fmt}"
        result = timed(env, "export", "--format", fmt, "-o", str(path))
        found[fmt] = {"seconds": result["seconds"], "products_per_second": round(size / result["seconds"], 1),
                      "peak_rss_mib": result["peak_rss_mib"], "bytes": path.stat().st_size}
    with (folder / "export.csv").open(encoding="utf-8-sig", newline="") as exported:
        skus = [row[0] for row in csv.reader(exported)][1:]
    for fmt in ("csv", "ndjson"):
        (folder / f"export.{fmt}").unlink()
    return found, skus


def stock_file(env: dict[str, str], folder: Path, skus: list[str]) -> dict[str, Any]:
    """A warehouse's count of these SKUs, each a quantity it did not hold, imported. The
    quantities start from a base of the minute, so a catalog kept from an earlier run (or a file
    imported by hand) holds none of them: the same base each run made a second run's lines all
    unchanged."""
    path = folder / "stock-count.csv"
    base = 1000 + (int(time.time()) // 60 % 100_000) * 500
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["location", "sku", "quantity"])
        writer.writerows(["WH_LYON", sku, base + n % 500] for n, sku in enumerate(skus))
    result = timed(env, "import", str(path))
    path.unlink()
    return {"lines": len(skus), "seconds": result["seconds"], "lines_per_second": round(len(skus) / result["seconds"], 1),
            "peak_rss_mib": result["peak_rss_mib"], "summary": result["output"].strip().splitlines()[-1].strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--postgresql-sizes", type=int, nargs="+", help="sizes on PostgreSQL (default: --sizes)")
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    others_at = max([s for s in sizes if s <= 100_000] or sizes[:1])
    results: dict[str, Any] = {
        **header(),
        "channel": CHANNEL, "targets": TARGETS, "runs": {},
    }
    for database in args.databases:
        for size in sorted(args.postgresql_sizes or sizes) if database == "postgresql" else sizes:
            results["runs"].setdefault(database, {})[str(size)] = bench_size(size, database, size == others_at)
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps(results, indent=2) + "\n")  # written as it goes: the run is long
    results["ratios"] = ratios(results["runs"])
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["ratios"], indent=2))
    print(f"written to {RESULTS}")


def ratios(runs: dict[str, Any]) -> dict[str, Any]:
    """The figures the targets are stated in, read off the runs."""
    found: dict[str, Any] = {}
    sqlite = runs.get("sqlite", {})
    sizes = sorted(sqlite, key=int)
    if len(sizes) >= 2:
        small, large = (max(sqlite[s]["google"]["full_2_workers"]["peak_rss_mib"],
                            sqlite[s]["google"]["full_2_workers"]["worker_peak_rss_mib"]) for s in (sizes[-2], sizes[-1]))
        found[f"peak_rss_ratio_{sizes[-2]}_to_{sizes[-1]}"] = round(large / small, 3)
    for size in sizes:
        if size in runs.get("postgresql", {}):
            found[f"postgresql_over_sqlite_seconds_{size}"] = round(
                runs["postgresql"][size]["google"]["full_2_workers"]["seconds"] / sqlite[size]["google"]["full_2_workers"]["seconds"], 2)
    return found


if __name__ == "__main__":
    main()
