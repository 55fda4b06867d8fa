"""Rendering products for a channel: resolve, add the hub's own findings, run the adapter.

Previews and publications both go through here, so a preview is exactly what would publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from channel_adapters.base import ChannelAdapter, Diagnostic, Item, ProductView, RenderContext, Severity, StoreInfo
from channel_adapters.base.registry import AdapterRegistry
from hub.config import Settings
from hub.errors import HubError, ValidationFailed
from hub.services import brand_guide, documents
from hub.services.completeness import of_values
from hub.services.context import CatalogContext
from hub.services.documents import Document, StockPairs
from hub.services.resolve import ChannelLens
from hub.store.documents import DocumentRepo
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


@dataclass(frozen=True)
class Resolvable:
    """One product as a publication reads it: its document, its stock and what it lacks."""

    doc: Document
    stock: StockPairs
    missing: list[str]  # attribute codes the channel requires and the product does not fill


class ChannelRenderer:
    """Everything needed to render one channel, prepared once per publication or preview."""

    def __init__(self, session: Session, registry: AdapterRegistry, settings: Settings, channel: Channel, now: datetime) -> None:
        self.session = session
        self.channel = channel
        self.now = now
        self.adapter = adapter_for(registry, channel)
        locations = StockRepo(session).locations()
        stores = [loc for loc in locations if loc.type == "store"]
        self.ctx = RenderContext(
            channel=channel.code, locale=channel.locale, currency=channel.currency, country=channel.country, now=now,
            settings=load_settings(self.adapter, channel.settings), media_url=settings.media_url,
            field_overrides=(channel.mapping or {}).get("field_overrides", {}),
            stores=tuple(StoreInfo(s.code, s.name, s.country, s.address or {}) for s in stores),
        )
        self.guide = brand_guide.get(session)
        self.rules = brand_guide.rules(self.guide)
        self.lens = ChannelLens(channel, CatalogContext(session), locations, self.guide.title_template or None)

    def render(self, products: list[Product]) -> list[Item]:
        """Items for these stored products (a preview), exactly as a publication renders them."""
        stock = DocumentRepo(self.session).stock_pairs([p.id for p in products])
        rows = []
        for product in products:
            doc = documents.of_product(product)
            (result,) = of_values(doc["values"], product.family, [self.channel])
            rows.append(Resolvable(doc, stock[product.id], result.missing))
        return self.render_documents(rows)

    def render_documents(self, rows: list[Resolvable]) -> list[Item]:
        """Items for these documents, in order, with the hub's findings added to the adapter's."""
        views = [self.lens.view(row.doc, row.stock, self.now) for row in rows]
        items = self.adapter.items(views, self.ctx)
        return [Item(item.key, item.fields, (*self.findings(row.missing, view), *item.diagnostics))
                for row, view, item in zip(rows, views, items)]

    def findings(self, missing: list[str], view: ProductView) -> Iterable[Diagnostic]:
        locale, code = self.lens.locale, self.lens.code
        for attribute in missing:
            yield Diagnostic(Severity.ERROR, "incomplete", f"{attribute} is required on {code} ({locale}) and has no value",
                             attribute, f"fill {attribute} for {locale}", view.sku)
        yield from brand_guide.check(view, self.rules)
