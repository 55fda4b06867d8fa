"""NDJSON (one object per line) and JSON arrays of objects, both read as a stream of records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from hub.imports.errors import FileRefused
from hub.imports.limits import ReadLimits
from hub.imports.rows import Row
from schemas import json_input

CHUNK = 1 << 16


class NdjsonSource:
    """One JSON object per line; blank lines are skipped, a malformed line is a rejected row."""

    format = "ndjson"
    headers = None
    total = None

    def __init__(self, path: Path, *, limits: ReadLimits = ReadLimits()) -> None:
        self.limits = limits
        self._file = path.open("rb")
        self._size = max(1, path.stat().st_size)

    def rows(self) -> Iterator[Row]:
        limit = self.limits.max_record_bytes
        number = 0
        while raw := self._file.readline(limit + 1):
            number += 1
            if number > self.limits.max_rows * 10:
                raise FileRefused(f"more than {self.limits.max_rows * 10} lines; split the file")
            if len(raw) > limit:
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line without holding it
                    raw = self._file.readline(limit)
                yield Row(number, problem=f"the line is longer than the limit of {limit} bytes")
                continue
            if not raw.strip():
                continue
            try:
                yield Row(number, body=json_input.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8")))
            except (ValueError, UnicodeDecodeError) as exc:
                yield Row(number, problem=f"malformed JSON: {exc}")

    def fraction(self) -> float:
        return min(1.0, self._file.tell() / self._size) if not self._file.closed else 1.0

    def close(self) -> None:
        self._file.close()


class JsonArraySource:
    """A JSON array of objects, decoded one element at a time (the array is never held whole).

    Rows are numbered by their position in the array, from 1.
    """

    format = "json"
    headers = None
    total = None

    def __init__(self, path: Path, *, limits: ReadLimits = ReadLimits()) -> None:
        self.limits = limits
        self._file = path.open("r", encoding="utf-8-sig")
        self._size = max(1, path.stat().st_size)
        self._decoder = json.JSONDecoder()
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self._fill()
        self._skip_space()
        if self._peek() != "[":
            self.close()
            raise FileRefused("a JSON import is an array of objects ([{...}, ...]) or NDJSON, one object per line")
        self._pos += 1

    def _fill(self) -> bool:
        chunk = self._file.read(CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buffer = self._buffer[self._pos:] + chunk
        self._pos = 0
        return True

    def _peek(self) -> str:
        while self._pos >= len(self._buffer) and not self._eof:
            self._fill()
        return self._buffer[self._pos] if self._pos < len(self._buffer) else ""

    def _skip_space(self) -> None:
        while self._peek() in (" ", "\t", "\r", "\n") and self._peek():
            self._pos += 1

    def _element(self) -> Any:
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as exc:
                if len(self._buffer) - self._pos > self.limits.max_record_bytes:
                    raise FileRefused(f"an element is longer than the limit of {self.limits.max_record_bytes} bytes") from exc
                if self._eof or not self._fill():
                    raise FileRefused(f"malformed JSON: {exc.msg} at character {exc.pos}") from exc
                continue
            except RecursionError:
                raise FileRefused(f"an element is nested more than {json_input.MAX_DEPTH} levels deep") from None
            # A number at the end of the buffer may go on in the next chunk; read on to be sure.
            if end == len(self._buffer) and not self._eof and self._fill():
                continue
            self._pos = end
            return value

    def rows(self) -> Iterator[Row]:
        number = 0
        self._skip_space()
        if self._peek() == "]":
            return
        while True:
            number += 1
            if number > self.limits.max_rows * 10:
                raise FileRefused(f"more than {self.limits.max_rows * 10} elements; split the file")
            self._skip_space()
            yield Row(number, body=self._element())
            self._skip_space()
            following = self._peek()
            self._pos += 1
            if following == "]":
                return
            if following != ",":
                raise FileRefused(f"malformed JSON after element {number}: expected ',' or ']'")

    def fraction(self) -> float:
        return min(1.0, self._file.buffer.tell() / self._size) if not self._file.closed else 1.0

    def close(self) -> None:
        self._file.close()
