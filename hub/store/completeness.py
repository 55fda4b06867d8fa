"""The completeness of every product on every channel, and whether the channel carries it,
kept up to date as products change (``hub.services.product_index``).

It stores what ``hub.services.completeness`` and the channels' filters compute, so the grid can
filter and sort on it and the dashboard count it with one query at 100,000 products.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base
from hub.store.types import Json


class ProductCompleteness(Base):
    __tablename__ = "product_completeness"
    # Counting and filtering per channel reads this index alone; the least complete come first
    # in its order, oldest first among equals.
    # On SQLite the rows are stored in their key's order (WITHOUT ROWID): a rowid table keeps
    # its rows and, apart, an index of the key, so every row cost a third B-tree insert, eight
    # rows a product (migration 0013).
    # Like the other tables derived from products, it has no foreign keys (migration 0014).
    __table_args__ = (Index("ix_product_completeness_channel", "channel_id", "carried", "ratio", "product_id"),
                      {"sqlite_with_rowid": False})
    product_id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(primary_key=True)
    ratio: Mapped[float] = mapped_column(Float)
    missing: Mapped[list[str]] = mapped_column(Json, default=list)  # attribute codes, sorted
    carried: Mapped[bool] = mapped_column(Boolean, default=False)  # by the channel's filter


class ChannelTally(Base):
    """Per channel: how many products it carries and how many of those are complete. The
    dashboard reads these instead of counting eight million rows of the index at a million
    products; ``CompletenessRepo`` keeps them in step in the same transaction as the index rows,
    and ``retally`` counts them again from the index."""

    __tablename__ = "channel_tally"
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True)
    carried: Mapped[int] = mapped_column(Integer, default=0)
    complete: Mapped[int] = mapped_column(Integer, default=0)
