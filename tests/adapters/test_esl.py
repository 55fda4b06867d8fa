"""Electronic shelf labels: each store's JSON payload parsed back and checked field by field."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal
from importlib.metadata import EntryPoint
from typing import Any, Iterator

import pytest
from marshmallow import ValidationError

from channel_adapters.base import InvalidOutput, Item, OfferView, load_adapters
from channel_adapters.base.registry import GROUP
from channel_adapters.esl import LABEL_KEYS, EslAdapter
from tests.adapters.harness import NOW, MemoryOutputs, context, grocery_view, render, view

ADAPTER = EslAdapter()
ENTRY_POINT = "channel_adapters.esl:EslAdapter"


def eur(settings=None, **fields):
    """A French store channel: prices in euros."""
    return context(ADAPTER, settings, **{"currency": "EUR", "country": "FR", **fields})


def grocery(sku: str = "coffee-500g", amount: str = "500", unit: str = "GRAM", **changes):
    """The harness's grocery view, with any of its fields changed."""
    return replace(grocery_view(sku, amount, unit), **changes)


def payload(outputs: MemoryOutputs, store: str) -> dict[str, Any]:
    return json.loads(outputs.bytes(f"esl-{store}.json"))


def by_sku(outputs: MemoryOutputs, store: str) -> dict[str, dict[str, Any]]:
    return {label["sku"]: label for label in payload(outputs, store)["labels"]}


def test_payload_header_names_the_store_the_time_and_the_currency():
    _, outputs = render(ADAPTER, [grocery()], eur())
    data = payload(outputs, "LYO01")
    assert list(data) == ["store", "store_name", "generated", "currency", "labels"]
    assert (data["store"], data["store_name"], data["currency"]) == ("LYO01", "Lyon", "EUR")
    assert data["generated"] == "2026-11-24T12:00:00+00:00" == NOW.isoformat()


def test_sale_label_field_by_field_with_each_store_quantity():
    _, outputs = render(ADAPTER, [view()], context(ADAPTER))
    paris, lyon = by_sku(outputs, "PAR01")["tee-navy-m"], by_sku(outputs, "LYO01")["tee-navy-m"]
    assert paris == {
        "sku": "tee-navy-m", "gtin": "4006381333931", "name": "Crew tee", "brand": "Northwind", "variant": "Navy, M",
        "net_content": None, "price": "24.90", "sale_price": "19.90", "sale_end": "2026-12-01T00:00:00+00:00",
        "unit_price": None, "unit_price_unit": None, "quantity_in_store": 3,
    }
    assert lyon == {**paris, "quantity_in_store": 0}


def test_grocery_label_carries_its_unit_price():
    _, outputs = render(ADAPTER, [grocery(), grocery("milk", amount="750", unit="MILLILITER")], eur())
    labels = by_sku(outputs, "PAR01")
    coffee, milk = labels["coffee-500g"], labels["milk"]
    assert (coffee["price"], coffee["net_content"], coffee["unit_price"], coffee["unit_price_unit"]) == ("6.90", "500 g", "13.80", "kg")
    assert (milk["price"], milk["net_content"], milk["unit_price"], milk["unit_price_unit"]) == ("6.90", "750 ml", "9.20", "l")
    assert coffee["sale_price"] is None and coffee["sale_end"] is None
    # The unit price recomputes from the label's own price and net content.
    assert Decimal(coffee["unit_price"]) == (Decimal(coffee["price"]) / Decimal("0.5")).quantize(Decimal("0.01"))


def test_prices_are_decimal_strings():
    _, outputs = render(ADAPTER, [view()], context(ADAPTER))
    raw = outputs.bytes("esl-PAR01.json").decode()
    assert '"price": "24.90"' in raw and '"sale_price": "19.90"' in raw
    label = json.loads(raw, parse_float=lambda _: pytest.fail("a price was written as a JSON number"))["labels"][0]
    assert isinstance(label["price"], str)


