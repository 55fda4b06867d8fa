"""Copying a SQLite table into a new shape, for migrations: SQLite cannot drop a constraint or
change how a table stores its rows in place. (Alembic's batch mode copies too, but rebuilds
the table from what it reflects, which knows neither WITHOUT ROWID nor a partial index's
condition.)"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

Indexes = list[tuple[str, list[str], dict[str, Any]]]  # name, columns, create_index's options


def copy_table(name: str, columns: list[sa.Column], constraints: list[sa.Constraint], indexes: Indexes,
               with_rowid: bool) -> None:
    """Copy table ``name`` into a table of ``columns`` and ``constraints`` (every column's rows
    kept) that takes its name, with ``indexes`` created again on it."""
    names = ", ".join(f'"{c.name}"' for c in columns)
    for index, _columns, _options in indexes:
        op.drop_index(index, table_name=name)
    op.create_table(f"_{name}_new", *columns, *constraints, sqlite_with_rowid=with_rowid)
    op.execute(f'INSERT INTO "_{name}_new" ({names}) SELECT {names} FROM "{name}"')
    op.drop_table(name)
    op.rename_table(f"_{name}_new", name)
    for index, index_columns, options in indexes:
        op.create_index(index, name, index_columns, **options)
