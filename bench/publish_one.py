"""Publish one channel in this process and print throughput and peak memory as JSON.

Run by bench/publishing.py in a fresh process per catalog size, so the peak resident memory
it reports belongs to publishing alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from channel_adapters.base.registry import load_adapters
from hub.config import Settings
from hub.publishing.pipeline import Publisher
from hub.publishing.kept_parts import forget_all
from hub.store.db import make_engine, make_session_factory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("channel")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes; 0: the hub's default (one per core, each with 20,000 products to render)")
    parser.add_argument("--fresh", action="store_true", help="forget the kept parts first: render every item")
    args = parser.parse_args()
    settings = Settings.from_env()
    if args.fresh:
        forget_all(settings.data_dir)
    sessions = make_session_factory(make_engine(settings.database_url), writer=True)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    result = Publisher(settings, sessions, load_adapters(), workers=args.workers or None).publish(args.channel, "bench")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest worker process
    print(json.dumps({
        "status": result.status, "error": result.error, "workers": args.workers or "default", "products": result.total,
        "items": result.items, "excluded": result.excluded, "rendered": result.rendered, "bytes": result.bytes,
        "seconds": round(seconds, 2), "products_per_second": round(result.total / seconds, 1),
        "peak_rss_mib": round(peak / 1024, 1), "worker_peak_rss_mib": round(workers_peak / 1024, 1),
        "rss_before_publishing_mib": round(baseline / 1024, 1),
    }))


if __name__ == "__main__":
    main()
