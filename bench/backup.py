"""Backup and restore time of a kept catalog (``bench/catalogs.py``): ``crosscanal backup`` of the
catalog, then ``crosscanal restore`` of that archive into an empty hub, each timed in a fresh
process (wall time and peak memory).

    .venv/bin/python -m bench.backup [--size 100000] [--database sqlite|postgresql] [--generate]

Without a kept catalog of that size it says so and measures nothing, unless ``--generate``
(``crosscanal demo --products N`` first: minutes at 100,000). Writes bench/results/backup.json,
one entry per database and size.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench import catalogs
from bench.cli_timing import timed
from bench.machine import header

RESULTS = Path(__file__).with_name("results") / "backup.json"


def bench(size: int, database: str) -> dict[str, Any]:
    folder, _generated = catalogs.catalog(size, database)
    work = catalogs.CATALOGS / f"backup-{database}-{size}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    archive = work / "catalog.tar"
    try:
        made = timed(catalogs.environment(folder), "backup", str(archive))
        target = {**catalogs.environment(folder), "CROSSCANAL_DATA_DIR": str((work / "restored").resolve())}
        target.pop("CROSSCANAL_DATABASE_URL", None)
        scratch = None
        if database == "postgresql":
            scratch = f"crosscanal_bench_restore_{size}"
            target["CROSSCANAL_DATABASE_URL"] = _fresh(scratch)
        try:
            restored = timed(target, "restore", str(archive))
        finally:
            if scratch:
                _drop(scratch)
        return {"products": size, "archive_bytes": archive.stat().st_size,
                "backup": {"seconds": made["seconds"], "peak_rss_mib": made["peak_rss_mib"]},
                "restore": {"seconds": restored["seconds"], "peak_rss_mib": restored["peak_rss_mib"]}}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fresh(name: str) -> str:
    admin = catalogs._admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return admin.rsplit("/", 1)[0] + f"/{name}"


def _drop(name: str) -> None:
    with psycopg.connect(catalogs._admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--generate", action="store_true", help="generate the catalog when none is kept")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    kept = catalogs._folder(args.size, args.database) / "ready"
    if not kept.exists() and not args.generate:
        print(f"no kept catalog of {args.size} products at {kept.parent}; nothing measured "
              "(--generate makes one first)", file=sys.stderr)
        sys.exit(0)
    results: dict[str, Any] = json.loads(args.output.read_text()) if args.output.exists() else {"runs": {}}
    results.update(header())
    run = results["runs"][f"{args.database}-{args.size}"] = bench(args.size, args.database)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(run, indent=2))


if __name__ == "__main__":
    main()
