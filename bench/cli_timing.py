"""A ``crosscanal`` command timed in a fresh process: its wall time and its own peak memory
(the child's rusage, not the benchmark's)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from typing import Any


def timed(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run ``python -m hub.cli ARGS``; raises with its output when it fails."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen([sys.executable, "-m", "hub.cli", *args], env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"crosscanal {' '.join(args)} failed:\n{text[-2000:]}")
    return {"seconds": round(seconds, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1), "output": text}
