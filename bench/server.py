"""A real hub (`crosscanal serve`) in its own process on a loopback port, for benchmarks that
speak HTTP as channels and scripts do."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.support.ports import free_port, wait_until_listening


@contextmanager
def running_hub(database_url: str, data_dir: Path, workers: int | None = 1) -> Iterator[str]:
    """Serve until the block ends, with ``workers`` processes (None: serve's default, one per
    core); yields the base URL."""
    port = free_port()
    env = {**os.environ, "CROSSCANAL_DATABASE_URL": database_url, "CROSSCANAL_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "hub.cli", "serve", "--port", str(port), *(["--workers", str(workers)] if workers else [])]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
