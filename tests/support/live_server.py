"""The app served over real HTTP on a free loopback port, in a thread of the test process."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from flask import Flask
from waitress import create_server, wasyncore


@contextmanager
def serving(app: Flask, threads: int = 4) -> Iterator[str]:
    """The base URL of ``app`` served by waitress until the block ends."""
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="crosscanal-test")
    thread = threading.Thread(target=server.run, daemon=True, name="test-server")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Close the sockets from the server's own loop thread: closing them from here raced with
        # its select() ("Bad file descriptor" in the loop or in a worker waking it).
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        except OSError:  # its trigger is closed already: the loop has ended
            pass
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()
