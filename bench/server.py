"""A real hub (`crosscanal serve`) in its own process on a loopback port, for benchmarks that
speak HTTP as channels and scripts do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_hub(database_url: str, data_dir: Path, workers: int | None = 1) -> Iterator[str]:
    """Serve until the block ends, with ``workers`` processes (None: serve's default, one per
    core); yields the base URL."""
    port = free_port()
    env = {**os.environ, "CROSSCANAL_DATABASE_URL": database_url, "CROSSCANAL_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "hub.cli", "serve", "--port", str(port), *(["--workers", str(workers)] if workers else [])]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the hub did not start")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
