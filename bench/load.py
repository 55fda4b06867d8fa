"""Load benchmark (issue 16): a real `crosscanal serve` (one worker process per core, 8 threads
each) on a kept catalog, under 1, 8 and 32 concurrent clients, side by side in one run.

    .venv/bin/python -m bench.load [--size 100000] [--databases sqlite postgresql] [--seconds 8]
                                   [--clients 1 8 32] [--workers N]

Per database and number of clients, for a few seconds each: a product GET (a random SKU), the
product list's first page (50), a feed pulled again with its ETag (304) and whole, and a PATCH of
a random product (no If-Match), also while the Google feed is published again and again (every
item rendered, in worker processes of its own). Each figure is requests per second with the median, 95th and
99th percentile latency, and every answer outside 2xx/304 counted. The clients run in two
processes of threads with keep-alive connections, on the same two cores as the server: what
they spend is taken from the server. Writes bench/results/load.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from bench.catalogs import catalog, environment
from bench.machine import header
from bench.server import running_hub
from hub.config import Settings
from hub.store.db import make_engine
from hub.store.models import Product

RESULTS = Path(__file__).with_name("results") / "load.json"
CHANNEL = "google_shopping"
TARGETS = {"product_get_per_second": 400, "list_page_per_second": 150, "p99_ms_at_32_clients": 250, "server_errors": 0}
SCENARIOS = ("product_get", "list_page", "feed_304", "feed_full", "patch", "patch_while_publishing")


def request_for(scenario: str, plan: dict[str, Any], rng: random.Random) -> tuple[str, str, bytes | None, dict[str, str]]:
    """One request of ``scenario``: method, path, body, headers."""
    auth = {"Authorization": f"Bearer {plan['token']}"}
    if scenario == "product_get":
        return "GET", f"/api/v1/products/{rng.choice(plan['skus'])}", None, auth
    if scenario == "list_page":
        return "GET", "/api/v1/products?limit=50", None, auth
    if scenario == "feed_304":
        return "GET", plan["feed"], None, {"If-None-Match": plan["feed_etag"]}
    if scenario == "feed_full":
        return "GET", plan["feed"], None, {}
    body = json.dumps({"enabled": rng.random() < 0.9}).encode()
    return "PATCH", f"/api/v1/products/{rng.choice(plan['skus'])}", body, {**auth, "Content-Type": "application/merge-patch+json"}


def client_process(base: str, scenario: str, plan: dict[str, Any], threads: int, seconds: float, seed: int) -> dict[str, Any]:
    """``threads`` clients, each on its own keep-alive connection, for ``seconds``."""
    where = urlsplit(base)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    received = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def one(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=120)
        mine: list[float] = []
        seen: dict[int, int] = {}
        size = 0
        while time.monotonic() < deadline:
            method, path, body, headers = request_for(scenario, plan, rng)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                answer = connection.getresponse()
                while chunk := answer.read(1 << 20):
                    size += len(chunk)
                status = answer.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(where.hostname, where.port, timeout=120)
                status = 0  # no answer at all
            mine.append(time.perf_counter() - started)
            seen[status] = seen.get(status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)
            received[0] += size
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    workers = [threading.Thread(target=one, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {"latencies": latencies, "statuses": statuses, "bytes": received[0]}


def measure(base: str, scenario: str, plan: dict[str, Any], clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` concurrent clients split over up to two processes; their figures together."""
    processes = min(clients, 2)
    shares = [clients // processes + (1 if n < clients % processes else 0) for n in range(processes)]
    publishing = scenario == "patch_while_publishing"
    stop, publications = threading.Event(), []
    if publishing:
        publisher = threading.Thread(target=publish_until, args=(plan["env"], stop, publications))
        publisher.start()
        time.sleep(2)  # under way: its workers started
    try:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            parts = pool.starmap(client_process, [(base, "patch" if publishing else scenario, plan, share, seconds, n)
                                                  for n, share in enumerate(shares)])
    finally:
        stop.set()
        if publishing:
            publisher.join()
    latencies = sorted(x for part in parts for x in part["latencies"])
    statuses: dict[str, int] = {}
    for part in parts:
        for status, count in part["statuses"].items():
            statuses[str(status)] = statuses.get(str(status), 0) + count

    def percentile(share: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(share * len(latencies)))], 1) if latencies else 0.0

    return {
        "clients": clients, "requests": len(latencies), "per_second": round(len(latencies) / seconds, 1),  # each client counts within its own window
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else 0.0,
        "p95_ms": percentile(0.95), "p99_ms": percentile(0.99), "max_ms": round(1000 * latencies[-1], 1) if latencies else 0.0,
        "statuses": statuses, "failed": sum(count for status, count in statuses.items() if status not in ("200", "304")),
        "megabytes_per_second": round(sum(part["bytes"] for part in parts) / seconds / 1e6, 1),
        **({"publications_meanwhile_seconds": publications} if publishing else {}),
    }


