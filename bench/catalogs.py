"""Generated demo catalogs for benchmarks, kept under var/bench and reused: 100,000 products
take minutes to generate."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

CATALOGS = Path("var") / "bench"


def catalog(size: int) -> tuple[Path, float | None]:
    """The data folder of a SQLite catalog of ``size`` generated products, and how many seconds
    generating it took (None when a kept one was reused)."""
    folder = (CATALOGS / f"catalog-{size}").resolve()
    if (folder / "ready").exists():
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "hub.cli", "demo", "--products", str(size)], env=environment(folder),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (folder / "ready").write_text("generated\n")
    return folder, round(time.perf_counter() - started, 1)


def environment(folder: Path) -> dict[str, str]:
    """The process environment that points the hub at a kept catalog (SQLite in its folder)."""
    env = {**os.environ, "CROSSCANAL_DATA_DIR": str(folder)}
    env.pop("CROSSCANAL_DATABASE_URL", None)
    return env
