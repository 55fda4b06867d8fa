"""Installing the third-party adapter package under tests/plugins the way a user would: pip."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def pip_install(package: str, target: Path) -> Path:
    """``pip install`` the package into ``target`` (not the venv), offline, and answer the folder.

    It is built from a private copy: pip builds in the source folder, and two test workers
    building the same folder at once collided on its build directory."""
    source = target.with_name(f"{target.name}-source")
    shutil.copytree(PLUGINS / package, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(source)],
        check=True,
    )
    return target
