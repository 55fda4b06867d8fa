"""Pinterest catalog data source: the CSV parsed back and checked field by field against Pinterest's item attributes."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from marshmallow import ValidationError

from channel_adapters.base import InvalidOutput, MediaView
from channel_adapters.pinterest import PinterestAdapter
from tests.adapters.harness import context, grocery_view, render, view, csv_rows

ADAPTER = PinterestAdapter()
FILE = "catalog.csv"
HEADER = ["id", "title", "description", "link", "image_link", "price", "availability", "additional_image_link",
          "sale_price", "condition", "brand", "gtin", "mpn", "item_group_id", "google_product_category",
          "product_type", "color", "size", "gender", "age_group"]
REQUIRED = ["id", "title", "description", "link", "image_link", "price", "availability"]
PRICE = re.compile(r"^\d+\.\d{2} [A-Z]{3}$")


def parse(data: bytes) -> list[dict[str, str]]:
    return csv_rows(data, HEADER)


def rendered(*views, settings=None, **fields):
    items, outputs = render(ADAPTER, list(views), context(ADAPTER, settings, **fields))
    return items, {row["id"]: row for row in parse(outputs.bytes(FILE))}


def test_variant_row_carries_every_field_in_pinterest_format():
    items, rows = rendered(view())
    assert items[0].diagnostics == ()
    row = rows["tee-navy-m"]
    assert (row["title"], row["description"]) == ("Northwind Crew tee Navy M", "Soft organic cotton tee.")
    assert row["link"] == "https://shop.example.com/p/crew-tee"
    assert row["image_link"] == "https://hub.example/media/ab/abc.png"
    assert row["additional_image_link"] == "https://hub.example/media/cd/cde.png"
    assert row["price"] == "24.90 USD" and row["sale_price"] == "19.90 USD"
    assert row["availability"] == "in stock" and row["condition"] == "new"
    assert (row["brand"], row["gtin"], row["mpn"]) == ("Northwind", "4006381333931", "CREW-NAV-M")
    assert row["item_group_id"] == "crew_tee"
    assert row["google_product_category"] == "Apparel & Accessories > Clothing > Shirts & Tops"
    assert row["product_type"] == "All products > Apparel > Tops > T-shirts"  # levels joined by " > "
    assert (row["color"], row["size"], row["gender"], row["age_group"]) == ("Navy", "M", "unisex", "adult")


def test_every_row_keeps_pinterest_rules():
    _, rows = rendered(view(), grocery_view(), view("gone", availability="out_of_stock"))
    assert rows["gone"]["availability"] == "out of stock"
    for row in rows.values():
        assert all(row[name] for name in REQUIRED)
        assert row["availability"] in {"in stock", "out of stock", "preorder"}
        assert PRICE.match(row["price"])
        assert len(row["id"]) <= 127 and len(row["title"]) <= 500 and len(row["description"]) <= 10000
        assert len(row["link"]) <= 511 and len(row["image_link"]) <= 2000
        assert row["gender"] in {"", "male", "female", "unisex"}
        assert row["age_group"] in {"", "newborn", "infant", "toddler", "kids", "adult"}


def test_pinterest_takes_no_sale_dates_so_only_a_running_sale_goes_out():
    assert "sale_price_effective_date" not in HEADER
    planned = replace(view().offer, on_sale=False)
    _, rows = rendered(view("running"), view("planned", offer=planned))
    assert rows["running"]["sale_price"] == "19.90 USD"
    assert rows["planned"]["sale_price"] == ""


def test_missing_price_or_image_excludes_a_missing_brand_does_not():
    values = {k: v for k, v in view().values.items() if k != "main_image"}
    no_image = view("no-image", values=values, media=())
    no_brand = view("no-brand", labels={k: v for k, v in view().labels.items() if k != "brand"})
    items, rows = rendered(view("no-price", offer=None), no_image, no_brand)
    assert [item.excluded for item in items] == [True, True, False]
    assert {d.attribute for d in items[0].diagnostics} == {"offers"}
    assert {d.attribute for d in items[1].diagnostics} == {"main_image"}
    assert set(rows) == {"no-brand"} and rows["no-brand"]["brand"] == ""


def test_link_longer_than_511_excludes_title_up_to_500_goes_out():
    long_link = "https://shop.example.com/p/" + "a" * 490
    values = {**view().values, "product_url": long_link}
    items, rows = rendered(view("long-link", values=values), view("long-title", title="t" * 500),
                           view("too-long-title", title="t" * 501))
    assert items[0].excluded and any(d.code == "too_long" and d.attribute == "product_url" for d in items[0].diagnostics)
    assert not items[1].excluded and len(rows["long-title"]["title"]) == 500
    assert items[2].excluded


def test_long_description_and_product_type_are_cut_with_warnings():
    labels = {**view().labels, "description": "word " * 2500}
    categories = (replace(view().categories[0], path=tuple(f"Level {n} " + "x" * 40 for n in range(30))),)
    (item,), rows = rendered(view(labels=labels, categories=categories))
    assert not item.excluded
    assert {d.attribute for d in item.diagnostics if d.code == "truncated"} == {"description", "categories"}
    assert len(rows["tee-navy-m"]["description"]) <= 10000 and len(rows["tee-navy-m"]["product_type"]) <= 1000


def test_ten_additional_images_at_most():
    media = (MediaView("ab/abc.png", "main", None),) + tuple(MediaView(f"x/{n}.png", "additional", None) for n in range(12))
    (item,), rows = rendered(view(media=media))
    assert len(rows["tee-navy-m"]["additional_image_link"].split(",")) == 10
    assert any(d.code == "too_many_images" for d in item.diagnostics)


def test_settings():
    assert ADAPTER.settings_schema().load({}) == {"condition": "new"}
    _, rows = rendered(view(), settings={"condition": "used"})
    assert rows["tee-navy-m"]["condition"] == "used"
    with pytest.raises(ValidationError):
        ADAPTER.settings_schema().load({"shipping": []})


@pytest.mark.parametrize("content", [
    b"id;title\n",
    (",".join(HEADER) + '\ntee,"Tee, navy"\n').encode(),
    (",".join(HEADER) + "\n" + ",".join(["tee", "Tee", "Soft", "", "img"] + ["x"] * (len(HEADER) - 5)) + "\n").encode(),
])
def test_validation_refuses_malformed_files(content):
    with pytest.raises(InvalidOutput):
        ADAPTER.validate(FILE, io.BytesIO(content), context(ADAPTER))
