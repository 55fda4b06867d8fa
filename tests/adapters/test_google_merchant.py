"""Google Merchant Center feed: parsed back and checked field by field against Google's rules."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from lxml import etree

from channel_adapters.google_merchant import COLUMNS, G, GoogleMerchantAdapter
from tests.adapters.harness import context, grocery_view, render, view

ADAPTER = GoogleMerchantAdapter()
SETTINGS = {"shipping": [{"country": "US", "service": "Standard", "price": "4.95 USD"}]}


def parse_items(xml: bytes) -> list[dict[str, list[str]]]:
    root = etree.fromstring(xml)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = []
    for element in root.find("channel").findall("item"):
        fields: dict[str, list[str]] = {}
        for child in element:
            assert child.tag.startswith(f"{{{G}}}")
            fields.setdefault(etree.QName(child).localname, []).append(child.text)
        items.append(fields)
    return items


def test_variant_item_carries_every_field_in_google_format():
    ctx = context(ADAPTER, SETTINGS)
    items, outputs = render(ADAPTER, [view()], ctx)
    assert not items[0].excluded
    (item,) = parse_items(outputs.bytes("products.xml"))
    assert item["id"] == ["tee-navy-m"]
    assert item["title"] == ["Northwind Crew tee Navy M"]
    assert item["link"] == ["https://shop.example.com/p/crew-tee"]
    assert item["image_link"] == ["https://hub.example/media/ab/abc.png"]
    assert item["additional_image_link"] == ["https://hub.example/media/cd/cde.png"]
    assert item["availability"] == ["in_stock"]
    assert item["price"] == ["24.90 USD"] and item["sale_price"] == ["19.90 USD"]
    assert item["sale_price_effective_date"] == ["2026-11-20T00:00+0000/2026-12-01T00:00+0000"]
    assert item["gtin"] == ["4006381333931"] and item["identifier_exists"] == ["yes"]
    assert item["condition"] == ["new"]
    assert item["google_product_category"] == ["Apparel & Accessories > Clothing > Shirts & Tops"]
    assert item["product_type"] == ["All products > Apparel > Tops > T-shirts"]
    assert item["item_group_id"] == ["crew_tee"]
    assert (item["color"], item["size"], item["gender"], item["age_group"]) == (["Navy"], ["M"], ["unisex"], ["adult"])
    assert item["shipping"] == ["US::Standard:4.95 USD"]


def test_tsv_has_the_same_items_and_one_header():
    ctx = context(ADAPTER, SETTINGS)
    _, outputs = render(ADAPTER, [view(), grocery_view(), view("broken", offer=None)], ctx)
    rows = list(csv.reader(io.StringIO(outputs.bytes("products.tsv").decode()), delimiter="\t"))
    assert rows[0] == COLUMNS
    by_id = {row[0]: dict(zip(COLUMNS, row)) for row in rows[1:]}
    assert set(by_id) == {"tee-navy-m", "coffee-500g"}
    assert by_id["coffee-500g"]["price"] == "6.90 EUR" and by_id["coffee-500g"]["sale_price"] == ""


def test_item_without_price_or_with_long_title_is_excluded_with_the_attribute_named():
    ctx = context(ADAPTER)
    items, outputs = render(ADAPTER, [view("no-price", offer=None), view("long", title="x" * 151)], ctx)
    assert all(item.excluded for item in items)
    assert {d.code: d.attribute for d in items[0].diagnostics}["missing_price"] == "offers"
    too_long = next(d for d in items[1].diagnostics if d.code == "too_long")
    assert too_long.attribute == "name" and "150" in too_long.message
    assert parse_items(outputs.bytes("products.xml")) == []


def test_apparel_needs_colour_size_gender_and_age_group():
    labels = {k: v for k, v in view().labels.items() if k != "size"}
    (item,) = ADAPTER.items([view(labels=labels)], context(ADAPTER))
    assert item.excluded and [d.attribute for d in item.diagnostics if d.code == "apparel_attribute_missing"] == ["size"]


def test_missing_gtin_is_a_warning_and_sets_identifier_exists():
    values = {k: v for k, v in view().values.items() if k != "ean"}
    labels = {k: v for k, v in view().labels.items() if k not in ("ean", "mpn")}
    (item,) = ADAPTER.items([view(values=values, labels=labels)], context(ADAPTER))
    assert not item.excluded
    assert item.fields["identifier_exists"] == "no"
    assert "gtin_missing" in {d.code for d in item.diagnostics}


def test_bad_gtin_check_digit_excludes_the_item():
    values = {**view().values, "ean": "4006381333932"}
    (item,) = ADAPTER.items([view(values=values)], context(ADAPTER))
    assert item.excluded and any(d.code == "invalid_gtin" and d.attribute == "ean" for d in item.diagnostics)


def test_field_overrides_win_and_fill_templates():
    ctx = context(ADAPTER, field_overrides={"condition": "refurbished", "title": "{brand} outlet {name}"})
    (item,) = ADAPTER.items([view()], ctx)
    assert item.fields["condition"] == "refurbished" and item.fields["title"] == "Northwind outlet Crew tee"


def test_out_of_stock_and_no_sale():
    offer = replace(view().offer, sale_price=None, sale_start=None, sale_end=None, on_sale=False)
    (item,) = ADAPTER.items([view(availability="out_of_stock", offer=offer)], context(ADAPTER))
    assert item.fields["availability"] == "out_of_stock" and "sale_price" not in item.fields
