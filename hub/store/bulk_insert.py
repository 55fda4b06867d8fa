"""Many rows into one table in one executemany, with each column type's own conversion applied a
column at a time.

SQLAlchemy's executemany converts every parameter of every row through a dictionary per row:
4.8 µs a row of the product index against 2.2 µs for the driver's own executemany of the same
rows (measured on SQLite), and the bulk write path inserts about twenty rows per product. Here
the statement is compiled once for the connection's dialect, each column's bind processor (the
one SQLAlchemy itself would use: JSON through our serializer, dates, booleans, money) runs over
that column's values, and the driver receives plain tuples or dicts in its own parameter style.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def insert_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the session's transaction.
    A column left out takes its scalar default; one whose default is computed must be given."""
    if not rows:
        return
    session.flush()  # what the session holds goes first, as a statement through it would autoflush
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    defaults = {}
    for column in table.columns:
        if column.key in names or column.default is None:
            continue
        if not column.default.is_scalar:
            raise ValueError(f"insert_many into {table.name}: give '{column.key}', its default is computed")
        defaults[column.key] = column.default.arg
    names += list(defaults)
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    columns: dict[str, list[Any]] = {}
    for name in names:
        values = [row[name] for row in rows] if name not in defaults else [defaults[name]] * len(rows)
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        columns[name] = [process(v) for v in values] if process is not None else values
    if compiled.positional:
        order = [columns[name] for name in compiled.positiontup or ()]
        params: list[Any] = list(zip(*order))
    else:
        params = [dict(zip(columns, values)) for values in zip(*columns.values())]
    connection.exec_driver_sql(compiled.string, params)
