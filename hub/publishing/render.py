"""Rendering products for a channel: resolve, add the hub's own findings, run the adapter.

Previews and publications both go through here, so a preview is exactly what would publish.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Iterable

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from channel_adapters.base import ChannelAdapter, Diagnostic, Item, RenderContext, Severity, StoreInfo
from channel_adapters.base.registry import AdapterRegistry
from hub.config import Settings
from hub.errors import HubError, ValidationFailed
from hub.services import brand_guide
from hub.services.completeness import completeness
from hub.services.context import CatalogContext
from hub.services.resolve import resolve
from hub.store.models import Channel, Product
from hub.store.repos import StockRepo
from schemas.errors import flatten_messages


class ChannelError(HubError):
    """The channel cannot be rendered as configured (unknown adapter, bad adapter settings)."""

    status, title, type = 409, "Channel cannot publish", "/problems/channel"


def adapter_for(registry: AdapterRegistry, channel: Channel) -> ChannelAdapter:
    adapter = registry.get(channel.adapter)
    if adapter is None:
        raise ChannelError(f"channel '{channel.code}' uses adapter '{channel.adapter}', which is not installed "
                           f"(installed: {', '.join(registry.names())})")
    return adapter


def load_settings(adapter: ChannelAdapter, settings: dict) -> dict:
    """The channel's adapter settings through the adapter's own schema; raises ValidationFailed."""
    try:
        return adapter.settings_schema().load(settings or {})
    except ValidationError as exc:
        raise ValidationFailed(f"settings do not fit adapter '{adapter.name}'",
                               errors=flatten_messages(exc.messages, "settings")) from exc


class ChannelRenderer:
    """Everything needed to render one channel, prepared once per publication or preview."""

    def __init__(self, session: Session, registry: AdapterRegistry, settings: Settings, channel: Channel, now: datetime) -> None:
        self.session = session
        self.channel = channel
        self.now = now
        self.adapter = adapter_for(registry, channel)
        stores = [loc for loc in StockRepo(session).locations() if loc.type == "store"]
        self.ctx = RenderContext(
            channel=channel.code, locale=channel.locale, currency=channel.currency, country=channel.country, now=now,
            settings=load_settings(self.adapter, channel.settings), media_url=settings.media_url,
            field_overrides=(channel.mapping or {}).get("field_overrides", {}),
            stores=tuple(StoreInfo(s.code, s.name, s.country, s.address or {}) for s in stores),
        )
        self.guide = brand_guide.get(session)

    def render(self, products: list[Product], catalog: CatalogContext) -> list[Item]:
        """Items for these products, in order, with the hub's findings added to the adapter's."""
        stock = StockRepo(self.session).for_products(p.id for p in products)
        views = [resolve(p, self.channel, catalog, stock[p.id], self.now, self.guide.title_template or None) for p in products]
        items = list(self.adapter.items(views, self.ctx))
        return [replace(item, diagnostics=(*self.findings(product, view), *item.diagnostics))
                for product, view, item in zip(products, views, items)]

    def findings(self, product: Product, view: object) -> Iterable[Diagnostic]:
        for row in completeness(product, [self.channel]):
            for attribute in row.missing:
                yield Diagnostic(Severity.ERROR, "incomplete",
                                 f"{attribute} is required on {self.channel.code} ({row.locale}) and has no value",
                                 attribute, f"fill {attribute} for {row.locale}", product.sku)
        yield from brand_guide.check(view, self.guide)  # type: ignore[arg-type]
