"""Loopback ports for servers the tests and benchmarks start: a free one, and waiting until a
started process listens on it."""

from __future__ import annotations

import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, seconds: float = 30) -> None:  # type: ignore[type-arg]
    """Return once ``process`` accepts connections on ``port``; raise RuntimeError if it ends
    first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"nothing listens on port {port}: the server did not start") from None
            time.sleep(0.1)
