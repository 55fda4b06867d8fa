"""Queries on the product index (``hub.store.completeness``): completeness, carried flags, search text."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from sqlalchemy import Float, bindparam, case, delete, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session, selectinload

from hub.store.base import unsynced
from hub.store.bulk_rows import BoundRows, execute_many, insert_bound, insert_many
from hub.store.channels import Channel
from hub.store.completeness import ChannelTally, ProductCompleteness
from hub.store.documents import DocumentRepo, ProductDocument
from hub.store.products import Product


def tally_shift(rows: list[dict[str, Any]], shift: dict[int, list[int]] | None = None) -> dict[int, list[int]]:
    """``shift`` (per channel id: [carried, complete]) moved by what ``rows`` of the index add."""
    shift = {} if shift is None else shift
    for row in rows:
        if row["carried"]:
            moved = shift.setdefault(row["channel_id"], [0, 0])
            moved[0] += 1
            moved[1] += row["ratio"] >= 1.0
    return shift


class CompletenessRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def replace(self, product_ids: Sequence[int], rows: list[dict[str, Any]]) -> None:
        """Put ``rows`` in place of whatever the cache held for these products, and move the
        channels' tallies by the difference."""
        shift: dict[int, list[int]] = {}
        if product_ids:
            for channel_id, carried, complete in self._s.execute(_tally().where(ProductCompleteness.product_id.in_(product_ids))):
                shift[channel_id] = [-int(carried), -int(complete)]
            self._s.execute(unsynced(delete(ProductCompleteness).where(ProductCompleteness.product_id.in_(product_ids))))
            DocumentRepo(self._s).touch(product_ids)  # what they lack shapes their items
        insert_many(self._s, ProductCompleteness.__table__, rows)  # the ORM's bulk insert cost more than the rows
        self._move(tally_shift(rows, shift))

    def insert_new(self, rows: BoundRows, shift: dict[int, list[int]]) -> None:
        """The rows of new products, bound ahead (``bulk_rows.bind_rows``), with the tallies'
        ``tally_shift`` for them."""
        insert_bound(self._s, rows)
        self._move(shift)

    def _move(self, shift: dict[int, list[int]]) -> None:
        changes = [{"cid": cid, "carried": moved[0], "complete": moved[1]}
                   for cid, moved in sorted(shift.items()) if moved != [0, 0]]  # in id order: no deadlock between writers
        if changes:
            t = ChannelTally.__table__
            execute_many(self._s, update(t).where(t.c.channel_id == bindparam("cid")).values(
                carried=t.c.carried + bindparam("carried"), complete=t.c.complete + bindparam("complete")), changes)

    def add_channel(self, channel_id: int, carried: Any) -> None:
        """Rows for a new channel: complete (nothing is required on it yet), carried as ``carried``
        (a select of product ids) says."""
        missing = literal([], ProductCompleteness.missing.type)
        self._s.execute(insert(ProductCompleteness).from_select(
            ["product_id", "channel_id", "ratio", "missing", "carried"],
            select(Product.id, literal(channel_id), literal(1.0, Float), missing, Product.id.in_(carried)),
        ))
        self.retally([channel_id])

    def remove_channel(self, channel_id: int) -> None:
        """The rows of a channel being deleted (its tally goes with the channel)."""
        self._s.execute(unsynced(delete(ProductCompleteness).where(ProductCompleteness.channel_id == channel_id)))

    def set_carried(self, channel_id: int, carried: Any) -> None:
        flips = ProductCompleteness.carried != ProductCompleteness.product_id.in_(carried)
        DocumentRepo(self._s).touch(select(ProductCompleteness.product_id).where(ProductCompleteness.channel_id == channel_id, flips))
        self._s.execute(unsynced(update(ProductCompleteness).where(ProductCompleteness.channel_id == channel_id)
                                 .values(carried=ProductCompleteness.product_id.in_(carried))))
        self.retally([channel_id])

    def retally(self, channel_ids: Iterable[int] | None = None) -> None:
        """Count these channels' tallies (every channel's: None) again from the index."""
        t = ChannelTally.__table__
        query = select(Channel.id)
        if channel_ids is not None:
            query = query.where(Channel.id.in_(list(channel_ids)))
        ids = list(self._s.scalars(query))
        if not ids:
            return
        counted = {cid: (int(carried), int(complete)) for cid, carried, complete in
                   self._s.execute(_tally().where(ProductCompleteness.channel_id.in_(ids)))}
        self._s.execute(delete(t).where(t.c.channel_id.in_(ids)))
        insert_many(self._s, t, [{"channel_id": cid, "carried": counted.get(cid, (0, 0))[0],
                                  "complete": counted.get(cid, (0, 0))[1]} for cid in sorted(ids)])

    def unindexed(self, channel_count: int, after_id: int, limit: int) -> Sequence[Product]:
        """Products lacking a row for some channel, their search text or a current document
        (databases from before the index, interrupted jobs, stale documents), by id."""
        counted = (select(ProductCompleteness.product_id, func.count().label("n"))
                   .group_by(ProductCompleteness.product_id).subquery())
        query = (select(Product).outerjoin(counted, counted.c.product_id == Product.id)
                 .where(Product.id > after_id,
                        or_(func.coalesce(counted.c.n, 0) < channel_count, Product.search_text.is_(None),
                            ~exists().where(ProductDocument.product_id == Product.id, ProductDocument.stale.is_(False))))
                 .order_by(Product.id).limit(limit).options(selectinload(Product.parent)))
        return self._s.scalars(query).all()

    def by_id_list(self, product_ids: list[int]) -> Sequence[Product]:
        """These products, by id, with their models loaded."""
        if not product_ids:
            return []
        query = select(Product).where(Product.id.in_(product_ids)).order_by(Product.id).options(selectinload(Product.parent))
        return self._s.scalars(query).all()

    def by_ids(self, after_id: int, limit: int, family_ids: Iterable[int] | None = None) -> Sequence[Product]:
        """One batch of products by id, optionally of some families, with their models loaded."""
        query = select(Product).where(Product.id > after_id).order_by(Product.id).limit(limit).options(selectinload(Product.parent))
        if family_ids is not None:
            query = query.where(Product.family_id.in_(list(family_ids)))
        return self._s.scalars(query).all()

    def tallies(self) -> dict[int, tuple[int, int]]:
        """Per channel id: (products it carries, of which complete), as kept in ``channel_tally``."""
        t = ChannelTally.__table__
        return {cid: (carried, complete) for cid, carried, complete in self._s.execute(select(t.c.channel_id, t.c.carried, t.c.complete))}

    def incomplete_skus(self, channel_id: int, limit: int) -> list[str]:
        """A few of the carried products that are least complete, to start fixing from: the
        least complete first, the oldest first among equals, read in the index's own order (an
        order by SKU sorted every product of the lowest ratio, hundreds of thousands at a million)."""
        c = ProductCompleteness
        first = (select(c.product_id, c.ratio).where(c.channel_id == channel_id, c.carried.is_(True), c.ratio < 1.0)
                 .order_by(c.ratio, c.product_id).limit(limit).subquery())
        query = select(Product.sku).join(first, first.c.product_id == Product.id).order_by(first.c.ratio, first.c.product_id)
        return list(self._s.scalars(query))


def _tally() -> Any:
    """Per channel: products carried and, of those, complete; the caller narrows it."""
    c = ProductCompleteness
    return (select(c.channel_id, func.count(), func.coalesce(func.sum(case((c.ratio >= 1.0, 1), else_=0)), 0))
            .where(c.carried.is_(True)).group_by(c.channel_id))
