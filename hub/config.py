"""Settings: the one place where ``CROSSCANAL_*`` environment variables are read."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

DEFAULT_IMPORT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_FEED_VERSIONS = 3
DEFAULT_TASK_REDELIVERY = 300  # seconds; see Settings.task_redelivery
DEFAULT_EXPORT_RUN_SIZE = 50_000  # products a worker writes of a queued export at a time: a million is 20 runs
DEFAULT_SHARD_SPAN = 5_000  # a few thousand products: small enough to spread, big enough to be cheap to plan


@dataclass(frozen=True)
class Settings:
    """Everything the hub needs to know about its surroundings, read once at start-up."""

    data_dir: Path
    database_url: str
    publish_url: str
    secret_key: str
    disabled_adapters: frozenset[str] = field(default_factory=frozenset)
    public_url: str = "http://127.0.0.1:8000"  # how channels reach this hub: image links in feeds
    import_max_bytes: int = DEFAULT_IMPORT_MAX_BYTES  # an import file uploaded over HTTP; the CLI has no limit
    shard_span: int = DEFAULT_SHARD_SPAN  # product ids per publishing shard: the unit a worker renders
    export_run_size: int = DEFAULT_EXPORT_RUN_SIZE  # products per run of a queued export job (hub.jobs.exports)
    # Proxies in front whose X-Forwarded-For/-Proto/-Host are believed: 0 believes none, so a
    # client cannot claim https (or another address) by sending the headers itself.
    trusted_proxies: int = 0
    # Celery's broker and result backend (Redis); None runs publications and jobs in-process.
    broker_url: str | None = None
    # How long a task a worker took, but neither finished nor gave back (its process was killed),
    # waits before the broker hands it to another worker (Redis's visibility timeout). Longer
    # than any one task takes: a shard is a few seconds, a publication's stitching under a minute.
    task_redelivery: int = DEFAULT_TASK_REDELIVERY
    # A channel's published sets of files kept in its destination, the current one included:
    # a reader still downloading an older set finishes it.
    feed_versions: int = DEFAULT_FEED_VERSIONS

    @property
    def media_url(self) -> str:
        return self.public_url.rstrip("/") + "/media/"

    @property
    def media_dir(self) -> Path:
        """Uploaded and demo media live under the data dir so one folder holds all state."""
        return self.data_dir / "media"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Read the environment; defaults make an embedded SQLite hub under ``./var``."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("CROSSCANAL_DATA_DIR", "var")).resolve()
        database_url = env.get("CROSSCANAL_DATABASE_URL") or f"sqlite:///{data_dir / 'crosscanal.db'}"
        return cls(
            data_dir=data_dir,
            database_url=normalize_database_url(database_url),
            publish_url=env.get("CROSSCANAL_PUBLISH_URL") or str(data_dir / "feeds"),
            # A random key keeps a forgotten setting safe; sessions just do not survive restarts.
            secret_key=env.get("CROSSCANAL_SECRET_KEY") or secrets.token_hex(32),
            public_url=env.get("CROSSCANAL_PUBLIC_URL", "http://127.0.0.1:8000"),
            disabled_adapters=frozenset(
                name.strip() for name in env.get("CROSSCANAL_DISABLED_ADAPTERS", "").split(",") if name.strip()
            ),
            import_max_bytes=_size(env, "CROSSCANAL_IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES),
            shard_span=_count(env, "CROSSCANAL_SHARD_SPAN", DEFAULT_SHARD_SPAN),
            export_run_size=_count(env, "CROSSCANAL_EXPORT_RUN_SIZE", DEFAULT_EXPORT_RUN_SIZE),
            trusted_proxies=_count(env, "CROSSCANAL_TRUSTED_PROXIES", 0),
            broker_url=env.get("CROSSCANAL_BROKER_URL") or None,
            task_redelivery=_count(env, "CROSSCANAL_TASK_REDELIVERY_SECONDS", DEFAULT_TASK_REDELIVERY),
            feed_versions=_count(env, "CROSSCANAL_FEED_VERSIONS", DEFAULT_FEED_VERSIONS),
        )


_UNITS = {"": 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3}


def _size(env: Mapping[str, str], name: str, default: int) -> int:
    """A size in bytes, or with a unit (``200MB``, ``1GiB``); a bad value stops the start-up,
    naming the variable, rather than leaving a limit nobody meant."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    number = raw.rstrip("BbKkMmGgIi ")
    unit = raw[len(number):].strip().upper()
    try:
        size = int(number) * _UNITS[unit]
    except (ValueError, KeyError):
        raise ValueError(f"{name}: '{raw}' is not a size; give a whole number of bytes, or one with a unit "
                         f"(KB, MB, GB, KiB, MiB, GiB)") from None
    if size <= 0:
        raise ValueError(f"{name}: '{raw}' must be more than 0")
    return size


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ValueError(f"{name}: '{raw}' is not a whole number above 0")
    return int(raw)


def normalize_database_url(url: str) -> str:
    """Route plain ``postgresql://`` URLs to psycopg 3, the only PostgreSQL driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def default_workers() -> int:
    """Worker processes for a publication's shards or an export's runs: one per core."""
    return os.cpu_count() or 1


PER_WORKER = 20_000  # the fewest products worth a worker process: starting one takes about a second


def workers_for(products: int, asked: int | None = None) -> int:
    """Processes for work over ``products``: as many as asked; by default one per core, but no
    more than give each ``PER_WORKER`` products (below that, one process does it all)."""
    if asked:
        return asked
    return max(1, min(default_workers(), products // PER_WORKER))
