"""The column-mapping preview: a file's headers and first rows, and what each header would set,
checked exactly as the import will check it, before anything is imported."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from hub.imports.errors import FileRefused
from hub.imports.flat_columns import ColumnProblem, detect_kind, parse_column, parse_header
from hub.imports.formats import detect_format, open_source
from hub.imports.limits import ReadLimits
from hub.imports.mappings import combined
from hub.services.context import CatalogContext
from schemas.imports import DELIMITERS

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class HeaderCheck:
    """One header of the file: the column it maps to ("" when ignored) and whether we know it."""

    header: str
    name: str
    status: str  # "ok", "ignored" or "unknown"
    reason: str = ""


@dataclass
class Preview:
    format: str
    kind: str | None
    flat: bool  # False for JSON, whose records name their own fields (no mapping applies)
    headers: list[HeaderCheck] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # the first rows: cells in header order, or JSON text
    problems: list[str] = field(default_factory=list)  # what would refuse the whole file

    @property
    def ready(self) -> bool:
        return not self.problems


def preview(session: Session, path: Path, options: dict[str, Any], limits: ReadLimits = ReadLimits()) -> Preview:
    """Read the start of the upload at ``path`` with a loaded ``ImportOptionsIn``'s options; raises
    FileRefused when the file cannot be read at all, NotFound for an unknown saved mapping."""
    fmt = options.get("format") or detect_format(path, options.get("filename"))
    delimiter = DELIMITERS.get(options.get("delimiter") or "", None)
    source = open_source(path, fmt, encoding=options.get("encoding"), delimiter=delimiter, limits=limits)
    try:
        mapping = combined(session, options.get("mapping"), options.get("columns") or {})
        first = list(itertools.islice(source.rows(), SAMPLE_ROWS))
        headers = source.headers
        if headers is None and fmt == "xml":
            headers = list(dict.fromkeys(name for row in first for name in (row.cells or {})))
        if headers is None:
            rows = [json.dumps(row.body, ensure_ascii=False)[:500] if not row.problem else row.problem for row in first]
            return Preview(fmt, options.get("kind"), False, rows=[[text] for text in rows])
        return _flat(session, fmt, headers, mapping, options.get("kind"), first)
    finally:
        source.close()


def _flat(session: Session, fmt: str, headers: list[str], mapping: dict[str, str], kind: str | None,
          first: list[Any]) -> Preview:
    ctx = CatalogContext(session)
    names = [mapping.get(h, h).strip() for h in headers]
    kind = kind or detect_kind(names)
    rows = [[(row.cells or {}).get(h, "") for h in headers] if not row.problem else [row.problem] for row in first]
    found = Preview(fmt, kind, True, rows=rows)
    for header, name in zip(headers, names):
        if not name:
            found.headers.append(HeaderCheck(header, "", "ignored"))
        elif kind is None:
            found.headers.append(HeaderCheck(header, name, "unknown", "the file's kind is not known yet"))
        else:
            try:
                parse_column(header, name, kind, ctx)
            except ColumnProblem as exc:
                found.headers.append(HeaderCheck(header, name, "unknown", str(exc)))
            else:
                found.headers.append(HeaderCheck(header, name, "ok"))
    if kind is None:
        found.problems.append("cannot tell whether this file holds products, product models or stock: "
                              "map a column to 'sku' (products), 'code' (models), or choose the kind")
        return found
    try:
        parse_header(headers, mapping, kind, ctx)
    except FileRefused as exc:
        found.problems.extend(exc.errors.get("header", [exc.detail]))
    return found
