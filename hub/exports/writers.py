"""Streaming writers for flat files (CSV, XLSX) and NDJSON, each to a binary stream.

Flat cells pass through ``neutralize`` so a spreadsheet never runs one as a formula; the
importers undo exactly that.
"""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any, BinaryIO, Iterable

import orjson
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from hub.errors import HubError
from hub.imports.spreadsheet_cells import neutralize, neutralized


class ExportFailed(HubError):
    """The catalog holds something the chosen format cannot carry."""

    status, title, type = 422, "Export failed", "/problems/export-failed"


def write_csv(header: list[str], rows: Iterable[list[str]], out: BinaryIO) -> None:
    """UTF-8 with a byte-order mark, which spreadsheets need to read accents right; comma-separated."""
    write_csv_rows(itertools.chain([header], rows), out, mark=True)


def write_csv_rows(rows: Iterable[list[str]], out: BinaryIO, mark: bool = False) -> None:
    """Rows of a CSV file, each cell formula-safe; the byte-order mark first with ``mark``. A file
    written in pieces by several processes and joined has the mark in its first piece only."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if mark else "utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    for row in rows:
        writer.writerow(neutralized(row))
    text.flush()
    text.detach()  # the caller owns ``out``


SHEET_ROWS = 1_048_576  # the most rows a sheet holds, the header included


def write_xlsx(title: str, header: list[str], rows: Iterable[list[str]], out: BinaryIO) -> None:
    """Every cell as text (so an EAN keeps its leading zeros), written in write-only mode. A sheet
    holds at most ``SHEET_ROWS`` rows: the rows go on in a next sheet ("products (2)", ...) under
    the same header, which the importer reads as the rest of the same table."""
    book = Workbook(write_only=True)
    sheet, used, sheets = None, SHEET_ROWS, 0
    for number, row in enumerate(rows, start=2):
        if used == SHEET_ROWS:
            sheets += 1
            sheet = book.create_sheet(title if sheets == 1 else f"{title} ({sheets})")
            sheet.append(header)
            used = 1
        try:
            sheet.append([neutralize(cell) if cell else None for cell in row])  # type: ignore[union-attr]
        except IllegalCharacterError as exc:
            raise ExportFailed(f"row {number} holds a control character XLSX cannot store; export it as CSV or NDJSON") from exc
        used += 1
    if sheet is None:
        book.create_sheet(title).append(header)
    book.save(out)


def write_ndjson(records: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    """Compact UTF-8 JSON, a record a line, through orjson (the standard module was a fifth of an
    export); answers how many records."""
    count = 0
    for record in records:
        out.write(orjson.dumps(record) + b"\n")
        count += 1
    return count
