"""The declarative base every model derives from, with constraint names Alembic can rely on."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Delete, MetaData, Update
from sqlalchemy.orm import DeclarativeBase

Statement = TypeVar("Statement", Update, Delete)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def unsynced(statement: Statement) -> Statement:
    """An UPDATE or DELETE of rows the session never holds as objects (the derived tables, the
    change counter). Through the session, the ORM otherwise looks through every object it holds
    for rows the statement changed, once per statement: a single save runs several of these, and
    in a session holding thousands of products (a script's, a careful import's) that search was
    a third of each save's time."""
    return statement.execution_options(synchronize_session=False)
