"""What readers yield and what a batch reports: rows with their number, and rejected rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterator, Protocol

from schemas.common import NUL

SHOWN_NUL = "\u2400"  # SYMBOL FOR NULL, where a kept rejection shows a NUL its row held


@dataclass(frozen=True)
class Row:
    """One record of a file. ``number`` is where a person finds it: the spreadsheet row (the
    header is row 1) for CSV and XLSX, the line for NDJSON and XML, the position for a JSON array.
    ``cells`` maps the file's own headers to text (flat formats); ``body`` is the parsed object
    (JSON formats)."""

    number: int
    cells: dict[str, str] | None = None
    body: Any = None
    problem: str = ""  # why the reader could not make a record of it (the row is then rejected)


@dataclass(frozen=True)
class Rejection:
    """Why one row was not stored, named the way the file names things."""

    row: int
    key: str  # the row's SKU or code, when it has one
    column: str  # the file's header (flat formats) or the field path (JSON formats); "" for the whole row
    value: str
    reason: str
    field: str = ""  # our field path, e.g. values.ean[0].data

    def as_dict(self) -> dict[str, Any]:
        """As the job keeps it: a NUL the file held shown as U+2400 (PostgreSQL keeps no NUL)."""
        return {name: text.replace(NUL, SHOWN_NUL) if isinstance(text, str) else text for name, text in asdict(self).items()}


class RowSource(Protocol):
    """A file opened for reading: its headers (flat formats), its rows, and how far reading got."""

    format: str
    headers: list[str] | None  # None for formats whose records carry their own names (JSON, XML)
    total: int | None  # number of rows, when the format says so before reading them all

    def rows(self) -> Iterator[Row]: ...

    def fraction(self) -> float:
        """The share of the file read so far, from 0 to 1."""
        ...

    def close(self) -> None: ...
