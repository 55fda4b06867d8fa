"""SQLite's writers take their turn in the order they came.

SQLite lets one writer in at a time; a writer that finds the lock taken sleeps and tries again,
its sleeps growing to 100 ms, while a writer that just arrived may get in first. Under eight
clients PATCHing, half the writes took 15 ms and one in a hundred over a second (2.3 s at most).
Here each writer transaction (``BEGIN IMMEDIATE``) first waits at a gate: threads of one process
in arrival order, processes on an exclusive ``flock`` of a file beside the database, so SQLite
finds its lock free. The gate is left when the transaction ends, however it ends.

A wait is bounded by the database's busy timeout: past it the writer goes on and SQLite decides
as before (a writer that waits on something holding the gate must not wait for ever). A thread
already holding the gate, opening a second writer transaction, does not queue behind itself.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

HELD = "writer_gate"  # the key of a pooled connection's ``info`` while its transaction holds the gate


class WriterGate:
    def __init__(self, database: str, timeout: float) -> None:
        self.path = f"{database}.writers"
        self.timeout = timeout
        self._lock = threading.Lock()  # this process's writers; a release wakes a waiter at once
        self._holder: int | None = None  # the thread inside

    def enter(self, info: dict[str, Any]) -> None:
        """Wait for this process's writers, then for the other processes'; ``info`` (the pooled
        connection's, which lives as long as the connection) remembers that it holds the gate."""
        if self._holder == threading.get_ident():
            return  # this thread holds the gate already (see above)
        deadline = time.monotonic() + self.timeout
        if not self._lock.acquire(timeout=self.timeout):
            return
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(handle)
                    self._lock.release()
                    return
                time.sleep(0.0005)  # one writer of each other process at most: it leaves within its transaction
        self._holder = threading.get_ident()
        info[HELD] = handle

    def leave(self, info: dict[str, Any]) -> None:
        """The transaction ended: let the next writer in."""
        handle = info.pop(HELD, None)
        if handle is None:
            return
        fcntl.flock(handle, fcntl.LOCK_UN)
        os.close(handle)
        self._holder = None
        self._lock.release()
