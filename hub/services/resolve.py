"""The resolved view: one product as one channel sees it, at a moment passed in, made from the
product's resolved document (``hub.services.documents``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Iterable

from sqlalchemy.orm import Session

from channel_adapters.base.diagnostics import Diagnostic
from channel_adapters.base.units import UNITS
from channel_adapters.base.view import CategoryView, MediaView, OfferView, ProductView, StockView
from hub.services.context import CatalogContext
from hub.services import brand_guide
from hub.services.brand_guide import render_title
from hub.services import documents
from hub.services.documents import Document, StockPairs
from hub.services.values import pick
from hub.store.documents import DocumentRepo
from hub.store.models import Attribute, Category, Channel, Location, Product
from hub.store.repos import StockRepo


def display(attribute: Attribute, data: Any, locale: str) -> str:
    """How a person reads a value: option labels in the locale, "750 ml", "yes"."""
    return labeller(attribute, locale)(data)


def labeller(attribute: Attribute, locale: str) -> Callable[[Any], str]:
    """``display`` for one attribute and locale, with its option labels looked up once."""
    kind = attribute.type
    if kind in ("select", "multiselect"):
        names: dict[str, str] = {}
        for option in attribute.options:
            names.setdefault(option["code"], option.get("labels", {}).get(locale) or option["code"])
        if kind == "select":
            return lambda code: names.get(code, code)
        return lambda codes: ", ".join(names.get(code, code) for code in codes)
    if kind == "measurement":
        return _measurement
    if kind == "boolean":
        return lambda data: "yes" if data else "no"
    if kind == "price_collection":
        return lambda data: ", ".join(f"{p['amount']} {p['currency']}" for p in data)
    return str


def _measurement(data: dict[str, str]) -> str:
    unit = UNITS.get(data["unit"])
    return f"{data['amount']} {unit.symbol if unit else data['unit']}"


class ChannelLens:
    """What one channel needs to see any document, worked out once: the labels of options and
    categories in its locale, its category map up the tree, its title template, the locations.

    Building a view is then plain dict work per product (no query, no ORM object), which is what
    lets a publication resolve tens of thousands of products a second.
    """

    def __init__(self, channel: Channel, ctx: CatalogContext, locations: Iterable[Location],
                 title_template: str | None = None) -> None:
        # Plain attributes: a view is made per product, and an ORM attribute read costs more.
        self.channel, self.code, self.locale, self.currency = channel, channel.code, channel.locale, channel.currency
        self.country = channel.country
        self.attributes = {code: (a.type, labeller(a, self.locale)) for code, a in ctx.attributes.items()}
        mapping = channel.mapping or {}
        self.title_template = mapping.get("title_template") or title_template
        category_map = mapping.get("category_map", {})
        self.categories: dict[str, CategoryView] = {}  # code -> its view, shared by every product filed there
        self.mapped: dict[str, tuple[int, str | None]] = {}  # code -> (depth, channel category up the tree)
        for code, category in ctx.categories.items():
            self.categories[code] = CategoryView(code, category_path(category, self.locale))
            self.mapped[code] = (_depth(category), _mapped_up(category, category_map))
        self.locations = {loc.code: (loc.type, loc.country) for loc in locations}

    def view(self, doc: Document, stock: StockPairs, now: datetime) -> ProductView:
        """The view an adapter reads; ``now`` decides which sales run, so adapters need no clock."""
        values, labels, types = {}, {}, {}
        locale, code = self.locale, self.code
        attributes = self.attributes
        for name, entries in doc["values"].items():
            attribute = attributes.get(name)
            if attribute is None:
                continue
            data = pick(entries, locale, code)
            if data is None:
                continue
            values[name], types[name] = data, attribute[0]
            labels[name] = attribute[1](data)
        categories = doc["categories"]
        currency = self.currency
        offers = [o for o in doc["offers"] if o["currency"] == currency]
        warehouse = 0
        stock_views = []
        for location, quantity in stock:
            kind, country = self.locations[location]
            stock_views.append(StockView(location, kind, quantity, country))
            if kind == "warehouse":
                warehouse += quantity
        stores = sorted({o["location"] for o in offers if o["location"]}) if offers else ()
        return ProductView(
            sku=doc["sku"],
            channel=code,
            locale=locale,
            currency=currency,
            country=self.country,
            family=doc["family"],
            group=doc["group"],
            variant_axes=tuple(doc["axes"]),
            enabled=doc["enabled"],
            revision=doc["revision"],
            values=values,
            labels=labels,
            attribute_types=types,
            categories=tuple([self.categories[c] for c in categories]),
            mapped_category=self._mapped_category(categories),
            offer=self._offer(offers, None, now),
            store_offers={store: view for store in stores if (view := self._offer(offers, store, now)) is not None},
            stock=tuple(stock_views),
            availability="in_stock" if warehouse > 0 else "out_of_stock",
            media=tuple([MediaView(m["path"], m["role"], m["alt"].get(locale) if "alt" in m else None) for m in doc["media"]]),
            title=render_title(self.title_template, labels),
        )

    def _mapped_category(self, categories: list[str]) -> str | None:
        """The channel category of our most specific mapped category, looking up the tree from each."""
        if len(categories) == 1:
            return self.mapped[categories[0]][1]
        for _depth_, mapped in sorted((self.mapped[c] for c in categories), key=lambda m: -m[0]):
            if mapped is not None:
                return mapped
        return None

    def _offer(self, offers: list[dict[str, Any]], store: str | None, now: datetime) -> OfferView | None:
        """The channel's own price over the default one, in the channel's currency (for one store, or none)."""
        default = None
        for offer in offers:
            if offer["location"] == store:
                if offer["channel"] == self.code:
                    return offer_view(offer, now)
                if offer["channel"] is None and default is None:
                    default = offer
        return None if default is None else offer_view(default, now)


def offer_view(offer: dict[str, Any], now: datetime) -> OfferView:
    """An offer's state as a channel sees it at ``now``: a sale that has ended is gone."""
    sale_price = offer["sale_price"]
    end = datetime.fromisoformat(offer["sale_end"]) if offer["sale_end"] else None
    start = datetime.fromisoformat(offer["sale_start"]) if offer["sale_start"] else None
    sale = sale_price is not None and (end is None or now < end)
    return OfferView(
        currency=offer["currency"],
        price=Decimal(offer["price"]),
        sale_price=Decimal(sale_price) if sale else None,
        sale_start=start if sale else None,
        sale_end=end if sale else None,
        on_sale=sale and (start is None or start <= now),
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


def _mapped_up(category: Category, category_map: dict[str, str]) -> str | None:
    node: Category | None = category
    while node is not None:
        if node.code in category_map:
            return category_map[node.code]
        node = node.parent
    return None


def lens(session: Session, channel: Channel, ctx: CatalogContext, title_template: str | None = None) -> ChannelLens:
    return ChannelLens(channel, ctx, StockRepo(session).locations(), title_template)


def resolve(
    product: Product, channel: Channel, ctx: CatalogContext, stock: StockPairs, now: datetime,
    title_template: str | None = None,
) -> ProductView:
    """One stored product's view, through its document: what a publication of it would read.

    ``title_template`` is the brand guide's; the channel's own mapping template wins over it.
    """
    return lens(ctx.session, channel, ctx, title_template).view(documents.of_product(product), stock, now)


def resolve_product(session: Session, ctx: CatalogContext, product: Product, channel: Channel, now: datetime) -> tuple[ProductView, list[Diagnostic]]:
    """Resolve one product for one channel, with the brand guide's findings about it."""
    guide = brand_guide.get(session)
    stock = DocumentRepo(session).stock_pairs([product.id])[product.id]
    view = resolve(product, channel, ctx, stock, now, guide.title_template or None)
    return view, brand_guide.check(view, guide)
