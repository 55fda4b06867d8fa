"""TikTok catalog product feed: the CSV parsed back and checked field by field against TikTok's product parameters."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest

from channel_adapters.base import InvalidOutput
from channel_adapters.tiktok import TikTokAdapter
from tests.adapters.harness import context, grocery_view, render, view, csv_rows

ADAPTER = TikTokAdapter()
FILE = "catalog.csv"
HEADER = ["sku_id", "title", "description", "availability", "condition", "price", "link", "image_link", "brand",
          "item_group_id", "gtin", "mpn", "additional_image_link", "sale_price", "sale_price_effective_date",
          "google_product_category", "color", "size", "gender", "age_group"]
# TikTok's nine required fields.
REQUIRED = ["sku_id", "title", "description", "availability", "condition", "price", "link", "image_link", "brand"]
TIKTOK_AVAILABILITY = {"in stock", "available for order", "preorder", "out of stock", "discontinued"}
PRICE = re.compile(r"^\d+\.\d{2} [A-Z]{3}$")


def parse(data: bytes) -> list[dict[str, str]]:
    return csv_rows(data, HEADER)


def rendered(*views, settings=None, **fields):
    items, outputs = render(ADAPTER, list(views), context(ADAPTER, settings, **fields))
    return items, {row["sku_id"]: row for row in parse(outputs.bytes(FILE))}


def test_variant_row_carries_every_field_in_tiktok_format():
    items, rows = rendered(view())
    assert items[0].diagnostics == () and "sku_id" in items[0].fields and "id" not in items[0].fields
    row = rows["tee-navy-m"]
    assert (row["title"], row["description"]) == ("Northwind Crew tee Navy M", "Soft organic cotton tee.")
    assert row["availability"] == "in stock" and row["condition"] == "new"
    assert row["price"] == "24.90 USD" and row["sale_price"] == "19.90 USD"
    assert row["sale_price_effective_date"] == "2026-11-20T00:00+0000/2026-12-01T00:00+0000"
    assert row["link"] == "https://shop.example.com/p/crew-tee"
    assert row["image_link"] == "https://hub.example/media/ab/abc.png"
    assert row["additional_image_link"] == "https://hub.example/media/cd/cde.png"
    assert (row["brand"], row["gtin"], row["mpn"], row["item_group_id"]) == ("Northwind", "4006381333931", "CREW-NAV-M", "crew_tee")
    assert row["google_product_category"] == "Apparel & Accessories > Clothing > Shirts & Tops"
    assert (row["color"], row["size"], row["gender"], row["age_group"]) == ("Navy", "M", "unisex", "adult")


def test_every_row_keeps_tiktok_rules():
    _, rows = rendered(view(), grocery_view(), view("gone", availability="out_of_stock"))
    assert rows["gone"]["availability"] == "out of stock"
    for row in rows.values():
        assert all(row[name] for name in REQUIRED)
        assert row["availability"] in TIKTOK_AVAILABILITY
        assert row["condition"] in {"new", "refurbished", "used"}
        assert PRICE.match(row["price"])
        assert len(row["sku_id"]) <= 100 and len(row["title"]) <= 150 and len(row["description"]) <= 5000


def test_brand_is_required_on_tiktok():
    labels = {k: v for k, v in view().labels.items() if k != "brand"}
    items, rows = rendered(view("no-brand", labels=labels), view("no-price", offer=None), view())
    assert items[0].excluded and [d.attribute for d in items[0].diagnostics] == ["brand"]
    assert items[1].excluded and [d.attribute for d in items[1].diagnostics] == ["offers"]
    assert set(rows) == {"tee-navy-m"}


def test_over_long_sku_or_title_excludes_over_long_description_is_cut():
    labels = {**view().labels, "description": "cotton " * 1000}
    items, rows = rendered(view("s" * 101), view("long-title", title="t" * 151), view("long-text", labels=labels))
    assert items[0].excluded and any(d.code == "too_long" and d.attribute == "sku" for d in items[0].diagnostics)
    assert items[1].excluded and any(d.code == "too_long" and d.attribute == "name" for d in items[1].diagnostics)
    assert not items[2].excluded and len(rows["long-text"]["description"]) <= 5000
    assert any(d.code == "truncated" and d.attribute == "description" for d in items[2].diagnostics)


def test_dated_sale_goes_out_with_its_dates_even_before_it_starts():
    planned = replace(view().offer, on_sale=False)
    _, rows = rendered(view(offer=planned))
    assert rows["tee-navy-m"]["sale_price"] == "19.90 USD"
    assert rows["tee-navy-m"]["sale_price_effective_date"] == "2026-11-20T00:00+0000/2026-12-01T00:00+0000"


def test_overrides_use_tiktok_field_names():
    overrides = {"condition": "used", "brand": "{brand} Outlet", "sku_id": "{mpn}"}
    _, rows = rendered(view(), field_overrides=overrides)
    row = rows["CREW-NAV-M"]
    assert (row["condition"], row["brand"]) == ("used", "Northwind Outlet")


@pytest.mark.parametrize("content", [
    (",".join(["id"] + HEADER[1:]) + "\n").encode(),  # Meta's id, not TikTok's sku_id
    (",".join(HEADER) + "\ntee\n").encode(),
    b"\x00 not a feed",
])
def test_validation_refuses_malformed_files(content):
    with pytest.raises(InvalidOutput):
        ADAPTER.validate(FILE, io.BytesIO(content), context(ADAPTER))
