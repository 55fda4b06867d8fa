"""Installing the third-party adapter package under tests/plugins the way a user would: pip."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def pip_install(package: str, target: Path) -> Path:
    """``pip install`` the package into ``target`` (not the venv), offline, and answer the folder."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(PLUGINS / package)],
        check=True,
    )
    return target
