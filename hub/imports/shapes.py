"""How a row's record becomes an input body: flat cells through the column convention, or a JSON
object as it is (a complete product or model, as the API answers it and the export writes it)."""

from __future__ import annotations

from typing import Any, Protocol

from hub.imports.flat_columns import KEY, Column, ColumnProblem, parse_column
from hub.imports.flat_rows import FlatRows, Prepared
from hub.imports.rows import Row
from hub.services.context import CatalogContext

State = dict[str, Any]


class RowProblem(Exception):
    """The record cannot be made into a body at all; the message says why."""


class Shape(Protocol):
    flat: bool

    def key(self, row: Row) -> str: ...

    def prepare(self, row: Row, current: State | None) -> Prepared:
        """The body for the input schema; raises RowProblem."""
        ...


class FlatShape:
    """Flat rows. With ``columns`` (CSV, XLSX) every row shares the header read up front; without
    (XML) each row names its own columns, which are checked as they come."""

    flat = True

    def __init__(self, kind: str, ctx: CatalogContext, mapping: dict[str, str], columns: list[Column | None] | None) -> None:
        self.kind = kind
        self.mapping = mapping
        self._ctx = ctx
        self._fixed = FlatRows(kind, columns, ctx) if columns is not None else None
        self._by_header: dict[tuple[str, ...], FlatRows | str] = {}

    def use(self, ctx: CatalogContext) -> None:
        """Check the columns of rows to come against this unit of work's catalog."""
        self._ctx = ctx

    def _rows(self, row: Row) -> FlatRows:
        if self._fixed is not None:
            return self._fixed
        header = tuple(sorted(row.cells or {}))
        found = self._by_header.get(header)
        if found is None:
            found = self._parse(header)
            self._by_header[header] = found
        if isinstance(found, str):
            raise RowProblem(found)
        return found

    def _parse(self, header: tuple[str, ...]) -> FlatRows | str:
        columns: list[Column | None] = []
        problems = []
        for source in header:
            name = self.mapping.get(source, source).strip()
            try:
                columns.append(parse_column(source, name, self.kind, self._ctx) if name else None)
            except ColumnProblem as exc:
                problems.append(f"column '{source}': {exc}")
        if KEY[self.kind] not in {c.name for c in columns if c is not None}:
            problems.append(f"the row has no '{KEY[self.kind]}' cell")
        return "; ".join(problems) if problems else FlatRows(self.kind, columns, self._ctx)

    def key(self, row: Row) -> str:
        try:
            return self._rows(row).key(row.cells or {})
        except RowProblem:
            return ""

    def prepare(self, row: Row, current: State | None) -> Prepared:
        return self._rows(row).prepare(row.cells or {}, current)


class JsonShape:
    """JSON records: each a complete product or model; a record replaces what is stored, as PUT does."""

    flat = False

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def key(self, row: Row) -> str:
        found = row.body.get(KEY[self.kind]) if isinstance(row.body, dict) else None
        return found if isinstance(found, str) else ""

    def prepare(self, row: Row, current: State | None) -> Prepared:
        if not isinstance(row.body, dict):
            raise RowProblem("expected a JSON object")
        return Prepared(self.key(row), row.body)
