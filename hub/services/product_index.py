"""Keeping the stored completeness (``hub.store.completeness``) equal to what
``hub.services.completeness`` computes, so the grid and dashboard can query it at scale.

The services that change what completeness depends on call in here in the same transaction:
a product's values or family (``refresh``), a product model's values (its variants), a family's
requirements (its products), a channel's creation or locale. ``backfill`` fills in products a
database migrated from before the cache holds no rows for.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from sqlalchemy.orm import Session

from hub.services.completeness import completeness
from hub.services.context import CatalogContext
from hub.store.completeness_repo import CompletenessRepo
from hub.store.models import Channel, Family, Product

BATCH = 500


def refresh(session: Session, ctx: CatalogContext, products: Sequence[Product]) -> None:
    """Recompute these products on every channel."""
    channels = list(ctx.channels.values())
    rows = [
        {"product_id": product.id, "channel_id": channel.id, "ratio": result.ratio, "missing": result.missing}
        for product in products
        for channel, result in zip(channels, completeness(product, channels))
    ]
    CompletenessRepo(session).replace([p.id for p in products], rows)


def refresh_family(session: Session, ctx: CatalogContext, family: Family) -> None:
    """A family's requirements changed: recompute its products."""
    _each_batch(session, lambda repo, after: repo.by_ids(after, BATCH, [family.id]), ctx)


def added_channel(session: Session, channel: Channel) -> None:
    CompletenessRepo(session).add_channel(channel.id)


def refresh_channel(session: Session, ctx: CatalogContext, channel: Channel) -> None:
    """A channel's locale changed: recompute the products of the families that require anything on it."""
    families = [f.id for f in ctx.families.values() if any(r.channel_id == channel.id for r in f.requirements)]
    if families:
        _each_batch(session, lambda repo, after: repo.by_ids(after, BATCH, families), ctx)


def backfill(session: Session, ctx: CatalogContext, progress: Callable[[int], None] | None = None) -> int:
    """Compute the products the cache has no row for on some channel; answers how many."""
    count = len(ctx.channels)
    return _each_batch(session, lambda repo, after: repo.without_rows(count, after, BATCH), ctx, progress) if count else 0


def _each_batch(session: Session, batch: Callable[[CompletenessRepo, int], Iterable[Product]], ctx: CatalogContext,
                progress: Callable[[int], None] | None = None) -> int:
    repo = CompletenessRepo(session)
    done, after = 0, 0
    while True:
        products = list(batch(repo, after))
        if not products:
            return done
        refresh(session, ctx, products)
        session.flush()
        after = products[-1].id
        done += len(products)
        if progress is not None:
            progress(len(products))
