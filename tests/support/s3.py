"""A real S3 HTTP endpoint on loopback: moto's server mode, spoken to by boto3 over HTTP."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from moto.server import ThreadedMotoServer

from tests.support.ports import free_port


@contextmanager
def s3_server() -> Iterator[str]:
    """Run the endpoint until the block ends; yields its URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