def test_reference_quantity_is_a_setting():
    settings = {"unit_price_reference": {"volume": {"amount": "100", "unit": "MILLILITER"}}}
    _, outputs = render(ADAPTER, [grocery("milk", amount="750", unit="MILLILITER")], eur(settings))
    milk = by_sku(outputs, "PAR01")["milk"]
    assert (milk["unit_price"], milk["unit_price_unit"]) == ("0.92", "100 ml")


def test_each_store_gets_its_own_offer():
    lyon = OfferView("EUR", Decimal("7.50"), Decimal("6.00"), None, datetime(2026, 12, 24, tzinfo=timezone.utc), True)
    _, outputs = render(ADAPTER, [grocery(store_offers={"LYO01": lyon})], eur())
    paris, lyons = by_sku(outputs, "PAR01")["coffee-500g"], by_sku(outputs, "LYO01")["coffee-500g"]
    assert (paris["price"], paris["sale_price"], paris["unit_price"]) == ("6.90", None, "13.80")
    assert (lyons["price"], lyons["sale_price"], lyons["sale_end"]) == ("7.50", "6.00", "2026-12-24T00:00:00+00:00")
    assert lyons["unit_price"] == "12.00"  # per kg of the price the customer pays, the sale's


def test_a_store_without_a_price_gets_no_label_and_a_warning():
    paris = OfferView("EUR", Decimal("5.90"), None, None, None, False)
    items, outputs = render(ADAPTER, [grocery(offer=None, store_offers={"PAR01": paris})], eur())
    assert not items[0].excluded
    (warning,) = items[0].diagnostics
    assert (warning.code, warning.attribute) == ("missing_store_price", "offers") and "LYO01" in warning.message
    assert by_sku(outputs, "PAR01")["coffee-500g"]["price"] == "5.90"
    assert payload(outputs, "LYO01")["labels"] == []


def test_items_without_price_or_name_are_excluded_and_absent():
    nameless = grocery("nameless", labels={**grocery_view().labels, "name": ""},
                       values={k: v for k, v in grocery_view().values.items() if k != "name"})
    items, outputs = render(ADAPTER, [grocery("no-price", offer=None), nameless, grocery("kept")], eur())
    assert [item.excluded for item in items] == [True, True, False]
    assert [d.attribute for d in items[0].diagnostics if d.severity.value == "error"] == ["offers"]
    assert [d.attribute for d in items[1].diagnostics if d.severity.value == "error"] == ["name"]
    assert list(by_sku(outputs, "PAR01")) == ["kept"] and list(by_sku(outputs, "LYO01")) == ["kept"]


def test_missing_or_invalid_gtin_warns_and_leaves_gtin_null():
    no_gtin = grocery("no-gtin", values={k: v for k, v in grocery_view().values.items() if k != "ean"})
    bad_gtin = grocery("bad-gtin", values={**grocery_view().values, "ean": "4006381333932"})
    items, outputs = render(ADAPTER, [no_gtin, bad_gtin], eur())
    assert [[(d.severity.value, d.code, d.attribute) for d in item.diagnostics] for item in items] == [
        [("warning", "gtin_missing", "ean")], [("warning", "invalid_gtin", "ean")]]
    assert [label["gtin"] for label in payload(outputs, "PAR01")["labels"]] == [None, None]


def test_grocery_without_net_content_warns_and_has_no_unit_price():
    values = {k: v for k, v in grocery_view().values.items() if k != "net_weight"}
    items, outputs = render(ADAPTER, [grocery(values=values)], eur())
    assert [(d.code, d.attribute) for d in items[0].diagnostics] == [("net_content_missing", "net_weight")]
    label = by_sku(outputs, "PAR01")["coffee-500g"]
    assert (label["price"], label["unit_price"], label["unit_price_unit"]) == ("6.90", None, None)


def test_unusable_net_content_warns():
    values = {**grocery_view().values, "net_weight": {"amount": "0", "unit": "GRAM"}}
    (item,) = ADAPTER.items([grocery(values=values)], eur())
    assert [(d.code, d.attribute) for d in item.diagnostics] == [("net_content_invalid", "net_weight")]


