"""The declarative base every model derives from, with constraint names Alembic can rely on."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Delete, MetaData, Select, Update
from sqlalchemy.orm import DeclarativeBase, Session

Statement = TypeVar("Statement", Update, Delete)
Query = TypeVar("Query", bound=Select)  # type: ignore[type-arg]
WRITER = "writer"  # the key of ``Session.info`` that marks a session opened for writing (hub.store.db)

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


def for_writing(session: Session, query: Query, entity: type[Base], lock: bool = True) -> Query:
    """``query`` (of one entity, by its key) as a writer session must read the subject of its
    write (unless ``lock`` is false): locked, and read afresh. A write checks what it read (an If-Match, a form's ETag) and then changes it; on
    PostgreSQL two writers read the same row at once, both passed the check, and the second then
    overwrote the first (attributes, families) or clashed on the next version's history row (a
    409 where the contract promises 412). Locked, the second waits for the first to commit and
    reads what it wrote. SQLite renders no lock: its writers begin IMMEDIATE, one at a time."""
    if not lock or not session.info.get(WRITER):
        return query
    return query.with_for_update(of=entity).execution_options(populate_existing=True)
