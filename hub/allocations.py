"""Bulk work allocates millions of short-lived, acyclic objects (decoded documents, views, rows):
with Python's default thresholds the cyclic collector runs every 700 allocations and, every
hundredth run, walks every live object of the process. A profile of a 100,000-product Google
publication put a quarter of its time there, and the demo's bulk saves a fifth.

Inside ``bulk()`` the youngest generation collects after 200,000 allocations instead: cycles
are still found, just later, and memory stays within a few MB of the default's. (50,000 was not
enough: a batch of 1,000 products keeps about that many objects alive while it renders, and each
collection walked them; at 100,000 products the Google feed spent 0.8 s of 11 s collecting, 0.1 s
at 200,000.)
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

YOUNG_THRESHOLD = 200_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] = ()


@contextmanager
def bulk() -> Iterator[None]:
    """Collect cycles less often while the block runs; blocks may nest and overlap in threads
    (the thresholds are the process's), the last to leave restores them."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(YOUNG_THRESHOLD, _saved[0]), *_saved[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)