def test_sales_run_by_the_render_time():
    ended = eur(now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    offer = replace(view().offer, currency="EUR")
    early = replace(offer, sale_start=datetime(2026, 11, 25, tzinfo=timezone.utc))
    items = list(ADAPTER.items([view("ended", offer=offer)], ended)) + list(ADAPTER.items([view("early", offer=early)], eur()))
    assert [item.fields["stores"]["PAR01"]["sale_price"] for item in items] == [None, None]
    assert [item.fields["stores"]["PAR01"]["price"] for item in items] == ["24.90", "24.90"]


def test_labels_stream_out_item_by_item():
    outputs = MemoryOutputs()
    ctx = eur()

    def items() -> Iterator[Item]:
        yield from ADAPTER.items([grocery("first")], ctx)
        assert b'"sku": "first"' in outputs.files["esl-PAR01.json"].getvalue(), "the first label waits for the last"
        yield from ADAPTER.items([grocery("second")], ctx)

    ADAPTER.write(items(), outputs, ctx)
    assert list(by_sku(outputs, "PAR01")) == ["first", "second"]


def test_validation_accepts_an_empty_store_and_refuses_broken_payloads():
    ctx = eur()
    _, outputs = render(ADAPTER, [grocery(offer=None)], ctx)  # render validates the empty payloads
    assert payload(outputs, "PAR01")["labels"] == []
    good = render(ADAPTER, [grocery("a"), grocery("b")], ctx)[1].bytes("esl-PAR01.json")
    first = json.loads(good.splitlines()[1].rstrip(b","))
    broken = [
        (good[: len(good) // 2], "not JSON|ends before"),  # cut off
        (good.replace(b"\n]}", b",\n]}"), "comma before the end"),
        (good.replace(b'"price": "6.90"', b'"price": 6.9', 1), "price must be a decimal string"),
        (good.replace(b'"quantity_in_store": 3', b'"quantity_in_store": "3"', 1), "quantity_in_store must be an integer"),
        (good.replace(b'"sku": "a"', b'"sku": null', 1), "needs its sku and name"),
        (good.replace(b'"currency": "EUR"', b'"currency": "euro"'), "ISO 4217"),
        (good + b'{"more": 1}', "after the end"),
        (good.replace(good.splitlines()[1], json.dumps({k: v for k, v in first.items() if k != "gtin"}).encode() + b","),
         "exactly the keys"),
        (b"\xff\xfe", "not JSON"),
    ]
    for data, reason in broken:
        with pytest.raises(InvalidOutput, match=reason):
            ADAPTER.validate("esl-PAR01.json", io.BytesIO(data), ctx)


def test_files_are_one_payload_per_store():
    assert [(f.name, f.content_type) for f in ADAPTER.files(context(ADAPTER))] == [
        ("esl-PAR01.json", "application/json"), ("esl-LYO01.json", "application/json")]


def test_label_keys_are_the_documented_ones():
    assert set(LABEL_KEYS) >= {"sku", "gtin", "name", "brand", "price", "sale_price", "sale_end", "unit_price",
                               "unit_price_unit", "quantity_in_store"}
    assert {spec.name for spec in ADAPTER.fields} == set(LABEL_KEYS)


def test_settings_load_empty_and_refuse_nonsense():
    schema = ADAPTER.settings_schema()
    assert schema.load({})["net_content_attributes"] == ["net_weight", "net_volume"]
    for bad in ({"unit_price_reference": {"weight": {"amount": "1", "unit": "KILOGRAM"}}},
                {"unit_price_reference": {"volume": {"amount": "1", "unit": "KILOGRAM"}}},
                {"net_content_attributes": []}, {"columns": 3}):
        with pytest.raises(ValidationError):
            schema.load(bad)






def test_entry_point_loads_the_adapter():
    registry = load_adapters(points=[EntryPoint("esl", ENTRY_POINT, GROUP)])
    assert isinstance(registry.get("esl"), EslAdapter)
