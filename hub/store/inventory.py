"""Locations (warehouses and stores) and the stock each holds per product."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.store.base import Base
from hub.store.types import Json, UTCDateTime, utcnow


class Location(Base):
    __tablename__ = "location"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    country: Mapped[str] = mapped_column(String(2))


class Stock(Base):
    """Quantity on hand; kept apart from the product so stock updates never touch its history."""

    __tablename__ = "stock"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered on its key (hub.store.completeness)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), primary_key=True, index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    location: Mapped[Location] = relationship()
