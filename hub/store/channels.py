"""Channels (configured publishing targets) and the brand guide every channel respects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base
from hub.store.types import Json


class Channel(Base):
    __tablename__ = "channel"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    labels: Mapped[dict[str, str]] = mapped_column(Json, default=dict)
    adapter: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    country: Mapped[str] = mapped_column(String(2))
    filter: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    mapping: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    destination: Mapped[str | None] = mapped_column(String(500))
    schedule: Mapped[str | None] = mapped_column(String(100))
    feed_token: Mapped[str] = mapped_column(String(64))


class BrandGuide(Base):
    """A single row (id 1): the rules that keep one brand image on every channel."""

    __tablename__ = "brand_guide"
    id: Mapped[int] = mapped_column(primary_key=True)
    brand_names: Mapped[list[str]] = mapped_column(Json, default=list)
    banned_words: Mapped[list[str]] = mapped_column(Json, default=list)
    title_template: Mapped[str] = mapped_column(String(500), default="")
    required_image_roles: Mapped[list[str]] = mapped_column(Json, default=list)
