"""One statement over many rows in one executemany, with each parameter's type conversion
applied a column at a time.

SQLAlchemy's executemany converts every parameter of every row through a dictionary per row:
4.8 µs a row of the product index against 2.2 µs for the driver's own executemany of the same
rows (measured on SQLite), and the bulk write path writes about twenty rows per product. Here
the statement is compiled once for the connection's dialect, each parameter's bind processor
(the one SQLAlchemy itself would use: JSON through our serializer, dates, booleans, money) runs
over that parameter's values, and the driver receives plain tuples or dicts in its own style.
An INSERT's rows go as a few multi-row statements on SQLite (``_many_rows``) and
through COPY on PostgreSQL (``_copy``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY, ColumnElement, Connection, CursorResult, Insert, Table, any_, bindparam, insert, literal, update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import Compiled, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable


def plain_rows(session: Session, query: Executable) -> CursorResult[Any]:
    """The rows of a select of columns, read on the session's connection past the ORM's result
    handling (a fifth of a stock file's time went there); what the session holds is written
    first, as its autoflush would."""
    session.flush()
    return session.connection().execute(query)


def among(column: Any, values: list[Any], dialect: str) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL as one array parameter (``= ANY``). A list of
    thousands of parameters made a query text too long for psycopg's cache of converted
    queries, so each batch's was converted again: a tenth of an export's time, a fifth of a
    stock file's (its reads name 20,000 products each)."""
    if dialect == "postgresql":
        return column == any_(literal(values, ARRAY(column.type)))
    return column.in_(values)


def insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the session's transaction.
    A column left out takes its scalar default; one whose default is computed must be given."""
    insert_bound(session, bind_rows(session.get_bind().dialect, table, rows))


@dataclass
class BoundRows:
    """An INSERT's rows with each column's values already as ``dialect``'s driver takes them
    (``bind_rows``). The bulk write path binds a batch's rows while it prepares the batch,
    outside any write transaction: converting them (JSON, moments, flags) was a fifth of the
    demo's turn at SQLite's single writer."""

    table: Table
    compiled: Compiled | None  # None: no rows
    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), ()))

    def keyed(self, column: str, ids: list[int]) -> None:
        """Replace integer ``column``'s values, places in ``ids``, by the ids they stand for (an
        integer needs no conversion for any driver)."""
        if self.columns:
            self.columns[column] = [ids[place] for place in self.columns[column]]

    def set_all(self, column: str, number: int) -> None:
        """Give integer ``column`` the value ``number`` on every row (known only when writing)."""
        self.columns[column] = [number] * len(self)


def bind_rows(dialect: Dialect, table: Table, rows: list[dict[str, Any]]) -> BoundRows:
    """``rows`` (dicts with the same keys) of an INSERT into ``table``, converted for
    ``dialect``. A column left out takes its scalar default; one whose default is computed must
    be given."""
    if not rows:
        return BoundRows(table, None, {})
    names = list(rows[0])
    defaults = {}
    for column in table.columns:
        if column.key in names or column.default is None:
            continue
        if not column.default.is_scalar:
            raise ValueError(f"insert_many into {table.name}: give '{column.key}', its default is computed")
        defaults[column.key] = column.default.arg
    if defaults:
        rows = [{**row, **defaults} for row in rows]
    compiled, columns = _converted(dialect, insert(table), rows)
    return BoundRows(table, compiled, columns)


def insert_bound(session: Session, bound: BoundRows) -> None:
    """Insert rows bound ahead (``bind_rows``) in the session's transaction."""
    if bound.compiled is not None:
        _run(session, bound.compiled, bound.columns, insert=True, copy_into=bound.table)


