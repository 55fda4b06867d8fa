"""Stored products as plain rows, read in three queries per batch: what the bulk write path
compares a batch's bodies with. Loading ORM objects (and their categories and offers, one lazy
load each) for every existing product of an import batch cost more than saving it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.store.products import Offer, Product, ProductModel, product_category

OfferRow = tuple[str, int | None, int | None, Decimal, Decimal | None, datetime | None, datetime | None]


@dataclass
class StoredProduct:
    """One product's columns and the ids it refers to; the services turn ids into codes."""

    id: int
    sku: str
    revision: int
    family_id: int
    parent_id: int | None
    parent: str | None  # the model's code
    enabled: bool
    values: dict[str, Any]
    media: list[dict[str, Any]]
    category_ids: list[int] = field(default_factory=list)
    offers: list[OfferRow] = field(default_factory=list)  # currency, channel id, location id, price, sale price, start, end


def by_skus(session: Session, skus: Iterable[str]) -> dict[str, StoredProduct]:
    """The stored products with these SKUs, by SKU."""
    wanted = list(set(skus))
    if not wanted:
        return {}
    query = (select(Product.id, Product.sku, Product.revision, Product.family_id, Product.parent_id, ProductModel.code,
                    Product.enabled, Product.values, Product.media)
             .outerjoin(ProductModel, ProductModel.id == Product.parent_id).where(Product.sku.in_(wanted)))
    found = {row[1]: StoredProduct(*row[:7], values=row[7] or {}, media=row[8] or []) for row in session.execute(query)}
    by_id = {p.id: p for p in found.values()}
    if by_id:
        ids = list(by_id)
        links = product_category.c
        for pid, category_id in session.execute(select(links.product_id, links.category_id).where(links.product_id.in_(ids))):
            by_id[pid].category_ids.append(category_id)
        offers = select(Offer.product_id, Offer.currency, Offer.channel_id, Offer.location_id, Offer.price, Offer.sale_price,
                        Offer.sale_start, Offer.sale_end).where(Offer.product_id.in_(ids))
        for pid, *offer in session.execute(offers):
            by_id[pid].offers.append(tuple(offer))  # type: ignore[arg-type]
    return found
