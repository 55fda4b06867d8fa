"""A real S3 HTTP endpoint on loopback: moto's server mode, spoken to by boto3 over HTTP."""

from __future__ import annotations

import socket
from contextlib import contextmanager
from typing import Iterator

from moto.server import ThreadedMotoServer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def s3_server() -> Iterator[str]:
    """Run the endpoint until the block ends; yields its URL."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
