"""Redis for the tests that run real Celery workers: the machine's own (started when it is down,
as DESIGN.md says), or the server in ``CROSSCANAL_TEST_REDIS_URL``; each test run claims a
database number of its own, so runs never see each other's tasks."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from typing import Iterator

from redis import Redis
from redis.exceptions import RedisError

DEFAULT_REDIS = "redis://127.0.0.1:6379"
CLAIM = "crosscanal:test-run"  # the key that marks a database number as one run's
CLAIM_SECONDS = 6 * 3600  # a run killed before it released its number frees it after this


def _reachable(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=2).ping())
    except RedisError:
        return False


def ensure_redis() -> str:
    """The URL (without a database number) of a reachable Redis; starts the local one when it is down."""
    given = os.environ.get("CROSSCANAL_TEST_REDIS_URL")
    url = (given or DEFAULT_REDIS).rstrip("/")
    if _reachable(url):
        return url
    if given:
        raise RuntimeError(f"CROSSCANAL_TEST_REDIS_URL={given} is not reachable")
    if shutil.which("redis-server") is None:
        raise RuntimeError("no Redis at 127.0.0.1:6379 and no redis-server installed; set CROSSCANAL_TEST_REDIS_URL")
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
                    "--appendonly", "no"], check=False, stdout=subprocess.DEVNULL)
    for _ in range(60):
        if _reachable(url):
            return url
        time.sleep(0.5)
    raise RuntimeError("started redis-server, but it did not answer on 127.0.0.1:6379 within 30 s")


@contextmanager
def claimed_database() -> Iterator[str]:
    """A Redis database number no other test run holds, emptied, as a URL; emptied again after."""
    base = ensure_redis()
    databases = int(Redis.from_url(base).config_get("databases").get("databases", 16))
    for number in range(1, databases):  # 0 is the default of everyone else
        client = Redis.from_url(f"{base}/{number}")
        if client.set(CLAIM, str(os.getpid()), nx=True, ex=CLAIM_SECONDS):
            break
    else:
        raise RuntimeError(f"every Redis database 1-{databases - 1} is claimed by another test run")
    for key in client.scan_iter():
        if key != CLAIM.encode():
            client.delete(key)
    try:
        yield f"{base}/{number}"
    finally:
        client.flushdb()
        client.close()
