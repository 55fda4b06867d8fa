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


class _LongLine(Exception):
    """A line past the longest record (``CsvSource._lines``)."""


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
            self.headers = self._header(delimiter)
        except FileRefused:
            self.close()
            raise

    def _header(self, delimiter: str | None) -> list[str]:
        """The first line's column names. Its length and its delimiters are counted before it is
        parsed: a 50 MB line without a delimiter broke the csv module with a traceback, and one
        of 26 million commas was parsed whole (580 MB, 12 s) before its width was refused."""
        most = self.limits.max_record_bytes
        try:
            first = self._text.readline(most + 1)
        except UnicodeDecodeError as exc:
            raise FileRefused(f"the file is not {self.encoding}: {exc.reason}; give its encoding") from exc
        if len(first) > most:
            raise FileRefused(f"the first line is longer than {most:,} characters, so it is no header row: "
                              "is this a CSV file?")
        self.delimiter = delimiter or sniff_delimiter(first)
        if first.count(self.delimiter) >= self.limits.max_columns:
            raise FileRefused(f"more than {self.limits.max_columns:,} columns; at most {self.limits.max_columns:,} are read")
        try:
            # Parsed by the csv module too, so a quoted header reads like any cell.
            header = next(csv.reader([first], delimiter=self.delimiter), [])
        except csv.Error as exc:
            raise FileRefused(f"row 1: the header row cannot be read ({exc})") from exc
        headers = [restore(name).strip() for name in header]
        if not any(headers):
            raise FileRefused("the file has no header row: its first line must name the columns")
        return headers

    def rows(self) -> Iterator[Row]:
        reader = csv.reader(self._lines(), delimiter=self.delimiter, strict=True)
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
        except _LongLine:
            raise FileRefused(f"row {number + 1}: a line longer than {self.limits.max_record_bytes:,} characters; "
                              "check the file") from None
        except UnicodeDecodeError as exc:
            raise FileRefused(f"near row {number + 1}: the file is not {self.encoding} ({exc.reason}); give its encoding") from exc

    def _lines(self) -> Iterator[str]:
        """The file's lines after the header, each refused past the longest record: the csv
        module would take a line of any length whole before its cells could be counted."""
        most = self.limits.max_record_bytes
        while line := self._text.readline(most + 1):
            if len(line) > most:
                raise _LongLine
            yield line

    def fraction(self) -> float:
        return min(1.0, self._raw.tell() / self._size) if not self._raw.closed else 1.0

    def close(self) -> None:
        self._text.close()
