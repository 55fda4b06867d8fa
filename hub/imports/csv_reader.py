"""Flat CSV files: encoding detected (or given), delimiter sniffed (or given), rows read lazily."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

from hub.imports.errors import FileRefused
from hub.imports.limits import ReadLimits
from hub.imports.rows import Row
from hub.imports.spreadsheet_cells import QUOTE, restore
from hub.imports.text_encoding import detect_encoding, sniff_delimiter


class CsvSource:
    """A CSV file with a header row; each further record is one row, numbered as a spreadsheet
    shows it (the header is row 1). Blank records are skipped but still counted."""

    format = "csv"
    total = None

    def __init__(self, path: Path, *, encoding: str | None = None, delimiter: str | None = None,
                 limits: ReadLimits = ReadLimits()) -> None:
        self.path = path
        self.limits = limits
        self.encoding = encoding or detect_encoding(path)
        self._raw = path.open("rb")
        self._size = max(1, path.stat().st_size)
        self._text = io.TextIOWrapper(self._raw, encoding=self.encoding, newline="")
        try:
            first = self._text.readline()
        except UnicodeDecodeError as exc:
            self.close()
            raise FileRefused(f"the file is not {self.encoding}: {exc.reason}; give its encoding") from exc
        self.delimiter = delimiter or sniff_delimiter(first)
        # The header line is parsed by the csv module too, so a quoted header reads like any cell.
        header = next(csv.reader([first], delimiter=self.delimiter), [])
        self.headers = [restore(name).strip() for name in header]
        if not any(self.headers):
            self.close()
            raise FileRefused("the file has no header row: its first line must name the columns")
        if len(self.headers) > limits.max_columns:
            self.close()
            raise FileRefused(f"{len(self.headers)} columns; at most {limits.max_columns} are read")

    def rows(self) -> Iterator[Row]:
        reader = csv.reader(self._text, delimiter=self.delimiter, strict=True)
        width = len(self.headers)
        number = 1
        try:
            for record in reader:
                number += 1
                if number - 1 > self.limits.max_rows:
                    raise FileRefused(f"more than {self.limits.max_rows} rows; split the file")
                if not "".join(record).strip():  # a blank line, or only blank cells
                    continue
                if len(record) != width:
                    yield Row(number, problem=f"{len(record)} cells, but the header names {width} columns")
                    continue
                yield Row(number, cells={name: restore(cell) if cell[:1] == QUOTE else cell  # restore: only a quoted cell changes
                                         for name, cell in zip(self.headers, record)})
        except csv.Error as exc:
            raise FileRefused(f"row {number + 1}: the CSV cannot be read ({exc})") from exc
        except UnicodeDecodeError as exc:
            raise FileRefused(f"near row {number + 1}: the file is not {self.encoding} ({exc.reason}); give its encoding") from exc

    def fraction(self) -> float:
        return min(1.0, self._raw.tell() / self._size) if not self._raw.closed else 1.0

    def close(self) -> None:
        self._text.close()
