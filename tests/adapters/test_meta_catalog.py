"""Meta catalog data feed: the CSV parsed back and checked field by field against Meta's catalog fields."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from channel_adapters.base import InvalidOutput, MediaView
from channel_adapters.meta_catalog import MetaCatalogAdapter
from tests.adapters.harness import context, grocery_view, render, view, csv_rows

ADAPTER = MetaCatalogAdapter()
FILE = "catalog.csv"
# Meta's column names, as in the example CSV feed of its catalog feed guide, plus gtin and mpn.
HEADER = ["id", "title", "description", "availability", "condition", "price", "link", "image_link", "brand",
          "additional_image_link", "age_group", "color", "gender", "item_group_id", "google_product_category",
          "product_type", "sale_price", "sale_price_effective_date", "size", "gtin", "mpn"]
REQUIRED = ["id", "title", "description", "availability", "condition", "price", "link", "image_link", "brand"]
META_AVAILABILITY = {"in stock", "out of stock", "preorder", "available for order", "discontinued"}
PRICE = re.compile(r"^\d+\.\d{2} [A-Z]{3}$")


def parse(data: bytes) -> list[dict[str, str]]:
    return csv_rows(data, HEADER)


def rendered(*views, settings=None, **fields):
    items, outputs = render(ADAPTER, list(views), context(ADAPTER, settings, **fields))
    return items, {row["id"]: row for row in parse(outputs.bytes(FILE))}


def test_variant_row_carries_every_field_in_meta_format():
    items, rows = rendered(view())
    assert not items[0].excluded and items[0].diagnostics == ()
    row = rows["tee-navy-m"]
    assert row["title"] == "Northwind Crew tee Navy M"
    assert row["description"] == "Soft organic cotton tee."
    assert row["availability"] == "in stock"  # Meta: U.S. English with a space, not Google's in_stock
    assert row["condition"] == "new"
    assert row["price"] == "24.90 USD" and row["sale_price"] == "19.90 USD"
    assert row["sale_price_effective_date"] == "2026-11-20T00:00+0000/2026-12-01T00:00+0000"
    assert row["link"] == "https://shop.example.com/p/crew-tee"
    assert row["image_link"] == "https://hub.example/media/ab/abc.png"
    assert row["additional_image_link"] == "https://hub.example/media/cd/cde.png"
    assert row["brand"] == "Northwind" and row["gtin"] == "4006381333931" and row["mpn"] == "CREW-NAV-M"
    assert row["item_group_id"] == "crew_tee"
    assert row["google_product_category"] == "Apparel & Accessories > Clothing > Shirts & Tops"
    assert row["product_type"] == "All products > Apparel > Tops > T-shirts"
    assert (row["color"], row["size"], row["gender"], row["age_group"]) == ("Navy", "M", "unisex", "adult")


def test_every_row_keeps_meta_rules():
    _, rows = rendered(view(), grocery_view(), view("sold-out", availability="out_of_stock"))
    assert rows["sold-out"]["availability"] == "out of stock"
    for row in rows.values():
        assert all(row[name] for name in REQUIRED)
        assert row["availability"] in META_AVAILABILITY
        assert row["condition"] in {"new", "refurbished", "used"}
        assert PRICE.match(row["price"]) and (row["sale_price"] == "" or PRICE.match(row["sale_price"]))
        assert len(row["id"]) <= 100 and len(row["title"]) <= 200 and len(row["description"]) <= 9999
        assert len(row["brand"]) <= 100
        assert row["gender"] in {"", "female", "male", "unisex"}
        assert row["age_group"] in {"", "adult", "all ages", "infant", "kids", "newborn", "teen", "toddler"}
    assert rows["coffee-500g"]["price"] == "6.90 EUR" and rows["coffee-500g"]["sale_price"] == ""
    assert rows["coffee-500g"]["item_group_id"] == "" and rows["coffee-500g"]["color"] == ""


def test_every_cell_is_quoted_as_meta_asks_for_fields_with_spaces():
    _, outputs = render(ADAPTER, [view()], context(ADAPTER))
    first, second = outputs.bytes(FILE).decode().splitlines()
    assert first.startswith('"id","title",') and second.startswith('"tee-navy-m","Northwind Crew tee Navy M",')


def test_product_without_price_or_main_image_or_brand_is_excluded_with_the_attribute_named():
    values = {k: v for k, v in view().values.items() if k != "main_image"}
    no_image = view("no-image", values=values, media=(MediaView("cd/cde.png", "additional", None),))
    no_brand = view("no-brand", labels={k: v for k, v in view().labels.items() if k != "brand"})
    items, rows = rendered(view("no-price", offer=None), no_image, no_brand, view())
    assert [item.excluded for item in items] == [True, True, True, False]
    assert [d.attribute for d in items[0].diagnostics if d.severity.value == "error"] == ["offers"]
    assert [d.attribute for d in items[1].diagnostics if d.severity.value == "error"] == ["main_image"]
    assert [d.attribute for d in items[2].diagnostics if d.severity.value == "error"] == ["brand"]
    assert set(rows) == {"tee-navy-m"}


def test_main_image_falls_back_to_the_main_image_attribute():
    _, rows = rendered(view(media=()))
    assert rows["tee-navy-m"]["image_link"] == "https://hub.example/media/ab/abc.png"
    assert rows["tee-navy-m"]["additional_image_link"] == ""


def test_long_description_is_cut_with_a_warning_and_long_title_excludes():
    long_text = ("Soft organic cotton tee, " * 500).strip()
    labels = {**view().labels, "description": long_text}
    items, rows = rendered(view(labels=labels), view("long-title", title="x" * 201))
    assert not items[0].excluded
    warning = next(d for d in items[0].diagnostics if d.code == "truncated")
    assert warning.attribute == "description" and warning.severity.value == "warning"
    assert len(rows["tee-navy-m"]["description"]) <= 9999 and rows["tee-navy-m"]["description"].endswith("…")
    assert items[1].excluded
    too_long = next(d for d in items[1].diagnostics if d.code == "too_long")
    assert too_long.attribute == "name" and "200" in too_long.message


def test_twenty_additional_images_at_most():
    media = (MediaView("ab/abc.png", "main", None),) + tuple(MediaView(f"x/{n}.png", "additional", None) for n in range(25))
    media += (MediaView("sw/navy.png", "swatch", None),)
    (item,), rows = rendered(view(media=media))
    links = rows["tee-navy-m"]["additional_image_link"].split(",")
    assert len(links) == 20 and links[0] == "https://hub.example/media/x/0.png"
    assert "https://hub.example/media/sw/navy.png" not in links  # a swatch is not a product picture
    assert any(d.code == "too_many_images" for d in item.diagnostics) and not item.excluded


def test_commas_inside_image_urls_are_encoded_so_the_list_stays_a_list():
    media = (MediaView("ab/abc.png", "main", None), MediaView("a,b/c.png", "additional", None),
             MediaView("d/e.png", "additional", None))
    _, rows = rendered(view(media=media))
    assert rows["tee-navy-m"]["additional_image_link"].split(",") == [
        "https://hub.example/media/a%2Cb/c.png", "https://hub.example/media/d/e.png"]


def test_bad_gtin_is_dropped_with_a_warning():
    values = {**view().values, "ean": "4006381333932"}
    (item,), rows = rendered(view(values=values))
    assert not item.excluded and rows["tee-navy-m"]["gtin"] == ""
    assert any(d.code == "invalid_gtin" and d.attribute == "ean" for d in item.diagnostics)


def test_a_sale_price_not_below_the_price_is_dropped():
    offer = replace(view().offer, sale_price=Decimal("24.90"))
    (item,), rows = rendered(view(offer=offer))
    assert rows["tee-navy-m"]["sale_price"] == "" and rows["tee-navy-m"]["sale_price_effective_date"] == ""
    assert any(d.code == "sale_not_lower" for d in item.diagnostics)


def test_gender_outside_meta_values_excludes():
    values = {**view().values, "gender": "girls"}
    (item,), _ = rendered(view(values=values))
    assert item.excluded and any(d.code == "not_allowed" and d.attribute == "gender" for d in item.diagnostics)


def test_condition_setting_and_field_overrides():
    (item,), rows = rendered(view(), settings={"condition": "refurbished"},
                             field_overrides={"title": "{brand} {name} (refurbished)"})
    assert rows["tee-navy-m"]["condition"] == "refurbished"
    assert rows["tee-navy-m"]["title"] == "Northwind Crew tee (refurbished)"
    with pytest.raises(ValidationError):
        ADAPTER.settings_schema().load({"condition": "mint"})
    assert ADAPTER.settings_schema().load({}) == {"condition": "new"}


def test_line_breaks_stay_inside_one_row():
    labels = {**view().labels, "description": "Soft tee.\nMade of cotton,\tprinted in Lyon."}
    _, rows = rendered(view(labels=labels))
    assert rows["tee-navy-m"]["description"] == "Soft tee. Made of cotton, printed in Lyon."


@pytest.mark.parametrize("content", [
    b'"sku","title"\n',
    (",".join(HEADER) + "\ntee,Tee\n").encode(),
    (",".join(HEADER) + "\n" + ",".join(["tee", ""] + ["x"] * (len(HEADER) - 2)) + "\n").encode(),  # no title
    b"\xff\xfe garbage",
])
def test_validation_refuses_malformed_files(content):
    with pytest.raises(InvalidOutput):
        ADAPTER.validate(FILE, io.BytesIO(content), context(ADAPTER))