def update_many(session: Session, table: Table, match: dict[str, str], rows: list[dict[str, Any]]) -> int:
    """For each row (dicts with the same keys): where each column of ``match`` equals the row's
    field it names, set the row's other fields (named as ``table``'s columns); answers how many
    rows were changed, on every database (the statements' own counts). On SQLite the rows go as
    a few statements of many rows (``UPDATE ... FROM (VALUES ...)``): a product's update fires the name-search trigger, which
    writes its FTS5 segment at the end of every statement, once a row as an executemany.
    (Tried on PostgreSQL: the rows as arrays joined in one statement, or copied into a temporary
    table and joined, instead of the executemany; a stock file took as long there, its time
    being the server's updates of the rows.)"""
    if not rows:
        return 0
    fields = list(rows[0])
    sets = [name for name in fields if name not in match.values()]
    if session.get_bind().dialect.name == "sqlite":
        return _update_in_statements(session, table, match, fields, sets, rows)
    statement = update(table).where(*(table.c[column] == bindparam(f"w_{field}") for column, field in match.items())).values(
        {name: bindparam(f"s_{name}") for name in sets})  # a parameter may not be named as a column it sets
    return execute_many(session, statement, [{**{f"w_{field}": row[field] for field in match.values()},
                                              **{f"s_{name}": row[name] for name in sets}} for row in rows])


def _update_in_statements(session: Session, table: Table, match: dict[str, str], fields: list[str], sets: list[str],
                          rows: list[dict[str, Any]]) -> int:
    """SQLite: ``update_many`` as ``UPDATE ... FROM (VALUES ...) AS v``, the values' columns
    named ``column1``, ``column2``, ... in the order of ``fields``."""
    session.flush()
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer
    column_of = {field: column for column, field in match.items()}
    converted = [_as_driver_takes(table.c[column_of.get(field, field)].type, [row[field] for row in rows], dialect)
                 for field in fields]
    place = {field: f"v.column{number}" for number, field in enumerate(fields, 1)}
    name = quote.format_table(table)
    one_row = f"({', '.join('?' * len(fields))})"
    sql = (f"UPDATE {name} SET {', '.join(f'{quote.quote(c)} = {place[c]}' for c in sets)} "
           f"FROM ( VALUES {one_row}) AS v WHERE "  # " VALUES (" with its space: where _many_rows puts the rows
           + " AND ".join(f"{name}.{quote.quote(column)} = {place[field]}" for column, field in match.items()))
    return _many_rows(connection, sql, converted)


def upsert_many(session: Session, table: Table, keys: list[str], rows: list[dict[str, Any]]) -> None:
    """Insert each row (dicts with the same keys, named as ``table``'s columns), or where a row
    with the same ``keys`` is stored, set its other columns."""
    if not rows:
        return
    insert_of = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert_of(table)
    statement = statement.on_conflict_do_update(index_elements=[table.c[key] for key in keys],
                                                set_={name: statement.excluded[name] for name in rows[0] if name not in keys})
    execute_many(session, statement, rows)


def execute_many(session: Session, statement: Executable, rows: list[dict[str, Any]]) -> int:
    """Run ``statement`` once per row of ``rows`` (dicts with the same keys, named as the
    statement's parameters: columns of an INSERT, ``bindparam`` names otherwise); answers how
    many rows it changed in all."""
    return _execute(session, statement, rows)


def _execute(session: Session, statement: Executable, rows: list[dict[str, Any]]) -> int:
    """``execute_many``."""
    if not rows:
        return 0
    compiled, columns = _converted(session.get_bind().dialect, statement, rows)
    return _run(session, compiled, columns, insert=isinstance(statement, Insert))


def _run(session: Session, compiled: Compiled, columns: dict[str, list[Any]], insert: bool = False,
         copy_into: Table | None = None) -> int:
    """Run a compiled statement over converted columns (``_converted``); ``insert``: it is an
    INSERT, which SQLite takes as statements of many rows; ``copy_into``: a plain INSERT into
    that table, which PostgreSQL takes through COPY."""
    session.flush()  # what the session holds goes first, as a statement through it would autoflush
    connection = session.connection()
    dialect = connection.dialect
    if compiled.positional:
        order = [columns[name] for name in compiled.positiontup or ()]
        if dialect.name == "sqlite" and insert:
            return _many_rows(connection, compiled.string, order)
        params: list[Any] = list(zip(*order))
    elif dialect.name == "postgresql" and copy_into is not None:
        return _copy(connection, copy_into, columns)
    else:
        params = [dict(zip(columns, values)) for values in zip(*columns.values())]
    return connection.exec_driver_sql(compiled.string, params).rowcount


