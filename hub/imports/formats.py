"""Choosing the reader for a file: by the format asked for, else by its name, else by its first bytes."""

from __future__ import annotations

from pathlib import Path

from hub.imports.csv_reader import CsvSource
from hub.imports.errors import FileRefused
from hub.imports.json_reader import JsonArraySource, NdjsonSource
from hub.imports.limits import ReadLimits
from hub.imports.rows import RowSource
from hub.imports.xml_reader import XmlSource

FORMATS = ("csv", "xlsx", "ndjson", "json", "xml")
SUFFIXES = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".ndjson": "ndjson", ".jsonl": "ndjson",
            ".json": "json", ".xml": "xml"}


def detect_format(path: Path, filename: str | None = None) -> str:
    """The format a file's name says, or failing that its first bytes; raises FileRefused."""
    suffix = Path(filename or path.name).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    with path.open("rb") as raw:
        start = raw.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"PK\x03\x04"):
        return "xlsx"
    if start.startswith(b"<"):
        return "xml"
    if start.startswith(b"["):
        return "json"
    if start.startswith(b"{"):
        return "ndjson"
    if start:
        return "csv"
    raise FileRefused("the file is empty")


def open_source(path: Path, fmt: str, *, encoding: str | None = None, delimiter: str | None = None,
                limits: ReadLimits = ReadLimits()) -> RowSource:
    """Open ``path`` with the reader for ``fmt``; raises FileRefused when it cannot be read."""
    if fmt == "csv":
        return CsvSource(path, encoding=encoding, delimiter=delimiter, limits=limits)
    if fmt == "xlsx":
        from hub.imports.xlsx_reader import XlsxSource  # openpyxl takes a third of a second to import: only for XLSX

        return XlsxSource(path, limits=limits)
    if fmt == "ndjson":
        return NdjsonSource(path, limits=limits)
    if fmt == "json":
        return JsonArraySource(path, limits=limits)
    if fmt == "xml":
        return XmlSource(path, limits=limits)
    raise FileRefused(f"unknown format '{fmt}'; formats are {', '.join(FORMATS)}")
