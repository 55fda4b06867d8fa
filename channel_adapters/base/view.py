"""The resolved product view: a product exactly as one channel sees it; all an adapter reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping


@dataclass(frozen=True)
class OfferView:
    currency: str
    price: Decimal
    sale_price: Decimal | None  # the configured sale, kept while it has not ended
    sale_start: datetime | None
    sale_end: datetime | None
    on_sale: bool  # whether the sale runs at the moment the view was resolved for

    @property
    def current_price(self) -> Decimal:
        return self.sale_price if self.on_sale and self.sale_price is not None else self.price


@dataclass(frozen=True)
class StockView:
    location: str
    type: str  # "store" or "warehouse"; a store's location code is its store code
    quantity: int
    country: str


@dataclass(frozen=True)
class CategoryView:
    code: str
    path: tuple[str, ...]  # labels from the root down, in the channel's locale


@dataclass(frozen=True)
class MediaView:
    path: str
    role: str
    alt: str | None


@dataclass(frozen=True)
class ProductView:
    sku: str
    channel: str
    locale: str
    currency: str
    country: str
    family: str
    group: str | None  # the product model's code: the channel's item group for variants
    variant_axes: tuple[str, ...]
    enabled: bool
    revision: int
    values: Mapping[str, Any]  # attribute code -> data, picked by precedence
    labels: Mapping[str, str]  # attribute code -> text for people (option labels, "750 ml")
    attribute_types: Mapping[str, str]
    categories: tuple[CategoryView, ...]
    mapped_category: str | None
    offer: OfferView | None
    stock: tuple[StockView, ...]
    availability: str  # "in_stock" or "out_of_stock", from warehouse stock
    media: tuple[MediaView, ...] = field(default_factory=tuple)
    title: str | None = None  # the channel's title template applied, when it has one
    store_offers: Mapping[str, OfferView] = field(default_factory=dict)  # store code -> that store's own offer

    def offer_at(self, store: str) -> OfferView | None:
        """The offer a store charges: its own where it has one, else the channel's."""
        return self.store_offers.get(store, self.offer)

    def quantity_at(self, location: str) -> int:
        return next((s.quantity for s in self.stock if s.location == location), 0)

    def text(self, attribute: str) -> str | None:
        """The attribute as people read it, or None when the product has no value."""
        return self.labels.get(attribute)
