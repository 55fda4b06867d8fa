"""Catalog structure: locales, currencies, attributes, families and the category tree."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.store.base import Base
from hub.store.types import Json


class Locale(Base):
    __tablename__ = "locale"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")


class Currency(Base):
    __tablename__ = "currency"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(3), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")


class Attribute(Base):
    __tablename__ = "attribute"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    labels: Mapped[dict[str, str]] = mapped_column(Json, default=dict)
    localizable: Mapped[bool] = mapped_column(Boolean, default=False)
    scopable: Mapped[bool] = mapped_column(Boolean, default=False)
    validation: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    options: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    unit: Mapped[str | None] = mapped_column(String(32))


family_attribute = Table(
    "family_attribute",
    Base.metadata,
    Column("family_id", ForeignKey("family.id", ondelete="CASCADE"), primary_key=True),
    Column("attribute_id", ForeignKey("attribute.id"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)


class Family(Base):
    __tablename__ = "family"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    labels: Mapped[dict[str, str]] = mapped_column(Json, default=dict)
    attributes: Mapped[list[Attribute]] = relationship(
        secondary=family_attribute, order_by=family_attribute.c.position, lazy="selectin"
    )
    requirements: Mapped[list["FamilyRequirement"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="family"
    )


class FamilyRequirement(Base):
    """An attribute a family's products must fill before one channel carries them."""

    __tablename__ = "family_requirement"
    __table_args__ = (UniqueConstraint("family_id", "channel_id", "attribute_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attribute.id"))
    family: Mapped[Family] = relationship(back_populates="requirements")
    channel: Mapped["Channel"] = relationship()  # noqa: F821
    attribute: Mapped[Attribute] = relationship()


class Category(Base):
    __tablename__ = "category"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    labels: Mapped[dict[str, str]] = mapped_column(Json, default=dict)
    parent: Mapped["Category | None"] = relationship(remote_side=[id], lazy="joined", join_depth=1)
