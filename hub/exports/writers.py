"""Streaming writers for flat files (CSV, XLSX) and NDJSON, each to a binary stream.

Flat cells pass through ``neutralize`` so a spreadsheet never runs one as a formula; the
importers undo exactly that.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, BinaryIO, Iterable

from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from hub.errors import HubError
from hub.imports.spreadsheet_cells import neutralize


class ExportFailed(HubError):
    """The catalog holds something the chosen format cannot carry."""

    status, title, type = 422, "Export failed", "/problems/export-failed"


def write_csv(header: list[str], rows: Iterable[list[str]], out: BinaryIO) -> None:
    """UTF-8 with a byte-order mark, which spreadsheets need to read accents right; comma-separated."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([neutralize(name) for name in header])
    for row in rows:
        writer.writerow([neutralize(cell) for cell in row])
    text.flush()
    text.detach()  # the caller owns ``out``


def write_xlsx(title: str, header: list[str], rows: Iterable[list[str]], out: BinaryIO) -> None:
    """One sheet, every cell as text (so an EAN keeps its leading zeros), written in write-only mode."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(header)
    for number, row in enumerate(rows, start=2):
        try:
            sheet.append([neutralize(cell) if cell else None for cell in row])
        except IllegalCharacterError as exc:
            raise ExportFailed(f"row {number} holds a control character XLSX cannot store; export it as CSV or NDJSON") from exc
    book.save(out)


def write_ndjson(records: Iterable[dict[str, Any]], out: BinaryIO) -> None:
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
