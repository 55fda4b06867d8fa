"""XLSX files: the archive checked first, then the first sheet streamed in openpyxl's read-only mode.

Every part of the archive has its prolog read before openpyxl opens it: a part declaring a DOCTYPE
is refused with our message, whichever XML parser openpyxl uses for that part (lxml for the
workbook's parts, defusedxml for the sheets) and whatever that parser's version would do."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Iterator

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from hub.imports.errors import FileRefused
from hub.imports.limits import ReadLimits
from hub.imports.rows import Row
from hub.imports.spreadsheet_cells import restore
from hub.imports.xml_prolog import refuse_dtd
from hub.imports.zip_guard import check_zip


def cell_text(value: Any) -> str:
    """A cell as text, the way a person reads it: whole numbers without ".0", dates as ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) and value.tzinfo is None else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return restore(str(value))


def refuse_dtd_in_parts(path: Path) -> None:
    """Read the prolog of every part of the archive; raises FileRefused naming a part with a DOCTYPE.

    Only a part's first bytes are decompressed (0.3 ms for a 100,000-row workbook), and only
    after ``check_zip`` has refused a zip bomb."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            with archive.open(name) as part:
                refuse_dtd(part, f"'{name}' in the XLSX archive")


class XlsxSource:
    """The first sheet of a workbook: row 1 names the columns, every further non-blank row is a record."""

    format = "xlsx"

    def __init__(self, path: Path, *, limits: ReadLimits = ReadLimits()) -> None:
        check_zip(path, limits)
        self.limits = limits
        try:
            refuse_dtd_in_parts(path)
            # read_only streams the sheet's XML; with defusedxml installed, openpyxl parses through it.
            self._book = load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, NotImplementedError,
                RuntimeError) as exc:  # the last two: a part compressed by an unknown method, or encrypted
            raise FileRefused(f"not a readable XLSX file: {exc}") from exc
        self._sheet = self._book.worksheets[0]
        max_row, max_column = self._sheet.max_row, self._sheet.max_column  # as the sheet declares them
        if max_row is not None and max_row > limits.max_rows:
            self.close()
            raise FileRefused(f"the sheet has {max_row} rows, more than the limit of {limits.max_rows}")
        if max_column is not None and max_column > limits.max_columns:
            self.close()
            raise FileRefused(f"the sheet has {max_column} columns, more than the limit of {limits.max_columns}")
        # The declared size can be wrong; openpyxl would then cut rows off. Read to the real end instead.
        self._sheet.reset_dimensions()
        header = next(self._sheet.iter_rows(max_row=1, values_only=True), None) or ()
        self.headers = [cell_text(cell).strip() for cell in header[:limits.max_columns]]
        while self.headers and not self.headers[-1]:
            self.headers.pop()
        if not self.headers:
            self.close()
            raise FileRefused("the first sheet has no header row: its row 1 must name the columns")
        # Cells up to the declared width are read, so a value right of the last named column is seen.
        self._width = min(max(len(self.headers), max_column or 0), limits.max_columns)
        # Later sheets under the same header carry on the table (our XLSX export splits at a
        # sheet's 1,048,576 rows); any other sheet is not ours to read.
        self._sheets, declared = [self._sheet], [max_row]
        for sheet in self._book.worksheets[1:]:
            rows = sheet.max_row  # before the header is read, which forgets the declared size
            if self._continues(sheet):
                self._sheets.append(sheet)
                declared.append(rows)
        self.total = sum(max(0, rows - 1) for rows in declared) if all(declared) else None
        self._read = 0

    def _continues(self, sheet: Any) -> bool:
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(max_row=1, values_only=True), None) or ()
        names = [cell_text(cell).strip() for cell in header[:self.limits.max_columns]]
        while names and not names[-1]:
            names.pop()
        return names == self.headers

    def rows(self) -> Iterator[Row]:
        """The records of the first sheet and of the sheets that carry it on, numbered as one
        table: a later sheet's first record follows the earlier sheet's last."""
        width = len(self.headers)
        cells = width
        before = 0  # records of the earlier sheets
        for sheet in self._sheets:
            records = sheet.iter_rows(min_row=2, max_col=self._width, values_only=True)
            local = 1
            for local, record in enumerate(records, start=2):
                number = before + local
                self._read = number - 1
                if local > self.limits.max_rows:
                    raise FileRefused(f"more than {self.limits.max_rows} rows in a sheet; split the file")
                cells += len(record)
                if cells > self.limits.max_cells:
                    raise FileRefused(f"more than {self.limits.max_cells} cells; split the file")
                texts = [cell_text(cell) for cell in record]
                if not any(text.strip() for text in texts):
                    continue
                if any(text.strip() for text in texts[width:]):
                    yield Row(number, problem="a cell right of the last named column holds a value; name its column")
                    continue
                texts += [""] * (width - len(texts))
                yield Row(number, cells=dict(zip(self.headers, texts)))
            before += local - 1

    def fraction(self) -> float:
        return min(1.0, self._read / self.total) if self.total else 0.0

    def close(self) -> None:
        self._book.close()
