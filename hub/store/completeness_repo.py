"""Queries on the completeness cache (``hub.store.completeness``)."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from sqlalchemy import Float, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session, selectinload

from hub.store.completeness import ProductCompleteness
from hub.store.products import Product


class CompletenessRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def replace(self, product_ids: Sequence[int], rows: list[dict[str, Any]]) -> None:
        """Put ``rows`` in place of whatever the cache held for these products."""
        if product_ids:
            self._s.execute(delete(ProductCompleteness).where(ProductCompleteness.product_id.in_(product_ids)))
        if rows:
            self._s.execute(insert(ProductCompleteness), rows)

    def add_channel(self, channel_id: int) -> None:
        """A new channel: no family requires anything for it yet, so every product is complete."""
        missing = literal([], ProductCompleteness.missing.type)
        self._s.execute(insert(ProductCompleteness).from_select(
            ["product_id", "channel_id", "ratio", "missing"],
            select(Product.id, literal(channel_id), literal(1.0, Float), missing),
        ))

    def without_rows(self, channel_count: int, after_id: int, limit: int) -> Sequence[Product]:
        """Products whose cache lacks a channel (older databases, interrupted jobs), by id."""
        counted = (select(ProductCompleteness.product_id, func.count().label("n"))
                   .group_by(ProductCompleteness.product_id).subquery())
        query = (select(Product).outerjoin(counted, counted.c.product_id == Product.id)
                 .where(Product.id > after_id, func.coalesce(counted.c.n, 0) < channel_count)
                 .order_by(Product.id).limit(limit).options(selectinload(Product.parent)))
        return self._s.scalars(query).all()

    def by_ids(self, after_id: int, limit: int, family_ids: Iterable[int] | None = None) -> Sequence[Product]:
        """One batch of products by id, optionally of some families, with their models loaded."""
        query = select(Product).where(Product.id > after_id).order_by(Product.id).limit(limit).options(selectinload(Product.parent))
        if family_ids is not None:
            query = query.where(Product.family_id.in_(list(family_ids)))
        return self._s.scalars(query).all()

    def tally(self, channel_id: int, carried: Any) -> tuple[int, int]:
        """(products carried, of which complete) on a channel; ``carried`` is a select of product ids."""
        query = (select(func.count(), func.coalesce(func.sum(case((ProductCompleteness.ratio >= 1.0, 1), else_=0)), 0))
                 .select_from(ProductCompleteness)
                 .where(ProductCompleteness.channel_id == channel_id, ProductCompleteness.product_id.in_(carried)))
        total, complete = self._s.execute(query).one()
        return int(total), int(complete)

    def incomplete_skus(self, channel_id: int, carried: Any, limit: int) -> list[str]:
        """A few of the carried products that are least complete, to start fixing from."""
        query = (select(Product.sku).join(ProductCompleteness, ProductCompleteness.product_id == Product.id)
                 .where(ProductCompleteness.channel_id == channel_id, ProductCompleteness.ratio < 1.0,
                        Product.id.in_(carried))
                 .order_by(ProductCompleteness.ratio, Product.sku).limit(limit))
        return list(self._s.scalars(query))
