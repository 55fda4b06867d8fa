"""Build resolved views and render them through an adapter in memory, as the pipeline would.

Adapters are pure, so their tests need no database: a ProductView in, parsed bytes out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, BinaryIO, Iterable

from channel_adapters.base import (
    CategoryView, ChannelAdapter, Item, MediaView, OfferView, ProductView, RenderContext, StockView, StoreInfo,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
STORES = (StoreInfo("PAR01", "Paris Marais", "FR", {"city": "Paris"}), StoreInfo("LYO01", "Lyon", "FR", {"city": "Lyon"}))


class MemoryOutputs:
    """The pipeline's Outputs, in memory: one BytesIO per opened file."""

    def __init__(self) -> None:
        self.files: dict[str, io.BytesIO] = {}

    def open(self, name: str) -> BinaryIO:
        if name in self.files:
            raise AssertionError(f"{name} opened twice")
        self.files[name] = io.BytesIO()
        return self.files[name]

    def bytes(self, name: str) -> bytes:
        return self.files[name].getvalue()


def context(adapter: ChannelAdapter, settings: dict[str, Any] | None = None, **fields: Any) -> RenderContext:
    base = dict(channel="test", locale="en_US", currency="USD", country="US", now=NOW,
                settings=adapter.settings_schema().load(settings or {}), media_url="https://hub.example/media/",
                stores=STORES)
    return RenderContext(**{**base, **fields})


def view(sku: str = "tee-navy-m", **changes: Any) -> ProductView:
    """A complete apparel variant on sale; pass changes to break or vary it."""
    base = ProductView(
        sku=sku, channel="test", locale="en_US", currency="USD", country="US", family="apparel",
        group="crew_tee", variant_axes=("color", "size"), enabled=True, revision=3,
        values={"name": "Crew tee", "description": "Soft organic cotton tee.", "brand": "Northwind",
                "ean": "4006381333931", "mpn": "CREW-NAV-M", "color": "navy", "size": "m", "gender": "unisex",
                "age_group": "adult", "product_url": "https://shop.example.com/p/crew-tee", "main_image": "ab/abc.png"},
        labels={"name": "Crew tee", "description": "Soft organic cotton tee.", "brand": "Northwind",
                "ean": "4006381333931", "mpn": "CREW-NAV-M", "color": "Navy", "size": "M", "gender": "Unisex",
                "age_group": "Adults", "product_url": "https://shop.example.com/p/crew-tee", "main_image": "ab/abc.png"},
        attribute_types={"name": "text", "color": "select", "size": "select"},
        categories=(CategoryView("tees", ("All products", "Apparel", "Tops", "T-shirts")),),
        mapped_category="Apparel & Accessories > Clothing > Shirts & Tops",
        offer=OfferView("USD", Decimal("24.90"), Decimal("19.90"), datetime(2026, 11, 20, tzinfo=timezone.utc),
                        datetime(2026, 12, 1, tzinfo=timezone.utc), True),
        stock=(StockView("WH_LYON", "warehouse", 40, "FR"), StockView("PAR01", "store", 3, "FR"),
               StockView("LYO01", "store", 0, "FR")),
        availability="in_stock",
        media=(MediaView("ab/abc.png", "main", "Crew tee in navy"), MediaView("cd/cde.png", "additional", None)),
        title="Northwind Crew tee Navy M",
    )
    return replace(base, **changes)


def grocery_view(sku: str = "coffee-500g", amount: str = "500", unit: str = "GRAM", **changes: Any) -> ProductView:
    """A simple grocery product sold by weight (or volume), for unit prices."""
    base = view(sku, family="grocery", group=None, variant_axes=())
    values = {k: v for k, v in base.values.items() if k not in ("color", "size", "gender", "age_group")}
    labels = {k: v for k, v in base.labels.items() if k not in ("color", "size", "gender", "age_group")}
    attribute = "net_volume" if unit in ("LITER", "MILLILITER", "CENTILITER") else "net_weight"
    values.update(name="Espresso beans", **{attribute: {"amount": amount, "unit": unit}})
    labels.update(name="Espresso beans", **{attribute: f"{amount} {unit.lower()}"})
    return replace(base, values=values, labels=labels, title=None, mapped_category="Food, Beverages & Tobacco > Beverages > Coffee",
                   categories=(CategoryView("coffee_tea", ("All products", "Food", "Coffee & tea")),),
                   offer=OfferView("EUR", Decimal("6.90"), None, None, None, False), currency="EUR", **changes)


def csv_rows(data: bytes, header: list[str], delimiter: str = ",") -> list[dict[str, str]]:
    """A delimited feed as dicts, after checking its header and that every row has every cell."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=delimiter))
    assert rows[0] == header
    assert all(len(row) == len(header) for row in rows[1:])
    return [dict(zip(header, row)) for row in rows[1:]]


def render(adapter: ChannelAdapter, views: Iterable[ProductView], ctx: RenderContext) -> tuple[list[Item], MemoryOutputs]:
    """Items and written files, then every file validated by the adapter itself."""
    items = list(adapter.items(views, ctx))
    outputs = MemoryOutputs()
    adapter.write(iter(items), outputs, ctx)
    for name, buffer in outputs.files.items():
        adapter.validate(name, io.BytesIO(buffer.getvalue()), ctx)
    return items, outputs
