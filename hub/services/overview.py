"""The dashboard's overview: per channel, its last publication and how complete its products are."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from hub.services.completeness import completeness
from hub.services.context import CatalogContext
from hub.store.models import Channel, Publication
from hub.store.repos import ProductRepo, PublicationRepo

BATCH = 500
EXAMPLES = 5


@dataclass
class ChannelOverview:
    channel: Channel
    last: Publication | None
    products: int = 0  # carried by the channel's filter today
    complete: int = 0
    incomplete: list[str] = field(default_factory=list)  # a few SKUs, to start fixing from

    @property
    def complete_share(self) -> float:
        return self.complete / self.products if self.products else 1.0


def channels(session: Session, ctx: CatalogContext) -> list[ChannelOverview]:
    """Every channel with its newest publication and the completeness of what it carries.

    Completeness is computed product by product (the same function as the API's), so this reads
    every carried product once per channel: fine for thousands, to be precomputed for 100,000.
    """
    found = sorted(ctx.channels.values(), key=lambda c: c.code)
    last = PublicationRepo(session).last_for_channels(c.id for c in found)
    products = ProductRepo(session)
    overviews = []
    for channel in found:
        overview = ChannelOverview(channel, last.get(channel.id))
        selection = ctx.selection(channel)
        after = 0
        while True:
            batch = products.carried(selection, after, BATCH)
            if not batch:
                break
            after = batch[-1].id
            for product in batch:
                (row,) = completeness(product, [channel])
                overview.products += 1
                if row.missing:
                    if len(overview.incomplete) < EXAMPLES:
                        overview.incomplete.append(product.sku)
                else:
                    overview.complete += 1
        overviews.append(overview)
    return overviews
