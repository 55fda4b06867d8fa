"""The completeness of every product on every channel, kept up to date as products change.

It is a cache of what ``hub.services.completeness`` computes, stored so the grid can filter and
sort on it and the dashboard can count it with one query at 100,000 products. The services
that change products, families and channels refresh it in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base
from hub.store.types import Json


class ProductCompleteness(Base):
    __tablename__ = "product_completeness"
    __table_args__ = (Index("ix_product_completeness_channel_ratio", "channel_id", "ratio"),)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True)
    ratio: Mapped[float] = mapped_column(Float)
    missing: Mapped[list[str]] = mapped_column(Json, default=list)  # attribute codes, sorted
