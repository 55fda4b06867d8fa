"""Products and product models (variant groups), with their categories and offers.

Many-to-one relations (family, parent, channel) load lazily on purpose: they are fetched by
primary key from the session's identity map, so a bulk job that loaded the families once
never reads them again.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.store.base import Base
from hub.store.catalog import Category, Family
from hub.store.types import Json, Money, UTCDateTime, utcnow

product_category = Table(
    "product_category",
    Base.metadata,
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id"), primary_key=True, index=True),
    sqlite_with_rowid=False,  # clustered on its key: one B-tree fewer per link (hub.store.completeness)
)

model_category = Table(
    "product_model_category",
    Base.metadata,
    Column("product_model_id", ForeignKey("product_model.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id"), primary_key=True),
)


class ProductModel(Base):
    __tablename__ = "product_model"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"), index=True)
    variant_axes: Mapped[list[str]] = mapped_column(Json, default=list)
    values: Mapped[dict[str, list[dict[str, Any]]]] = mapped_column(Json, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    family: Mapped[Family] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=model_category, lazy="selectin")
    # UPDATEs carry "WHERE revision = <the one read>", so a concurrent write fails instead of being lost.
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}


class Product(Base):
    __tablename__ = "product"
    # The grid's family and enabled filters, in SKU order, read this index alone.
    __table_args__ = (Index("ix_product_grid", "family_id", "enabled", "sku"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id"))  # looked up through ix_product_grid
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("product_model.id"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    values: Mapped[dict[str, list[dict[str, Any]]]] = mapped_column(Json, default=dict)
    media: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # the grid sorts on it
    # Lowercased names (own and the model's) the grid searches; kept by hub.services.product_index.
    search_text: Mapped[str | None] = mapped_column(Text)
    family: Mapped[Family] = relationship()
    parent: Mapped[ProductModel | None] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=product_category, lazy="selectin")
    # UPDATEs carry "WHERE revision = <the one read>", so a concurrent write fails instead of being lost.
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}
    offers: Mapped[list["Offer"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Offer.id", back_populates="product"
    )


class Offer(Base):
    """Commercial terms: a price in one currency, optionally only for one channel or one store."""

    __tablename__ = "offer"
    __table_args__ = (UniqueConstraint("product_id", "currency", "channel_id", "location_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up through the unique key, which begins with it (a second index cost every insert).
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))  # a store's own price
    price: Mapped[Decimal] = mapped_column(Money)
    sale_price: Mapped[Decimal | None] = mapped_column(Money)
    sale_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sale_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    product: Mapped[Product] = relationship(back_populates="offers")
    channel: Mapped["Channel | None"] = relationship()  # noqa: F821
    location: Mapped["Location | None"] = relationship()  # noqa: F821
