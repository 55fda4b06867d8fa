"""Checking a zip archive's directory before anything in it is decompressed (zip bombs)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hub.imports.errors import FileRefused
from hub.imports.limits import ReadLimits


def check_zip(path: Path, limits: ReadLimits) -> None:
    """Refuse an archive that is not a zip, has too many entries, or would decompress to too
    much, in total or for its size; raises FileRefused naming the limit."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused(f"not an XLSX file: {exc}") from exc
    if len(entries) > limits.max_entries:
        raise FileRefused(f"the XLSX archive holds {len(entries)} files, more than the limit of {limits.max_entries}")
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > limits.max_uncompressed:
            raise FileRefused(
                f"the XLSX archive would decompress to more than the limit of {limits.max_uncompressed} bytes")
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 1 << 20 and ratio > limits.max_ratio:
            raise FileRefused(
                f"'{entry.filename}' in the XLSX archive is compressed {ratio:.0f} to 1, over the limit of "
                f"{limits.max_ratio} to 1: refused as a possible zip bomb")
