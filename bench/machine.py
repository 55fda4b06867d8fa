"""What every result file starts with: when it was measured, and on what."""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone
from typing import Any


def header() -> dict[str, Any]:
    """``when`` (UTC, to the second) and ``machine`` (Python, platform, cores): figures from
    different days and machines are only comparable with these beside them."""
    return {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
    }
