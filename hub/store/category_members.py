"""Which products each category holds, counting everything filed below it: the grid's "in
category X" at a million products.

Asked of the links themselves, "in X" is a product filed in any category of X's subtree,
directly or through its product model: two lists OR-ed together, which a database can only
answer by gathering every match and sorting it (half a second for a broad category at a
million products). Stored as one row per (category, product) for the category and every
category above the ones it is filed in, it is a range of one index, already in SKU order: a
page reads its fifty rows, a count stops where it wants.

Derived data: ``hub.services.product_index`` writes a product's rows with its other index rows,
in the same transaction, and again for the products under a category that moves; ``reindex``
rebuilds them from the master record.
"""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import Index, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.store.base import Base, unsynced
from hub.store.bulk_rows import insert_many, plain_rows


class CategoryMember(Base):
    __tablename__ = "category_member"
    # The key is the grid's order within a category; SQLite keeps the rows in it (no rowid).
    __table_args__ = (Index("ix_category_member_product", "product_id"), {"sqlite_with_rowid": False})
    # No foreign keys (migration 0014): a category with members classifies products,
    # so it cannot be deleted, and a product's rows leave with it (ProductService.delete).
    category_id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[int] = mapped_column()


class CategoryMemberRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def replace(self, product_ids: Sequence[int], rows: list[dict[str, Any]]) -> None:
        """Put ``rows`` (``category_id``, ``sku``, ``product_id``) in place of these products' rows."""
        if product_ids:
            self._s.execute(unsynced(delete(CategoryMember).where(CategoryMember.product_id.in_(product_ids))))
        insert_many(self._s, CategoryMember.__table__, rows)

    def product_ids(self, category_id: int) -> list[int]:
        """Every product the category holds, itself or below it."""
        return [pid for (pid,) in plain_rows(self._s, select(CategoryMember.product_id)
                                             .where(CategoryMember.category_id == category_id))]
