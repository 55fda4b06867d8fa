"""Finding products by a piece of their name at a million products: the grid's "name contains"
is a substring search (``LIKE '%juice%'``) over the stored search text, which no ordinary index
serves. Each database gets a trigram index kept by the database itself, in the transaction that
writes the product:

- SQLite: an FTS5 table with the trigram tokenizer over ``product.search_text`` (external
  content: the text is not stored twice), kept by triggers on ``product``;
- PostgreSQL: a GIN index with ``pg_trgm``'s operator class on ``product.search_text``, which
  the planner uses for ``LIKE`` directly.

Both are made by migration 0008 and are not described by the models, so the schema comparison
leaves them out (``outside_the_models``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, column, select, table

from hub.store.products import Product

FTS_TABLE = "product_search"
TRIGRAM_INDEX = "ix_product_search_text_trigram"
_SQLITE_PARTS = {FTS_TABLE, *(f"{FTS_TABLE}_{part}" for part in ("data", "idx", "content", "docsize", "config"))}
_SPECIAL = ("%", "_", "/")


def outside_the_models(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object``: False for the search structures the migrations alone keep."""
    return not (reflected and (name in _SQLITE_PARTS or name == TRIGRAM_INDEX))


def name_contains(text: str, dialect: str) -> ColumnElement[bool]:
    """Products whose search text (names in every locale, the model's included, lowercased)
    holds ``text``."""
    needle = text.lower()
    if dialect != "sqlite":
        return Product.search_text.contains(needle, autoescape=any(c in needle for c in _SPECIAL))
    return Product.id.in_(name_matches(needle))


def name_matches(text: str) -> Select:
    """SQLite: the ids of the products whose search text holds ``text``, read from the trigram
    index alone. Selected on their own they come as the index finds them, so a count that stops
    early stops reading; as a filter beside others (``name_contains``) SQLite gathers them all
    once, which is the plan that stays fast whatever the other filters are."""
    needle = text.lower()
    fts = table(FTS_TABLE, column("rowid"), column("search_text"))
    if any(c in needle for c in _SPECIAL):  # FTS5's index serves LIKE only without ESCAPE: it reads every row then
        return select(fts.c.rowid).where(fts.c.search_text.contains(needle, autoescape=True))
    return select(fts.c.rowid).where(fts.c.search_text.like(f"%{needle}%"))