def publish_until(env: dict[str, str], stop: threading.Event, seconds: list[float]) -> None:
    """Publish the channel afresh (every item rendered), again and again until ``stop``."""
    while not stop.is_set():
        answer = subprocess.run([sys.executable, "-m", "bench.publish_one", CHANNEL, "--workers", "0", "--fresh"],
                                env=env, check=True, capture_output=True, text=True)
        seconds.append(json.loads(answer.stdout.strip().splitlines()[-1])["seconds"])


def prepare(folder: Path, env: dict[str, str]) -> dict[str, Any]:
    """An editor token, 5,000 SKUs to pick from, and the channel's feed published (its URL and ETag)."""
    token = subprocess.run([sys.executable, "-m", "hub.cli", "token", "create", "--role", "editor", "--name", "load bench"],
                           env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    settings = Settings.from_env(env)
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        skus = list(connection.scalars(select(Product.sku).order_by(Product.id).limit(5000)))
    engine.dispose()
    published = subprocess.run([sys.executable, "-m", "bench.publish_one", CHANNEL, "--workers", "0"],
                               env=env, check=True, capture_output=True, text=True)
    assert json.loads(published.stdout.strip().splitlines()[-1])["status"] == "succeeded", published.stdout
    feeds = subprocess.run([sys.executable, "-m", "hub.cli", "feeds"], env=env, check=True, capture_output=True, text=True).stdout
    line = next(line for line in feeds.splitlines() if line.startswith(CHANNEL + " ") and ".xml" in line)
    url = urlsplit(line.split()[-1])
    return {"token": token, "skus": skus, "feed": f"{url.path}?{url.query}", "env": env}


def bench_database(database: str, size: int, clients: list[int], seconds: float, workers: int | None,
                   scenarios: list[str]) -> dict[str, Any]:
    folder, _ = catalog(size, database)
    env = environment(folder)
    plan = prepare(folder, env)
    found: dict[str, Any] = {}
    with running_hub(Settings.from_env(env).database_url, folder, workers=workers) as base:
        where = urlsplit(base)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=120)
        connection.request("GET", plan["feed"])
        answer = connection.getresponse()
        answer.read()
        plan["feed_etag"] = answer.getheader("ETag")
        plan["feed_bytes"] = int(answer.getheader("Content-Length") or 0)
        connection.close()
        for scenario in scenarios:
            for count in clients:
                found.setdefault(scenario, {})[str(count)] = figures = measure(base, scenario, plan, count, seconds)
                print(database, scenario, count, json.dumps({k: v for k, v in figures.items() if k != "statuses"}), flush=True)
    found["feed_bytes"] = plan["feed_bytes"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=None, help="server worker processes (default: serve's, one per core)")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    args = parser.parse_args()
    results: dict[str, Any] = {**header(), "size": args.size, "channel": CHANNEL, "targets": TARGETS,
                               "server_workers": args.workers or "one per core", "runs": {}}
    for database in args.databases:
        results["runs"][database] = bench_database(database, args.size, args.clients, args.seconds, args.workers,
                                                   args.scenarios)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
