"""Google Merchant Center feed: parsed back and checked field by field against Google's rules."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from lxml import etree

from channel_adapters.base import InvalidOutput
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


AWKWARD = ["Fish & chips <large> \"quoted\"", " leading", "trailing ", "two  spaces", "tab\there", "line\nbreak",
           "carriage\rreturn", "bell\x07", "pipe | inside", "a|b", "]]> end", "caf\u00e9 \u00bd l", ""]


def test_a_plain_item_and_an_awkward_one_read_back_the_same_through_xml_and_tsv():
    # Plain items take a faster path than ones needing escapes, squeezing or quotes: both must
    # give the text back, in both files, exactly as a reader of each format reads it.
    ctx = context(ADAPTER, SETTINGS)
    views = [view(f"tee-{n}", labels={**view().labels, "name": name}, title=None) for n, name in enumerate(AWKWARD)]
    items, outputs = render(ADAPTER, views, ctx)
    carried = [item for item in items if not item.excluded]
    xml_items = parse_items(outputs.bytes("products.xml"))
    rows = list(csv.reader(io.StringIO(outputs.bytes("products.tsv").decode(), newline=""), delimiter="\t"))[1:]
    assert len(xml_items) == len(rows) == len(carried) == len(AWKWARD) - 1  # no name: no title, excluded
    for item, xml_item, row in zip(carried, xml_items, rows):
        title = item.fields["title"]
        squeezed = " ".join(title.split())
        assert xml_item["title"] == [title.replace("\x07", "")]  # XML cannot hold the bell; CR goes as &#13;
        assert dict(zip(COLUMNS, row))["title"] == squeezed
        assert len(row) == len(COLUMNS)
    assert ADAPTER.chunk(carried[0], ctx) == ADAPTER._escaped(carried[0].fields)
    plain = next(item for item in carried if item.fields["title"] == "caf\u00e9 \u00bd l")
    assert ADAPTER.chunk(plain, ctx) == ADAPTER._escaped(plain.fields)


def check(name: str, data: bytes) -> str | None:
    try:
        ADAPTER.validate(name, io.BytesIO(data), context(ADAPTER, SETTINGS))
    except InvalidOutput as exc:
        return str(exc)
    return None


def test_the_rss_check_finds_an_item_without_price_and_refuses_what_the_feed_never_writes():
    head = f'<?xml version="1.0"?><rss xmlns:g="{G}" version="2.0"><channel>'.encode()
    good = b"<item><g:id>a</g:id><g:price>1.00 USD</g:price><g:identifier_exists>no</g:identifier_exists></item>"
    assert check("products.xml", head + good * 3 + b"</channel></rss>") is None
    no_price = b"<item><g:id>b</g:id><g:identifier_exists>no</g:identifier_exists></item>"
    assert check("products.xml", head + good + no_price + b"</channel></rss>") == "item 2 has no g:id or g:price"
    # g:identifier_exists is not g:id
    assert check("products.xml", head + b"<item><g:identifier_exists>no</g:identifier_exists><g:price>1</g:price></item>"
                 + b"</channel></rss>") == "item 1 has no g:id or g:price"
    assert "comment" in check("products.xml", head + b"<!-- <item></item> -->" + good + b"</channel></rss>")
    assert "not well-formed" in check("products.xml", head + good + b"<item><g:id>x</g:price></item></channel></rss>")
    assert "DTD" in check("products.xml", b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "y">]><rss/>')
    # an item cut across the 64 KB reads is still one item
    many = head + good * 5000 + no_price + b"</channel></rss>"
    assert check("products.xml", many) == "item 5001 has no g:id or g:price"


def test_the_tsv_check_counts_cells_and_reads_quoted_ones_as_csv_does():
    header = "\t".join(COLUMNS).encode() + b"\n"
    row = "\t".join(["x"] * len(COLUMNS)).encode() + b"\n"
    assert check("products.tsv", header + row * 2) is None
    quoted = '"a\tb\nc"'.encode() + b"\t" + "\t".join(["x"] * (len(COLUMNS) - 1)).encode() + b"\n"
    assert check("products.tsv", header + row + quoted + row) is None
    short = "\t".join(["x"] * 3).encode() + b"\n"
    assert check("products.tsv", header + row + short) == f"products.tsv line 3 has 3 cells, not {len(COLUMNS)}"
    assert check("products.tsv", header + quoted + short) == f"products.tsv line 4 has 3 cells, not {len(COLUMNS)}"
    assert check("products.tsv", b"id\ttitle\n" + row) == "products.tsv has an unexpected header"
