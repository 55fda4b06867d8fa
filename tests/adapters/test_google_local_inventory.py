"""Google local inventory feed: parsed back and checked row by row against Google's local inventory spec."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from channel_adapters.base import InvalidOutput, OfferView, StockView, StoreInfo
from channel_adapters.google_local_inventory import FILE, GoogleLocalInventoryAdapter
from tests.adapters.harness import context, grocery_view, render, view, csv_rows

ADAPTER = GoogleLocalInventoryAdapter()
# Google's attribute names, in the order this feed writes them.
HEADER = ["store_code", "id", "quantity", "price", "sale_price", "sale_price_effective_date", "availability",
          "pickup_method", "pickup_sla"]
GOOGLE_AVAILABILITY = {"in_stock", "limited_availability", "on_display_to_order", "out_of_stock"}
PRICE = re.compile(r"^\d+\.\d{2} [A-Z]{3}$")


def parse(tsv: bytes) -> list[dict[str, str]]:
    return csv_rows(tsv, HEADER, "\t")


def by_store(rows: list[dict[str, str]], sku: str) -> dict[str, dict[str, str]]:
    return {row["store_code"]: row for row in rows if row["id"] == sku}


def test_one_row_per_store_with_that_store_s_stock():
    ctx = context(ADAPTER)
    tee, coffee = view(), grocery_view()
    items, outputs = render(ADAPTER, [tee, coffee], ctx)
    assert not any(item.excluded for item in items)
    rows = parse(outputs.bytes(FILE))
    assert len(rows) == 2 * len(ctx.stores)
    for product in (tee, coffee):
        stores = by_store(rows, product.sku)
        assert set(stores) == {store.code for store in ctx.stores}
        for code, row in stores.items():
            assert int(row["quantity"]) == product.quantity_at(code)
    # The warehouse's 40 never leak into a store row.
    assert by_store(rows, "tee-navy-m")["PAR01"]["quantity"] == "3"
    assert by_store(rows, "tee-navy-m")["LYO01"]["quantity"] == "0"


def test_every_row_uses_google_values_and_formats():
    _, outputs = render(ADAPTER, [view(), grocery_view()], context(ADAPTER))
    for row in parse(outputs.bytes(FILE)):
        assert row["availability"] in GOOGLE_AVAILABILITY
        assert row["quantity"].isdigit()
        assert PRICE.match(row["price"])
        assert row["sale_price"] == "" or PRICE.match(row["sale_price"])
        assert len(row["id"]) <= 50


def test_availability_follows_the_store_count_and_the_low_stock_threshold():
    stock = (StockView("PAR01", "store", 2, "FR"), StockView("LYO01", "store", 7, "FR"),
             StockView("WH_LYON", "warehouse", 0, "FR"))
    product = view(stock=stock)
    _, outputs = render(ADAPTER, [product], context(ADAPTER))
    stores = by_store(parse(outputs.bytes(FILE)), product.sku)
    assert stores["PAR01"]["availability"] == "limited_availability"  # Google: 1 or 2 is limited
    assert stores["LYO01"]["availability"] == "in_stock"
    _, outputs = render(ADAPTER, [product], context(ADAPTER, {"low_stock_threshold": 10}))
    assert {row["availability"] for row in parse(outputs.bytes(FILE))} == {"limited_availability"}
    _, outputs = render(ADAPTER, [product], context(ADAPTER, {"low_stock_threshold": 0}))
    assert {row["availability"] for row in parse(outputs.bytes(FILE))} == {"in_stock"}


def test_out_of_stock_and_negative_stock():
    product = view(stock=(StockView("PAR01", "store", -2, "FR"),))  # LYO01 has no stock record at all
    (item,), outputs = render(ADAPTER, [product], context(ADAPTER))
    stores = by_store(parse(outputs.bytes(FILE)), product.sku)
    assert stores["PAR01"]["quantity"] == "0" and stores["PAR01"]["availability"] == "out_of_stock"
    assert stores["LYO01"]["quantity"] == "0" and stores["LYO01"]["availability"] == "out_of_stock"
    assert not item.excluded and any(d.code == "negative_stock" for d in item.diagnostics)


def test_a_store_s_own_offer_wins_over_the_channel_offer():
    paris = OfferView("USD", Decimal("22.00"), Decimal("18.50"), datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc),
                      datetime(2026, 11, 29, 18, 30, tzinfo=timezone.utc), True)
    product = view(store_offers={"PAR01": paris})
    _, outputs = render(ADAPTER, [product], context(ADAPTER))
    stores = by_store(parse(outputs.bytes(FILE)), product.sku)
    assert stores["PAR01"]["price"] == "22.00 USD" and stores["PAR01"]["sale_price"] == "18.50 USD"
    assert stores["PAR01"]["sale_price_effective_date"] == "2026-11-22T09:00+0000/2026-11-29T18:30+0000"
    assert stores["LYO01"]["price"] == "24.90 USD" and stores["LYO01"]["sale_price"] == "19.90 USD"
    assert stores["LYO01"]["sale_price_effective_date"] == "2026-11-20T00:00+0000/2026-12-01T00:00+0000"


def test_a_store_offer_without_sale_has_no_sale_cells():
    product = view(store_offers={"LYO01": OfferView("USD", Decimal("26.00"), None, None, None, False)})
    _, outputs = render(ADAPTER, [product], context(ADAPTER))
    lyon = by_store(parse(outputs.bytes(FILE)), product.sku)["LYO01"]
    assert (lyon["price"], lyon["sale_price"], lyon["sale_price_effective_date"]) == ("26.00 USD", "", "")


def test_a_store_sale_not_below_its_price_is_dropped_with_a_warning():
    paris = OfferView("USD", Decimal("20.00"), Decimal("20.00"), None, None, True)
    (item,), outputs = render(ADAPTER, [view(store_offers={"PAR01": paris})], context(ADAPTER))
    assert by_store(parse(outputs.bytes(FILE)), "tee-navy-m")["PAR01"]["sale_price"] == ""
    assert [d.code for d in item.diagnostics] == ["sale_not_lower"] and not item.excluded


def test_an_undated_sale_goes_out_only_while_it_runs():
    running = OfferView("USD", Decimal("24.90"), Decimal("20.00"), None, None, True)
    planned = replace(running, on_sale=False)
    _, outputs = render(ADAPTER, [view("running", offer=running), view("planned", offer=planned)], context(ADAPTER))
    rows = parse(outputs.bytes(FILE))
    assert {row["sale_price"] for row in rows if row["id"] == "running"} == {"20.00 USD"}
    assert {row["sale_price"] for row in rows if row["id"] == "planned"} == {""}


def test_pickup_method_and_sla_come_from_the_channel_settings():
    ctx = context(ADAPTER, {"pickup_method": "buy", "pickup_sla": "same day"})
    _, outputs = render(ADAPTER, [view()], ctx)
    for row in parse(outputs.bytes(FILE)):
        assert (row["pickup_method"], row["pickup_sla"]) == ("buy", "same day")
    ctx = context(ADAPTER, {"pickup_method": "ship to store", "pickup_sla": "multi-week"})
    _, outputs = render(ADAPTER, [view()], ctx)
    assert {(r["pickup_method"], r["pickup_sla"]) for r in parse(outputs.bytes(FILE))} == {("ship to store", "multi-week")}
    _, outputs = render(ADAPTER, [view()], context(ADAPTER, {"pickup_method": "not supported"}))
    assert {(r["pickup_method"], r["pickup_sla"]) for r in parse(outputs.bytes(FILE))} == {("not supported", "")}


@pytest.mark.parametrize("settings", [
    {"pickup_method": "buy"},  # a method needs its SLA
    {"pickup_sla": "next day"},  # and an SLA its method
    {"pickup_method": "buy", "pickup_sla": "3-day"},  # pickup today is same day or next day
    {"pickup_method": "ship to store", "pickup_sla": "same day"},  # pickup later is not same day
    {"pickup_method": "drive-in", "pickup_sla": "same day"},
    {"low_stock_threshold": -1},
    {"stores": ["PAR01"]},  # unknown settings are refused, not ignored
])
def test_settings_refuse_what_google_does_not_take(settings):
    with pytest.raises(ValidationError):
        ADAPTER.settings_schema().load(settings)


def test_empty_settings_load_with_defaults():
    assert ADAPTER.settings_schema().load({}) == {"low_stock_threshold": 2, "pickup_method": None, "pickup_sla": None}


def test_product_without_any_price_is_excluded():
    items, outputs = render(ADAPTER, [view("no-price", offer=None), view()], context(ADAPTER))
    assert items[0].excluded and not items[1].excluded
    assert {d.code: d.attribute for d in items[0].diagnostics}["missing_price"] == "offers"
    assert {row["id"] for row in parse(outputs.bytes(FILE))} == {"tee-navy-m"}


def test_stores_without_a_price_are_left_out_with_a_warning():
    paris = OfferView("USD", Decimal("21.00"), None, None, None, False)
    (item,), outputs = render(ADAPTER, [view("store-only", offer=None, store_offers={"PAR01": paris})], context(ADAPTER))
    assert not item.excluded
    warning = next(d for d in item.diagnostics if d.code == "missing_store_price")
    assert warning.attribute == "offers" and "LYO01" in warning.message
    rows = parse(outputs.bytes(FILE))
    assert [(row["store_code"], row["price"]) for row in rows] == [("PAR01", "21.00 USD")]


def test_an_id_longer_than_google_takes_is_excluded_once():
    (item,), outputs = render(ADAPTER, [view("x" * 51)], context(ADAPTER))
    assert item.excluded
    too_long = [d for d in item.diagnostics if d.code == "too_long"]
    assert len(too_long) == 1 and too_long[0].attribute == "sku" and "50" in too_long[0].message
    assert parse(outputs.bytes(FILE)) == []


def test_no_stores_means_a_header_only_file():
    (item,), outputs = render(ADAPTER, [view()], context(ADAPTER, stores=()))
    assert not item.excluded and item.fields["rows"] == ()
    assert parse(outputs.bytes(FILE)) == []


def test_more_stores_more_rows():
    stores = (StoreInfo("PAR01", "Paris", "FR"), StoreInfo("LYO01", "Lyon", "FR"), StoreInfo("NTE01", "Nantes", "FR"))
    product = view(stock=view().stock + (StockView("NTE01", "store", 12, "FR"),))
    _, outputs = render(ADAPTER, [product], context(ADAPTER, stores=stores))
    assert by_store(parse(outputs.bytes(FILE)), product.sku)["NTE01"]["quantity"] == "12"


@pytest.mark.parametrize("content", [
    b"id\tstore_code\n",  # wrong header
    ("\t".join(HEADER) + "\nPAR01\ttee\t3\n").encode(),  # wrong cell count
    ("\t".join(HEADER) + "\nPAR01\ttee\tthree\t1.00 USD\t\t\tin_stock\t\t\n").encode(),  # quantity not a count
    ("\t".join(HEADER) + "\nPAR01\ttee\t3\t1.00 USD\t\t\tin stock soon\t\t\n").encode(),  # not Google's availability
    ("\t".join(HEADER) + "\n\ttee\t3\t1.00 USD\t\t\tin_stock\t\t\n").encode(),  # no store code
    b"\xff\xfe\x00garbage",
])
def test_validation_refuses_malformed_files(content):
    with pytest.raises(InvalidOutput):
        ADAPTER.validate(FILE, io.BytesIO(content), context(ADAPTER))