def _converted(dialect: Dialect, statement: Executable, rows: list[dict[str, Any]]) -> tuple[Any, dict[str, list[Any]]]:
    """The statement compiled for ``dialect``, and each parameter's values as the driver takes
    them, by name."""
    names = list(rows[0])
    compiled = statement.compile(dialect=dialect, column_keys=names)
    return compiled, {name: _as_driver_takes(compiled.binds[name].type, [row[name] for row in rows], dialect)
                      for name in names}


def _as_driver_takes(kind: Any, values: list[Any], dialect: Any) -> list[Any]:
    """``values`` of a parameter of type ``kind`` through the bind processor SQLAlchemy itself
    would apply (JSON through our serializer, dates, booleans, money)."""
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return values
    if all(v is values[0] for v in values):  # one moment for a whole batch: format it once
        return [process(values[0])] * len(values)
    return [process(v) for v in values]


def _copy(connection: Connection, table: Table, columns: dict[str, list[Any]]) -> int:
    """PostgreSQL: the rows through ``COPY ... FROM STDIN`` on psycopg's own cursor, which the
    server takes at about a third of the cost of the same rows as INSERTs (2.9 µs against 8.1 µs
    a row of the product index, client and server together, measured here). The engine's
    listeners hear the COPY with its rows as they hear any statement (logging, tracing); a
    refusal is raised as SQLAlchemy raises a statement's (IntegrityError, ...)."""
    quote = connection.dialect.identifier_preparer
    statement = (f"COPY {quote.format_table(table)} ({', '.join(quote.quote(table.c[key].name) for key in columns)}) "
                 "FROM STDIN")
    rows = list(zip(*columns.values()))
    dialect = connection.dialect
    connection.dispatch.before_cursor_execute(connection, None, statement, rows, None, True)
    try:
        with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return cursor.rowcount
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(statement, rows, exc, dialect.loaded_dbapi.Error, dialect=dialect, ismulti=True) from exc


SQLITE_ROWS = 512  # the most rows per statement (SQLite allows 32,766 parameters since 3.32)


def _many_rows(connection: Connection, sql: str, columns: list[list[Any]]) -> int:
    """SQLite: a statement with one row of values (``VALUES (?, ?, ...)``) run over every row of
    ``columns`` as a few statements of many rows (``VALUES (...), (...)``); answers the rows changed.

    A product's insert or update fires the name-search trigger, and the FTS5 table writes what
    it holds to disk at the end of every statement: run once per row (executemany), that was a
    segment per product, 46 µs a product's insert where the same rows in one statement cost 16.
    Other tables gain a quarter to a half too (one statement's program runs over many rows).

    Each statement holds a power of two of rows (512, then the rest by its binary digits), so
    a table's statements come in a few sizes that the driver's statement cache keeps: one per
    batch's exact size grew a demo's memory by 120 MB of prepared statements."""
    head, _, rest = sql.partition(" VALUES (")
    group, _, tail = rest.partition(")")  # the placeholders: "?, ?, ..." (no parenthesis inside)
    group = f"({group})"
    width, total = len(columns), len(columns[0])
    most = 1 << (min(SQLITE_ROWS, 32_766 // width).bit_length() - 1)
    written = start = 0
    while start < total:
        count = min(most, 1 << ((total - start).bit_length() - 1))
        flat: list[Any] = [None] * (count * width)
        for place, values in enumerate(columns):
            flat[place::width] = values[start:start + count]
        statement = f"{head} VALUES {', '.join([group] * count)}{tail}"
        written += connection.exec_driver_sql(statement, tuple(flat)).rowcount
        start += count
    return written
