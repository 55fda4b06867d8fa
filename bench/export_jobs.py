"""Export jobs (issue 17): the catalog's products exported as CSV, side by side in one run, five
ways:

    .venv/bin/python -m bench.export_jobs [--sizes 100000,1000000] [--database sqlite|postgresql]

- ``queued_1`` and ``queued_2``: an export job queued to one or two standing ``crosscanal worker
  --concurrency 1`` processes (Redis database 12, flushed first), as ``POST /api/v1/exports``
  starts it with a broker: written in runs of ``CROSSCANAL_EXPORT_RUN_SIZE`` SKUs by any worker,
  then joined;
- ``in_hub``: the same job run in this process (``Exporter.run``: one process), as a hub without
  a broker runs it on its pool;
- ``command_1`` and ``command_2``: ``crosscanal export --workers 1`` and ``--workers 2``.

A job's seconds are its own, from its ``queued`` to its ``finished`` moment in the database; the
command's are its process's wall time. Every job must succeed, and the four files must hash
the same (SHA-256). Catalogs are bench/catalogs.py's, kept under var/bench. Writes
bench/results/export_jobs.json (under ``databases.<sqlite|postgresql>``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import redis

from bench.catalogs import catalog, environment
from bench.cli_timing import timed
from bench.fanout import running_workers, say
from bench.machine import header
from hub.config import Settings
from hub.jobs.exports import Exporter
from hub.queue.dispatch import hand_on_job
from hub.store.db import make_engine, make_session_factory, readers_of
from hub.store.export_jobs import ExportJob

RESULTS = Path(__file__).with_name("results") / "export_jobs.json"
BROKER = "redis://127.0.0.1:6379/12"
OPTIONS = {"kind": "products", "format": "csv"}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def run_job(settings: Settings) -> dict[str, Any]:
    """One export job, queued to the workers or run here; answers its figures."""
    engine = make_engine(settings.database_url)
    writers = make_session_factory(engine, writer=True)
    exporter = Exporter(readers_of(writers), writers, settings.data_dir)
    try:
        with writers() as session:
            job = exporter.start(session, OPTIONS, "bench")
            session.commit()
            job_id = job.id
        started = time.perf_counter()
        hand_on_job(settings, writers, "export", (job_id,), lambda: exporter.run(job_id))
        while True:
            with writers() as session:
                job = session.get(ExportJob, job_id)
                assert job is not None
                if job.status in ("succeeded", "failed"):
                    session.expunge(job)
                    break
            time.sleep(0.2)
        if job.status != "succeeded":
            raise RuntimeError(f"export job {job_id} failed: {job.error}")
        path = exporter.path(job)
        assert job.finished is not None
        return {"seconds": round((job.finished - job.queued).total_seconds(), 2), "wall_seconds": round(time.perf_counter() - started, 2),
                "records": job.written, "bytes": job.size, "sha256": sha256(path), "path": str(path)}
    finally:
        engine.dispose()


def run_command(env: dict[str, str], folder: Path, workers: int) -> dict[str, Any]:
    target = folder / f"bench-export-{workers}.csv"
    result = timed(env, "export", "--kind", "products", "--format", "csv", "--workers", str(workers), "-o", str(target))
    found = {"seconds": result["seconds"], "peak_rss_mib": result["peak_rss_mib"], "bytes": target.stat().st_size,
             "sha256": sha256(target)}
    target.unlink()
    return found


def bench_size(size: int, database: str) -> dict[str, Any]:
    folder, _generated = catalog(size, database)
    env = {**environment(folder), "CROSSCANAL_BROKER_URL": BROKER}
    queued_settings = Settings.from_env(env)
    in_hub_settings = Settings.from_env({k: v for k, v in env.items() if k != "CROSSCANAL_BROKER_URL"})
    redis.Redis.from_url(BROKER).flushdb()
    found: dict[str, Any] = {}
    for count in (1, 2):
        with running_workers(env, count, f"export-{size}-{count}"):
            say(f"{size}: export job on {count} worker(s)")
            found[f"queued_{count}"] = run_job(queued_settings)
    say(f"{size}: export job in this process")
    found["in_hub"] = run_job(in_hub_settings)
    for workers in (1, 2):
        say(f"{size}: crosscanal export --workers {workers}")
        found[f"command_{workers}"] = run_command(env, folder, workers)
    hashes = {way: figures["sha256"] for way, figures in found.items()}
    if len(set(hashes.values())) != 1:
        raise RuntimeError(f"the exports differ: {hashes}")
    for way in ("queued_1", "queued_2", "in_hub"):
        Path(found[way].pop("path")).unlink(missing_ok=True)
    seconds = {way: figures["seconds"] for way, figures in found.items()}
    found["summary"] = {
        "records": found["queued_1"]["records"],
        "run_size": queued_settings.export_run_size,
        "two_workers_over_one": round(seconds["queued_1"] / seconds["queued_2"], 3),
        "queued_1_over_in_hub": round(seconds["queued_1"] / seconds["in_hub"], 3),
        "queued_2_over_command_2": round(seconds["queued_2"] / seconds["command_2"], 3),
        "records_per_second_queued_2": round(found["queued_2"]["records"] / seconds["queued_2"]),
        "same_bytes": True,
    }
    say(f"{size}: {json.dumps(found['summary'])}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="catalog sizes, comma-separated")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update({"export": OPTIONS, "broker": BROKER,
                    "seconds": "a job's own, queued to finished (database clock); a command's wall time"})
    this = results.setdefault("databases", {})[args.database] = {**header(), "sizes": {}}
    for size in sorted(int(size) for size in args.sizes.split(",") if size.strip()):
        this["sizes"][str(size)] = bench_size(size, args.database)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    say(f"every export succeeded with the same bytes each way; written to {RESULTS}")


if __name__ == "__main__":
    main()
