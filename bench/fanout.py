"""Fan-out benchmark (issue 17): the Google feed published in full on Celery workers, side by
side in one run with the same publication rendered in-process, and a worker killed mid-run.

    .venv/bin/python -m bench.fanout [--sizes 100000,1000000] [--database sqlite|postgresql]
                                     [--repeats 3] [--kill-sizes 100000,1000000] [--redelivery 10]

Per catalog size (the demo catalogs of bench/catalogs.py, kept under var/bench): the Google feed
(XML and TSV) published in full, its kept parts forgotten before each run,
- through the queue on 1, 2 and 4 ``crosscanal worker --concurrency 1`` processes (standing
  workers, ready before the first run, on Redis database 12, flushed before each set starts);
- in-process, ``Publisher(..., workers=2)`` in a fresh process (``bench.publish_one``, no
  broker), each run just before one of the queue's on two workers (which stand idle meanwhile),
  so both ways see the same machine;
- on two fresh workers with ``CROSSCANAL_TASK_REDELIVERY_SECONDS`` set (``--redelivery``): once
  one logs that it received a ``render_shard`` task its whole process group gets ``kill -9``,
  and the publication is followed to its success (at the sizes of ``--kill-sizes``); noted too
  when the survivor received the killed worker's shard (to the follower's half-second poll).

A run's seconds are the publication's own, from its ``queued`` to its ``finished`` moment in the
database (the same clock for both ways; ``wall_seconds`` adds the follower's half-second polls or
the fresh process's start). At sizes up to 100,000 each figure is the median of ``--repeats``
runs (every run is kept); above, one run. The largest size runs first, and with ``--stop-at
HH:MM`` (UTC) no run starts that would not end by then. Every publication must succeed, and
products.xml and products.tsv must hash the same (SHA-256) in every run of a size. Writes bench/results/fanout.json
(under ``databases.<sqlite|postgresql>``: a run on one database keeps the other's figures).
A run keeps the figures of sizes it does not measure, and a size's kill -9 run when it does none.
Worker logs go to var/bench/fanout-logs; every worker started is stopped (its process group).

The machine may be shared: before each run the benchmark waits (``--quiet-wait``, 90 s) until
other processes use under 15 % of it, and each run records the CPU seconds the machine spent,
those of this benchmark's processes and the rest (``others_share_of_machine``; on PostgreSQL the
database server's processes are counted apart, as they serve this benchmark, but a connection's
process that ended during the run counts as the rest). A run during which the rest took 15 % or
more is run again (three tries up to 100,000, two above); the figure takes the quietest, and the
others are kept in ``set_aside_noisy``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import redis
from sqlalchemy import func, select

from bench.catalogs import CATALOGS, catalog, environment
from bench.machine import header
from channel_adapters.base.registry import load_adapters
from hub.config import DEFAULT_TASK_REDELIVERY, Settings
from hub.publishing.kept_parts import forget_all
from hub.publishing.pipeline import Publisher
from hub.publishing.shards import by_worker
from hub.queue.dispatch import follow, hand_on
from hub.store.db import make_engine, make_session_factory
from hub.store.models import Channel, Publication
from tests.support.celery_workers import Worker, wait_ready

RESULTS = Path(__file__).with_name("results") / "fanout.json"
LOGS = CATALOGS / "fanout-logs"
CHANNEL = "google_shopping"
FILES = ("products.xml", "products.tsv")
BROKER = "redis://127.0.0.1:6379/12"  # a database of its own: flushed before each set of workers
WORKER_COUNTS = (1, 2, 4)
IN_PROCESS_WORKERS = 2
RECEIVED_SHARD = re.compile(r"crosscanal\.render_shard\[([^]]+)\] received")
FOLLOW_TIMEOUT = 3600.0
TARGETS = {"speedup_2_workers_over_1": "about 2x on 2 cores", "speedup_4_workers_over_1": "no more than 2 workers' on 2 cores",
           "queue_overhead_at_2_workers": 0.10}


def say(*parts: Any) -> None:
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


# -- workers -------------------------------------------------------------------------------------

@contextmanager
def running_workers(env: dict[str, str], count: int, label: str) -> Iterator[list[Worker]]:
    """``count`` fresh workers on an empty broker database, ready to take tasks; stopped after."""
    redis.Redis.from_url(env["CROSSCANAL_BROKER_URL"]).flushdb()
    LOGS.mkdir(parents=True, exist_ok=True)
    workers: list[Worker] = []
    try:
        for n in range(count):
            workers.append(Worker.spawn(env, (LOGS / f"{label}-worker-{n}.log").resolve()))
            _WORKER_GROUPS.add(workers[-1].process.pid)
        wait_ready(workers, 120)
        say(f"  {count} worker(s) ready: pids {', '.join(str(w.process.pid) for w in workers)}")
        yield workers
    finally:
        for worker in workers:
            worker.stop()
            _WORKER_GROUPS.discard(worker.process.pid)


# -- what else the machine did ------------------------------------------------------------------

_WORKER_GROUPS: set[int] = set()  # process groups of the workers running now
TICKS = os.sysconf("SC_CLK_TCK")


def _machine_busy() -> float:
    """CPU seconds every core has spent busy since boot (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


SERVER = [False]  # on PostgreSQL: the database server's processes are counted apart, not as others


def _ours() -> tuple[float, float]:
    """CPU seconds of this process, its waited-for children (a fresh publishing process and its
    workers) and every process of the running workers' groups; and, on PostgreSQL, those of the
    database server's processes (serving this benchmark, but other sessions' queries too)."""
    own = sum(getattr(resource.getrusage(who), field) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for field in ("ru_utime", "ru_stime"))
    server = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            name, rest = text.split("(", 1)[1].rsplit(")", 1)
            fields = rest.split()
        except (OSError, IndexError, ValueError):
            continue
        used = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
        if int(fields[2]) in _WORKER_GROUPS:  # pgrp
            own += used
        elif SERVER[0] and name == "postgres":
            server += used
    return own, server


class CpuMeter:
    """How busy the machine was during a run, and how much of it was not this benchmark's: the
    machine is shared, so a figure is only as good as the quiet it had."""

    def __init__(self) -> None:
        self.started, self.busy = time.perf_counter(), _machine_busy()
        self.ours, self.server = _ours()

    def read(self) -> dict[str, float]:
        elapsed = time.perf_counter() - self.started
        ours, server = _ours()
        busy, ours, server = _machine_busy() - self.busy, ours - self.ours, server - self.server
        others = max(0.0, busy - ours - server)
        return {"cpu_seconds_machine": round(busy, 1), "cpu_seconds_this_benchmark": round(ours, 1),
                **({"cpu_seconds_database_server": round(server, 1)} if SERVER[0] else {}),
                "cpu_seconds_others": round(others, 1),
                "others_share_of_machine": round(others / (elapsed * (os.cpu_count() or 1)), 3)}


QUIET_SHARE = 0.15  # before a run: other processes under this share of the machine ...
QUIET_WAIT = [90.0]  # ... waited for at most this long (--quiet-wait)


def wait_for_quiet(label: str, limit: float) -> dict[str, float]:
    """Wait (at most QUIET_WAIT[0] seconds) until other processes use under QUIET_SHARE of the
    machine over two seconds, so a run does not start while another session's work is busy;
    answers how long it waited and the share last seen."""
    started = time.perf_counter()
    while True:
        meter = CpuMeter()
        time.sleep(2)
        share = meter.read()["others_share_of_machine"]
        waited = time.perf_counter() - started
        if share < QUIET_SHARE or waited >= min(QUIET_WAIT[0], limit):
            if waited > 3:
                say(f"    {label}: waited {waited:.0f} s for quiet (others at {share:.0%} of the machine)")
            return {"waited_for_quiet_seconds": round(waited, 1), "others_share_before": share}


# -- one publication -----------------------------------------------------------------------------

class Hub:
    """The bench's view of one kept catalog: its settings, sessions and feed folder."""

    def __init__(self, folder: Path, redelivery: int | None = None) -> None:
        self.env = {**environment(folder), "CROSSCANAL_BROKER_URL": BROKER}
        self.env.pop("CROSSCANAL_TASK_REDELIVERY_SECONDS", None)
        if redelivery is not None:
            self.env["CROSSCANAL_TASK_REDELIVERY_SECONDS"] = str(redelivery)
        self.settings = Settings.from_env(self.env)
        self.engine = make_engine(self.settings.database_url)
        self.publisher = Publisher(self.settings, make_session_factory(self.engine, writer=True), load_adapters())

    def close(self) -> None:
        self.engine.dispose()

    def fresh(self) -> None:
        forget_all(self.settings.data_dir)

    def latest(self) -> Publication:
        with self.publisher.sessions() as session:
            pid = session.scalar(select(func.max(Publication.id)).join(Channel).where(Channel.code == CHANNEL))
            publication = session.get(Publication, pid)
            session.expunge_all()
            return publication  # type: ignore[return-value]

    def hashes(self) -> dict[str, str]:
        folder = Path(self.settings.publish_url) / CHANNEL
        found = {}
        for name in FILES:
            digest = hashlib.sha256()
            with (folder / name).open("rb") as feed:
                while chunk := feed.read(1 << 20):
                    digest.update(chunk)
            found[name] = digest.hexdigest()
        return found


def figures(hub: Hub, publication: Publication, wall: float, **extra: Any) -> dict[str, Any]:
    """What a run measured; raises when the publication did not succeed."""
    if publication.status != "succeeded":
        raise RuntimeError(f"publication {publication.id} {publication.status}: {publication.error}")
    seconds = (publication.finished - publication.queued).total_seconds()
    return {
        "publication": publication.id, "status": publication.status, "products": publication.total,
        "items": publication.items, "rendered": publication.rendered, "bytes": publication.bytes,
        "seconds": round(seconds, 2), "products_per_second": round(publication.total / seconds, 1),
        "wall_seconds": round(wall, 2), "shards": len(publication.shards or ()),
        "shards_by_worker": [list(row) for row in by_worker(publication.shards)],
        **extra, "sha256": hub.hashes(), "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }


def quiet(found: dict[str, Any]) -> str:
    return (f"other processes took {found['cpu_seconds_others']} CPU s "
            f"({found['others_share_of_machine']:.0%} of the machine)")


def progress_printer(label: str) -> Callable[[Publication], None]:
    started, last = time.monotonic(), [0.0]

    def show(publication: Publication) -> None:
        now = time.monotonic()
        if now - last[0] >= 5 or publication.status in ("succeeded", "failed"):
            last[0] = now
            say(f"    {label}: {publication.status} {publication.progress:.0%} after {now - started:.1f} s")
    return show


def queued(hub: Hub, label: str, on_handed: Callable[[], None] | None = None,
           watch: Callable[[], None] | None = None) -> tuple[Publication, float]:
    """One publication handed to the queue and followed to its end; answers it and its wall time."""
    hub.fresh()
    started = time.perf_counter()
    publication_id = hub.publisher.start(CHANNEL, "bench:fanout")

    def not_in_process(_pid: int) -> None:
        raise RuntimeError("no broker configured")
    if not hand_on(hub.publisher, publication_id, not_in_process):
        raise RuntimeError("the publication was not queued")
    if on_handed is not None:
        on_handed()
    show = progress_printer(label)

    def progress(publication: Publication) -> None:
        show(publication)
        if watch is not None:
            watch()
    publication = follow(hub.publisher, publication_id, progress, timeout=FOLLOW_TIMEOUT)
    wall = time.perf_counter() - started
    return publication, wall


def run_queued(hub: Hub, label: str, wait: float) -> dict[str, Any]:
    before = wait_for_quiet(label, wait)
    load = [round(x, 2) for x in os.getloadavg()]
    meter = CpuMeter()
    publication, wall = queued(hub, label)
    found = figures(hub, publication, wall, **meter.read(), **before)
    found["load_average_before"] = load
    say(f"  {label}: {found['seconds']} s, {found['products_per_second']:,.0f} products/s, "
        f"shards by worker {found['shards_by_worker']}; {quiet(found)}")
    return found


def run_in_process(hub: Hub, label: str, workers: int, wait: float) -> dict[str, Any]:
    """``Publisher(..., workers=N)`` in a fresh process without a broker (bench.publish_one)."""
    env = {k: v for k, v in hub.env.items() if k != "CROSSCANAL_BROKER_URL"}
    before = wait_for_quiet(label, wait)
    load = [round(x, 2) for x in os.getloadavg()]
    say(f"    {label}: publishing in a fresh process")
    meter = CpuMeter()
    started = time.perf_counter()
    answer = subprocess.run([sys.executable, "-m", "bench.publish_one", CHANNEL, "--workers", str(workers), "--fresh"],
                            env=env, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    cpu = meter.read()
    own = json.loads(answer.stdout.strip().splitlines()[-1])
    found = figures(hub, hub.latest(), wall, publisher_seconds=own["seconds"], peak_rss_mib=own["peak_rss_mib"],
                    worker_peak_rss_mib=own["worker_peak_rss_mib"], **cpu, **before)
    found["load_average_before"] = load
    say(f"  {label}: {found['seconds']} s, {found['products_per_second']:,.0f} products/s; {quiet(found)}")
    return found


def run_killed(folder: Path, size: int, redelivery: int, wait: float) -> dict[str, Any]:
    """Two fresh workers; the first to receive a render_shard task is killed (its process group,
    SIGKILL) and the publication followed to its success."""
    hub = Hub(folder, redelivery)
    label = f"{size:,} kill -9 of 1 of 2 workers"
    killed: dict[str, Any] = {}
    try:
        with running_workers(hub.env, 2, f"{size}-kill") as workers:
            def kill_first_to_take_a_shard() -> None:
                deadline = time.monotonic() + 300
                while time.monotonic() < deadline:
                    for worker in workers:
                        if RECEIVED_SHARD.search(worker.text()):
                            worker.kill()
                            killed.update(at=time.perf_counter(), moment=datetime.now(timezone.utc), pid=worker.process.pid,
                                          log=worker.log, tasks=RECEIVED_SHARD.findall(worker.text()),
                                          others=[other for other in workers if other is not worker])
                            say(f"    {label}: killed worker pid {worker.process.pid} (its process group, SIGKILL) "
                                f"as it received a render_shard task")
                            return
                    time.sleep(0.02)
                raise RuntimeError("no worker took a shard within 5 minutes")

            def watch_for_redelivery() -> None:
                """When another worker receives a task the killed one held (to a follower's poll, half a second)."""
                if "redelivered" in killed or "tasks" not in killed:
                    return
                for other in killed["others"]:
                    if any(f"render_shard[{task}] received" in other.text() for task in killed["tasks"]):
                        killed["redelivered"] = time.perf_counter()
                        say(f"    {label}: the killed worker's shard was received by another worker "
                            f"{killed['redelivered'] - killed['at']:.1f} s after the kill")

            before = wait_for_quiet(label, wait)
            load = [round(x, 2) for x in os.getloadavg()]
            meter = CpuMeter()
            publication, wall = queued(hub, label, kill_first_to_take_a_shard, watch_for_redelivery)
            watch_for_redelivery()
            ended = time.perf_counter()
            cpu = meter.read()
        found = figures(hub, publication, wall, **cpu, **before)
        found["load_average_before"] = load
        found.update({
            "task_redelivery_seconds": redelivery,
            "killed_worker_pid": killed["pid"],
            "killed_after_seconds": round((killed["moment"] - publication.queued).total_seconds(), 2),
            "kill_to_success_seconds": round((publication.finished - killed["moment"]).total_seconds(), 2),
            "kill_to_success_wall_seconds": round(ended - killed["at"], 2),
            "killed_worker_tasks": killed["tasks"],
            "redelivered_after_seconds": round(killed["redelivered"] - killed["at"], 1) if "redelivered" in killed else None,
            "victim_logged_render_shard": bool(RECEIVED_SHARD.search(killed["log"].read_text(errors="replace"))),
        })
        say(f"  {label}: succeeded {found['kill_to_success_seconds']} s after the kill "
            f"({found['seconds']} s in all; redelivery after {redelivery} s)")
        return found
    finally:
        hub.close()


# -- one size ------------------------------------------------------------------------------------

STOP_AT: list[datetime | None] = [None]  # --stop-at: no run starts that would not end by then


class OutOfTime(Exception):
    """The next run would not end before --stop-at."""


def time_left() -> float:
    return float("inf") if STOP_AT[0] is None else (STOP_AT[0] - datetime.now(timezone.utc)).total_seconds()


def estimate(size: int, processes: int) -> float:
    """Seconds a full publication may take here (a little over this machine's figures)."""
    return size / (6_000 * min(processes, os.cpu_count() or 1)) + 10


def attempts(run: Callable[[float], dict[str, Any]], expected: float, tries: int, label: str) -> list[dict[str, Any]]:
    """``run`` (given how long it may wait for quiet) until other processes took under
    QUIET_SHARE of the machine during it, at most ``tries`` times; answers every attempt, each
    marked ``noisy`` or not. Raises OutOfTime when not even one fits before --stop-at."""
    done: list[dict[str, Any]] = []
    for _ in range(tries):
        room = time_left() - expected
        if room < 0:
            if done:
                say(f"    {label}: no time left to run it again")
                break
            raise OutOfTime(label)
        found = run(room)
        found["noisy"] = found["others_share_of_machine"] >= QUIET_SHARE
        done.append(found)
        if not found["noisy"]:
            break
        say(f"    {label}: other processes took {found['others_share_of_machine']:.0%} of the machine"
            f"{': run again' if len(done) < tries else ''}")
    return done


def least_noisy(tries: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The attempt the figure takes (the first quiet one, else the least disturbed) and the others."""
    best = min(tries, key=lambda found: (found["noisy"], found["others_share_of_machine"]))
    return best, [found for found in tries if found is not best]


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = statistics.median(run["seconds"] for run in runs)
    products = runs[0]["products"]
    return {"seconds": round(seconds, 2), "products_per_second": round(products / seconds, 1),
            "all_seconds": [run["seconds"] for run in runs], "best_seconds": min(run["seconds"] for run in runs),
            "others_share_of_machine": [run["others_share_of_machine"] for run in runs],
            "noisy": sum(run["noisy"] for run in runs)}


def bench_size(size: int, database: str, repeats: int, kill: bool, redelivery: int,
               partial: Callable[[dict[str, Any]], None], earlier_kill: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every figure at one size. ``earlier_kill``: the kill -9 run of an earlier run of this
    size, kept when this run does none (--kill-sizes without this size)."""
    say(f"{size:,} products ({database}): the catalog")
    started = time.perf_counter()
    folder, generated = catalog(size, database)
    say(f"  catalog at {folder} ({'generated in %s s' % generated if generated else 'kept'}; "
        f"ready after {time.perf_counter() - started:.1f} s)")
    found: dict[str, Any] = {"when": header()["when"], "catalog": str(folder), "generation_seconds": generated,
                             "repeats": repeats, "queued": {}, "in_process": {}, "set_aside_noisy": []}
    tries = 3 if size <= 100_000 else 2
    hub = Hub(folder)

    def measure(run: Callable[[float], dict[str, Any]], expected: float, label: str) -> dict[str, Any]:
        best, others = least_noisy(attempts(run, expected, tries, label))
        found["set_aside_noisy"].extend({"run": label, **other} for other in others)
        return best

    try:
        for count in WORKER_COUNTS:
            say(f"{size:,}: {count} worker(s) on the queue")
            runs: list[dict[str, Any]] = found["queued"].setdefault(str(count), [])
            local: list[dict[str, Any]] = found["in_process"].setdefault(str(count), []) if count == IN_PROCESS_WORKERS else []
            with running_workers(hub.env, count, f"{size}-{count}"):
                for n in range(repeats):
                    if count == IN_PROCESS_WORKERS:  # interleaved: the same machine for both ways
                        label = f"{size:,} in-process, {count} workers, run {n + 1}"
                        local.append(measure(lambda wait, label=label: run_in_process(hub, label, count, wait),
                                             estimate(size, count), label))
                    label = f"{size:,} queue, {count} worker(s), run {n + 1}"
                    runs.append(measure(lambda wait, label=label: run_queued(hub, label, wait), estimate(size, count), label))
                    partial(found)
    except OutOfTime as stopped:
        found["stopped"] = f"out of time (--stop-at) before: {stopped}"
        say(f"{size:,}: stopped, out of time before {stopped}")
    finally:
        hub.close()
    found["queued"] = {count: runs for count, runs in found["queued"].items() if runs}
    found["in_process"] = {count: runs for count, runs in found["in_process"].items() if runs}
    if kill and "stopped" not in found:
        say(f"{size:,}: kill -9 of a worker mid-publication (redelivery after {redelivery} s)")
        if time_left() < estimate(size, 1) + redelivery:
            found["stopped"] = "out of time (--stop-at) before the kill -9 run"
            say(f"{size:,}: stopped, out of time before the kill -9 run")
        else:
            found["killed"] = run_killed(folder, size, redelivery, time_left() - estimate(size, 1) - redelivery)
    elif earlier_kill is not None:
        found["killed"] = {**earlier_kill, "measured_in_an_earlier_run": True}
    found["summary"] = summary(found)
    found["identical_bytes"], found["sha256"] = same_bytes(found)
    if not found["identical_bytes"]:
        raise RuntimeError(f"the feed's bytes differ between runs at {size}: {found['sha256']}")
    say(f"{size:,}: {json.dumps(found['summary'])}")
    return found


def every_run(found: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for way in ("queued", "in_process"):
        for runs in found[way].values():
            yield from runs
    yield from found["set_aside_noisy"]
    if "killed" in found:
        yield found["killed"]


def same_bytes(found: dict[str, Any]) -> tuple[bool, dict[str, str]]:
    digests = {json.dumps(run["sha256"], sort_keys=True) for run in every_run(found)}
    return len(digests) == 1, json.loads(next(iter(digests)))


def summary(found: dict[str, Any]) -> dict[str, Any]:
    queued_ = {count: median_of(runs) for count, runs in found["queued"].items()}
    local = {count: median_of(runs) for count, runs in found["in_process"].items()}
    result: dict[str, Any] = {f"queue_{count}_workers": figures_ for count, figures_ in queued_.items()}
    result.update({f"in_process_{count}_workers": figures_ for count, figures_ in local.items()})
    one = queued_.get("1")
    for count in ("2", "4"):
        if one and count in queued_:
            result[f"speedup_{count}_workers_over_1"] = round(one["seconds"] / queued_[count]["seconds"], 2)
    two = str(IN_PROCESS_WORKERS)
    if two in queued_ and two in local:
        ratio = queued_[two]["seconds"] / local[two]["seconds"]
        result[f"queue_over_in_process_{two}_workers"] = round(ratio, 3)
        result["queue_overhead_percent"] = round((ratio - 1) * 100, 1)
        # Run by run too: each queued run against the in-process run just before it.
        result["queue_over_in_process_pairs"] = [round(q["seconds"] / i["seconds"], 3) for q, i in
                                                 zip(found["queued"][two], found["in_process"][two])]
    result["set_aside_noisy_runs"] = len(found["set_aside_noisy"])
    if "stopped" in found:
        result["stopped"] = found["stopped"]
    if "killed" in found:
        killed = found["killed"]
        result["killed"] = {key: killed[key] for key in ("seconds", "products_per_second", "task_redelivery_seconds",
                                                        "killed_after_seconds", "kill_to_success_seconds",
                                                        "redelivered_after_seconds")}
    return result


def load_kept() -> dict[str, Any]:
    """The results file as it is: a run on one database keeps the other database's figures."""
    try:
        kept = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept.get("databases"), dict) else {}


def save(results: dict[str, Any]) -> None:
    """Written as it goes: the run is long."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="catalog sizes, comma-separated")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure at sizes up to 100,000 (above: one)")
    parser.add_argument("--kill-sizes", default="100000,1000000",
                        help="sizes at which a worker is killed mid-publication, comma-separated ('' for none)")
    parser.add_argument("--redelivery", type=int, default=10,
                        help="CROSSCANAL_TASK_REDELIVERY_SECONDS of the killed worker's pair (seconds)")
    parser.add_argument("--stop-at", help="HH:MM, UTC: start no run that would not end by then (the figures so far are kept)")
    parser.add_argument("--quiet-wait", type=float, default=90.0,
                        help="seconds to wait at most, before each run, for other processes to quieten")
    args = parser.parse_args()
    QUIET_WAIT[0] = args.quiet_wait
    SERVER[0] = args.database == "postgresql"
    if args.stop_at:
        hour, minute = (int(part) for part in args.stop_at.split(":"))
        STOP_AT[0] = datetime.now(timezone.utc).replace(hour=hour, minute=minute, second=0, microsecond=0)
    # The largest first: the target is measured even when --stop-at cuts the run short.
    sizes = sorted((int(size) for size in args.sizes.split(",") if size.strip()), reverse=True)
    kill_sizes = {int(size) for size in args.kill_sizes.split(",") if size.strip()}
    results = load_kept()
    results.update({
        "channel": CHANNEL, "files": list(FILES), "broker": BROKER,
        "worker_command": "crosscanal worker --concurrency 1 (one process each, a session of its own)",
        "in_process": f"Publisher(..., workers={IN_PROCESS_WORKERS}) in a fresh process (bench.publish_one)",
        "seconds": "the publication's own, queued to finished, from the database; medians where repeated",
        "shard_span": Settings.from_env().shard_span,
        "task_redelivery_seconds": {"normal_runs": DEFAULT_TASK_REDELIVERY, "kill_run": args.redelivery},
        "targets": TARGETS,
    })
    results.setdefault("databases", {})
    # Sizes not measured this time keep their earlier figures (each size says when it was measured).
    earlier = results["databases"].get(args.database, {})
    kept = {size: {"when": earlier.get("when"), **found} for size, found in earlier.get("sizes", {}).items()}
    this = results["databases"][args.database] = {**header(), "sizes": dict(kept), "summary": {}}
    this["summary"] = {size: found["summary"] for size, found in this["sizes"].items() if "summary" in found}
    for size in sizes:
        repeats = args.repeats if size <= 100_000 else 1
        earlier_kill = kept.get(str(size), {}).get("killed") if size not in kill_sizes else None
        found = bench_size(size, args.database, repeats, size in kill_sizes, args.redelivery,
                           lambda found_: (this["sizes"].__setitem__(str(size), found_), save(results)), earlier_kill)
        this["sizes"][str(size)] = found
        this["summary"][str(size)] = found["summary"]
        save(results)
        if "stopped" in found:
            break
    this["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    save(results)
    print(json.dumps(this["summary"], indent=2))
    say(f"every publication succeeded and the feed's bytes were identical across each size's runs; written to {RESULTS}")


if __name__ == "__main__":
    main()
