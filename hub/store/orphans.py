"""Rows of the tables derived from products whose product, channel or category is gone.

Those tables have no foreign keys (migration 0014): the services delete their rows with the
master rows, but a write that raced a delete could leave some, and no cascade would remove them.
"""

from __future__ import annotations

from sqlalchemy import delete, exists, or_
from sqlalchemy.orm import Session

from hub.store.catalog import Category
from hub.store.category_members import CategoryMember
from hub.store.channels import Channel
from hub.store.completeness import ProductCompleteness
from hub.store.documents import ProductDocument, ProductDocumentBody
from hub.store.products import Product

# Each derived table with the columns that name a master row, and that row's table.
REFERENCES = (
    (ProductCompleteness, ((ProductCompleteness.product_id, Product), (ProductCompleteness.channel_id, Channel))),
    (CategoryMember, ((CategoryMember.product_id, Product), (CategoryMember.category_id, Category))),
    (ProductDocument, ((ProductDocument.product_id, Product),)),
    (ProductDocumentBody, ((ProductDocumentBody.product_id, Product),)),
)


def drop_orphans(session: Session) -> None:
    """Delete every derived row whose product, channel or category no longer exists."""
    for table, references in REFERENCES:
        session.execute(delete(table).where(or_(*(~exists().where(master.id == column) for column, master in references))))
