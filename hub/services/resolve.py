"""The resolved view: one product as one channel sees it, at a moment passed in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy.orm import Session

from channel_adapters.base.diagnostics import Diagnostic
from channel_adapters.base.units import UNITS
from channel_adapters.base.view import CategoryView, MediaView, OfferView, ProductView, StockView
from hub.services.context import CatalogContext
from hub.services import brand_guide
from hub.services.brand_guide import render_title
from hub.services.inheritance import effective_values
from hub.services.values import pick
from hub.store.models import Attribute, Category, Channel, Offer, Product, Stock
from hub.store.repos import StockRepo


def display(attribute: Attribute, data: Any, locale: str) -> str:
    """How a person reads a value: option labels in the locale, "750 ml", "yes"."""
    def option_label(code: str) -> str:
        option = next((o for o in attribute.options if o["code"] == code), None)
        return (option or {}).get("labels", {}).get(locale) or code

    if attribute.type == "select":
        return option_label(data)
    if attribute.type == "multiselect":
        return ", ".join(option_label(code) for code in data)
    if attribute.type == "measurement":
        unit = UNITS.get(data["unit"])
        return f"{data['amount']} {unit.symbol if unit else data['unit']}"
    if attribute.type == "boolean":
        return "yes" if data else "no"
    if attribute.type == "price_collection":
        return ", ".join(f"{p['amount']} {p['currency']}" for p in data)
    return str(data)


def channel_offer(offers: Iterable[Offer], channel: Channel, now: datetime, store_id: int | None = None) -> OfferView | None:
    """The channel's own price over the default one, in the channel's currency (for one store, or none)."""
    mine = [o for o in offers if o.currency == channel.currency and o.location_id == store_id]
    offer = next((o for o in mine if o.channel_id == channel.id), None) or next((o for o in mine if o.channel_id is None), None)
    if offer is None:
        return None
    return offer_view(offer, now)


def store_offers(offers: Iterable[Offer], channel: Channel, now: datetime) -> dict[str, OfferView]:
    """Each store's own offer, where a store charges its own price."""
    offers = list(offers)
    found = {}
    for store in {o.location for o in offers if o.location is not None and o.currency == channel.currency}:
        view = channel_offer(offers, channel, now, store.id)
        if view is not None:
            found[store.code] = view
    return found


def offer_view(offer: Offer, now: datetime) -> OfferView:
    sale = offer.sale_price is not None and (offer.sale_end is None or now < offer.sale_end)
    running = sale and (offer.sale_start is None or offer.sale_start <= now)
    return OfferView(
        currency=offer.currency,
        price=offer.price,
        sale_price=offer.sale_price if sale else None,
        sale_start=offer.sale_start if sale else None,
        sale_end=offer.sale_end if sale else None,
        on_sale=running,
    )


def category_path(category: Category, locale: str) -> tuple[str, ...]:
    path = []
    node: Category | None = category
    while node is not None:
        path.append(node.labels.get(locale) or node.code)
        node = node.parent
    return tuple(reversed(path))


def _depth(category: Category) -> int:
    depth, node = 0, category.parent
    while node is not None:
        depth, node = depth + 1, node.parent
    return depth


def mapped_category(categories: list[Category], category_map: dict[str, str]) -> str | None:
    """The channel category of our most specific mapped category, looking up the tree from each."""
    for category in sorted(categories, key=lambda c: (-_depth(c), c.code)):
        node: Category | None = category
        while node is not None:
            if node.code in category_map:
                return category_map[node.code]
            node = node.parent
    return None


def resolve(
    product: Product, channel: Channel, ctx: CatalogContext, stock: list[Stock], now: datetime,
    title_template: str | None = None,
) -> ProductView:
    """Build the view an adapter reads; ``now`` decides which sales run, so adapters need no clock.

    ``title_template`` is the brand guide's; the channel's own mapping template wins over it.
    """
    values, labels, types = {}, {}, {}
    for code, entries in effective_values(product).items():
        attribute = ctx.attributes.get(code)
        data = pick(entries, channel.locale, channel.code)
        if attribute is None or data is None:
            continue
        values[code], types[code] = data, attribute.type
        labels[code] = display(attribute, data, channel.locale)
    categories = list(product.categories) + [c for c in (product.parent.categories if product.parent else []) if c not in product.categories]
    warehouse_quantity = sum(s.quantity for s in stock if s.location.type == "warehouse")
    return ProductView(
        sku=product.sku,
        channel=channel.code,
        locale=channel.locale,
        currency=channel.currency,
        country=channel.country,
        family=product.family.code,
        group=product.parent.code if product.parent else None,
        variant_axes=tuple(product.parent.variant_axes) if product.parent else (),
        enabled=product.enabled,
        revision=product.revision,
        values=values,
        labels=labels,
        attribute_types=types,
        categories=tuple(CategoryView(c.code, category_path(c, channel.locale)) for c in sorted(categories, key=lambda c: c.code)),
        mapped_category=mapped_category(categories, (channel.mapping or {}).get("category_map", {})),
        offer=channel_offer(product.offers, channel, now),
        store_offers=store_offers(product.offers, channel, now),
        stock=tuple(StockView(s.location.code, s.location.type, s.quantity, s.location.country) for s in stock),
        availability="in_stock" if warehouse_quantity > 0 else "out_of_stock",
        media=tuple(MediaView(m["path"], m["role"], m.get("alt", {}).get(channel.locale)) for m in product.media or []),
        title=render_title((channel.mapping or {}).get("title_template") or title_template, labels),
    )


def resolve_product(session: Session, ctx: CatalogContext, product: Product, channel: Channel, now: datetime) -> tuple[ProductView, list[Diagnostic]]:
    """Resolve one product for one channel, with the brand guide's findings about it."""
    guide = brand_guide.get(session)
    stock = StockRepo(session).for_products([product.id])[product.id]
    view = resolve(product, channel, ctx, stock, now, guide.title_template or None)
    return view, brand_guide.check(view, guide)
