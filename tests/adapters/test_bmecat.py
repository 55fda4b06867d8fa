"""BMEcat 2005 catalog: rendered, parsed back, validated against the official XSD, and checked field by field."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from importlib.metadata import EntryPoint
from typing import BinaryIO, Iterator

import pytest
from lxml import etree
from marshmallow import ValidationError

import channel_adapters.bmecat
from channel_adapters.base import ChannelAdapter, InvalidOutput, Item, MediaView, load_adapters
from channel_adapters.bmecat import CATALOG_FILE, NS, BmecatAdapter
from channel_adapters.bmecat.codes import LANGUAGES, UNIT_CODES
from channel_adapters.bmecat.document import product_element
from channel_adapters.bmecat.schema import ProductCheck, code_list, compile_schema
from tests.adapters.harness import MemoryOutputs, context, grocery_view, render, view

ADAPTER = BmecatAdapter()
PACKAGE_DIR = Path(channel_adapters.bmecat.__file__).parent
B = {"b": NS}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@pytest.fixture(scope="module")
def xsd() -> etree.XMLSchema:
    """The official schema, loaded here independently of the adapter's own validation."""
    return etree.XMLSchema(etree.parse(str(PACKAGE_DIR / "xsd" / "bmecat_2005.xsd"), PARSER))


def parse(xml: bytes, xsd: etree.XMLSchema) -> etree._Element:
    root = etree.fromstring(xml, PARSER)
    xsd.assertValid(root)
    assert root.tag == f"{{{NS}}}BMECAT" and root.get("version") == "2005"
    return root


def products(root: etree._Element) -> dict[str, etree._Element]:
    return {p.findtext("b:SUPPLIER_PID", namespaces=B): p for p in root.iterfind("b:T_NEW_CATALOG/b:PRODUCT", B)}


def text(element: etree._Element, path: str) -> str | None:
    return element.findtext(path, namespaces=B)


def moment(node: etree._Element) -> datetime:
    """A typeDATETIME (DATE, TIME, TIMEZONE) back as an aware datetime."""
    zone = text(node, "b:TIMEZONE")
    offset = "+00:00" if zone == "Z" else zone or ""
    return datetime.fromisoformat(f"{text(node, 'b:DATE')}T{text(node, 'b:TIME')}{offset}")


def price_periods(product: etree._Element) -> list[dict[str, object]]:
    periods = []
    for details in product.iterfind("b:PRODUCT_PRICE_DETAILS", B):
        price = details.find("b:PRODUCT_PRICE", B)
        period: dict[str, object] = {"type": price.get("price_type"), "amount": text(price, "b:PRICE_AMOUNT"),
                                     "currency": text(price, "b:PRICE_CURRENCY"), "tax": text(price, "b:TAX")}
        for node in details.iterfind("b:DATETIME", B):
            period[node.get("type")] = moment(node)
        periods.append(period)
    return periods


def features(product: etree._Element) -> dict[str, tuple[str | None, str | None]]:
    return {text(f, "b:FNAME"): (text(f, "b:FVALUE"), text(f, "b:FUNIT"))
            for f in product.iterfind("b:PRODUCT_FEATURES/b:FEATURE", B)}


def mimes(product: etree._Element) -> list[dict[str, str | None]]:
    return [{name: text(m, f"b:{name}") for name in ("MIME_TYPE", "MIME_SOURCE", "MIME_ALT", "MIME_PURPOSE", "MIME_ORDER")}
            for m in product.iterfind("b:MIME_INFO/b:MIME", B)]


def codes(item: Item) -> dict[str | None, str]:
    return {d.attribute: d.code for d in item.diagnostics}


def test_header_describes_the_catalog_its_language_currency_and_supplier(xsd):
    settings = {"catalog_id": "NW-2026", "catalog_version": "2.1", "catalog_name": "Northwind spring",
                "supplier_name": "Crosscanal Demo SAS", "supplier_id": "4012345000009", "supplier_id_type": "gln"}
    ctx = context(ADAPTER, settings, locale="fr_FR", currency="EUR", country="FR")
    _, outputs = render(ADAPTER, [view()], ctx)
    header = parse(outputs.bytes(CATALOG_FILE), xsd).find("b:HEADER", B)
    catalog = header.find("b:CATALOG", B)
    language = catalog.find("b:LANGUAGE", B)
    assert (language.text, language.get("default")) == ("fra", "true")
    assert (text(catalog, "b:CATALOG_ID"), text(catalog, "b:CATALOG_VERSION")) == ("NW-2026", "2.1")
    assert text(catalog, "b:CATALOG_NAME") == "Northwind spring"
    generated = catalog.find("b:DATETIME", B)
    assert generated.get("type") == "generation_date" and moment(generated) == ctx.now
    assert (text(catalog, "b:TERRITORY"), text(catalog, "b:CURRENCY")) == ("FR", "EUR")
    supplier_id = header.find("b:SUPPLIER/b:SUPPLIER_ID", B)
    assert (supplier_id.text, supplier_id.get("type")) == ("4012345000009", "gln")
    assert text(header, "b:SUPPLIER/b:SUPPLIER_NAME") == "Crosscanal Demo SAS"
    assert text(header, "b:GENERATOR_INFO")


@pytest.mark.parametrize("now", [
    datetime(2027, 3, 1, 8, 30, 5, 250000, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2026, 7, 14, 23, 59, tzinfo=timezone(timedelta(hours=-4))),
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=1, seconds=30))),  # seconds: written in UTC
])
def test_generation_date_is_the_context_time_never_the_clock(now, xsd):
    ctx = context(ADAPTER, now=now)
    _, outputs = render(ADAPTER, [view()], ctx)
    catalog = parse(outputs.bytes(CATALOG_FILE), xsd).find("b:HEADER/b:CATALOG", B)
    assert moment(catalog.find("b:DATETIME", B)) == now
    assert text(catalog, "b:LANGUAGE") == "eng" and text(catalog, "b:CATALOG_ID") == "test"


def test_variant_product_carries_every_field_in_bmecat_form(xsd):
    ctx = context(ADAPTER)
    items, outputs = render(ADAPTER, [view()], ctx)
    assert not items[0].excluded and items[0].diagnostics == ()
    product = products(parse(outputs.bytes(CATALOG_FILE), xsd))["tee-navy-m"]
    assert text(product, "b:PRODUCT_DETAILS/b:DESCRIPTION_SHORT") == "Northwind Crew tee Navy M"
    assert text(product, "b:PRODUCT_DETAILS/b:DESCRIPTION_LONG") == "Soft organic cotton tee."
    gtin = product.find("b:PRODUCT_DETAILS/b:INTERNATIONAL_PID", B)
    assert (gtin.text, gtin.get("type")) == ("4006381333931", "gtin")
    assert text(product, "b:PRODUCT_DETAILS/b:MANUFACTURER_PID") == "CREW-NAV-M"
    assert text(product, "b:PRODUCT_DETAILS/b:MANUFACTURER_NAME") == "Northwind"
    assert features(product) == {"Colour": ("Navy", None), "Size": ("M", None), "Gender": ("Unisex", None)}
    assert text(product, "b:PRODUCT_ORDER_DETAILS/b:ORDER_UNIT") == "C62"
    assert text(product, "b:PRODUCT_ORDER_DETAILS/b:CONTENT_UNIT") == "C62"
    assert text(product, "b:PRODUCT_ORDER_DETAILS/b:NO_CU_PER_OU") == "1"
    # The running sale is its own period; the regular price takes over when it ends.
    sale_start, sale_end = datetime(2026, 11, 20, tzinfo=timezone.utc), datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert price_periods(product) == [
        {"type": "net_customer", "amount": "19.90", "currency": "USD", "tax": None,
         "valid_start_date": sale_start, "valid_end_date": sale_end},
        {"type": "net_customer", "amount": "24.90", "currency": "USD", "tax": None, "valid_start_date": sale_end},
    ]
    assert mimes(product) == [
        {"MIME_TYPE": None, "MIME_SOURCE": "https://hub.example/media/ab/abc.png", "MIME_ALT": "Crew tee in navy",
         "MIME_PURPOSE": "normal", "MIME_ORDER": "1"},  # "image/png" breaks MIME_TYPE's pattern: left out
        {"MIME_TYPE": None, "MIME_SOURCE": "https://hub.example/media/cd/cde.png", "MIME_ALT": None,
         "MIME_PURPOSE": "detail", "MIME_ORDER": "2"},
        {"MIME_TYPE": "url", "MIME_SOURCE": "https://shop.example.com/p/crew-tee", "MIME_ALT": None,
         "MIME_PURPOSE": "others", "MIME_ORDER": "3"},
    ]


def test_a_sale_ahead_splits_the_prices_into_periods_that_do_not_overlap(xsd):
    start, end = datetime(2026, 12, 1, tzinfo=timezone.utc), datetime(2026, 12, 24, tzinfo=timezone.utc)
    offer = replace(view().offer, sale_start=start, sale_end=end, on_sale=False)
    _, outputs = render(ADAPTER, [view(offer=offer)], context(ADAPTER))
    periods = price_periods(products(parse(outputs.bytes(CATALOG_FILE), xsd))["tee-navy-m"])
    assert [(p["amount"], p.get("valid_start_date"), p.get("valid_end_date")) for p in periods] == [
        ("24.90", None, start), ("19.90", start, end), ("24.90", end, None)]


def test_an_offer_without_sale_is_one_undated_price_with_the_configured_type_and_tax(xsd):
    offer = replace(view().offer, sale_price=None, sale_start=None, sale_end=None, on_sale=False)
    ctx = context(ADAPTER, {"price_type": "nrp", "tax": "0.20"})
    _, outputs = render(ADAPTER, [view(offer=offer)], ctx)
    product = products(parse(outputs.bytes(CATALOG_FILE), xsd))["tee-navy-m"]
    assert price_periods(product) == [{"type": "nrp", "amount": "24.90", "currency": "USD", "tax": "0.20"}]


@pytest.mark.parametrize(("amount", "unit", "name", "code"), [
    ("500", "GRAM", "Poids net", "GRM"), ("0.75", "LITER", "Volume net", "LTR"), ("250", "MILLILITER", "Volume net", "MLT")])
def test_grocery_net_content_is_a_feature_with_a_rec20_unit(amount, unit, name, code, xsd):
    ctx = context(ADAPTER, locale="fr_FR", currency="EUR", country="FR")
    _, outputs = render(ADAPTER, [grocery_view(amount=amount, unit=unit)], ctx)
    product = products(parse(outputs.bytes(CATALOG_FILE), xsd))["coffee-500g"]
    assert features(product) == {name: (amount, code)}
    assert price_periods(product) == [{"type": "net_customer", "amount": "6.90", "currency": "EUR", "tax": None}]
    assert text(product, "b:PRODUCT_DETAILS/b:DESCRIPTION_SHORT") == "Espresso beans"


def test_items_that_would_break_the_xsd_are_excluded_with_the_attribute_named(xsd):
    labels = view().labels
    views = [
        view("good"),
        view("no-price", offer=None),
        view("long-name", title="x" * 151),
        view("x" * 33),  # SUPPLIER_PID holds 32 characters
        view("no-name", title=None, labels={k: v for k, v in labels.items() if k != "name"}),
        view("bad-gtin", values={**view().values, "ean": "4006381333932"}),
        view("long-brand", labels={**labels, "brand": "B" * 51}),
        view("long-mpn", labels={**labels, "mpn": "M" * 51}),
    ]
    items, outputs = render(ADAPTER, views, context(ADAPTER))
    by_key = {item.key: item for item in items}
    assert not by_key["good"].excluded
    assert all(item.excluded for item in items[1:])
    assert codes(by_key["no-price"])["offers"] == "missing_price"
    too_long = next(d for d in by_key["long-name"].diagnostics if d.code == "too_long")
    assert too_long.attribute == "name" and "150" in too_long.message
    assert codes(by_key["x" * 33])["sku"] == "too_long"
    assert codes(by_key["no-name"])["name"] == "missing_required"
    assert codes(by_key["bad-gtin"])["ean"] == "invalid_gtin"
    assert codes(by_key["long-brand"])["brand"] == "too_long"
    assert codes(by_key["long-mpn"])["mpn"] == "too_long"
    assert list(products(parse(outputs.bytes(CATALOG_FILE), xsd))) == ["good"]


def test_a_catalog_of_excluded_items_is_still_a_valid_document(xsd):
    items, outputs = render(ADAPTER, [view(offer=None)], context(ADAPTER))
    assert items[0].excluded and products(parse(outputs.bytes(CATALOG_FILE), xsd)) == {}


def test_free_text_is_cut_and_optional_extras_left_out_with_warnings(xsd):
    labels = {**view().labels, "description": "word " * 13000, "color": "C" * 61}
    items, outputs = render(ADAPTER, [view(labels=labels, title="Crew\x00 tee\x0b")], context(ADAPTER))
    item = items[0]
    assert not item.excluded
    assert codes(item) == {"description": "truncated", "color": "feature_too_long", "name": "invalid_characters"}
    product = products(parse(outputs.bytes(CATALOG_FILE), xsd))["tee-navy-m"]
    assert len(text(product, "b:PRODUCT_DETAILS/b:DESCRIPTION_LONG")) <= 64000
    assert text(product, "b:PRODUCT_DETAILS/b:DESCRIPTION_SHORT") == "Crew tee"
    assert "Colour" not in features(product) and "Size" in features(product)


def test_mime_type_is_written_only_for_types_the_schema_pattern_allows(xsd):
    media = (MediaView("ph/front.JPG", "main", "A" * 90), MediaView("ph/side.gif", "additional", None),
             MediaView("ph/back.webp", "additional", None))
    _, outputs = render(ADAPTER, [view(media=media)], context(ADAPTER))
    entries = mimes(products(parse(outputs.bytes(CATALOG_FILE), xsd))["tee-navy-m"])
    assert [(e["MIME_TYPE"], e["MIME_PURPOSE"]) for e in entries] == [
        ("image/jpeg", "normal"), ("image/gif", "detail"), (None, "detail"), ("url", "others")]
    assert entries[0]["MIME_SOURCE"] == "https://hub.example/media/ph/front.JPG" and len(entries[0]["MIME_ALT"]) == 80


def test_field_overrides_and_the_classification_of_the_mapped_category(xsd):
    ctx = context(ADAPTER, {"classification_system": "ECLASS-5.1"},
                  field_overrides={"MANUFACTURER_NAME": "{brand} Outlet", "PRICE_TYPE": "gros_list"})
    views = [view(mapped_category="27-14-01-01"), view("unmapped", mapped_category=None)]
    items, outputs = render(ADAPTER, views, ctx)
    assert codes(items[0]) == {None: "override_ignored"}
    assert codes(items[1])["categories"] == "category_unmapped" and not items[1].excluded
    found = products(parse(outputs.bytes(CATALOG_FILE), xsd))
    assert text(found["tee-navy-m"], "b:PRODUCT_DETAILS/b:MANUFACTURER_NAME") == "Northwind Outlet"
    classification = found["tee-navy-m"].find("b:PRODUCT_FEATURES", B)
    assert text(classification, "b:REFERENCE_FEATURE_SYSTEM_NAME") == "ECLASS-5.1"
    assert text(classification, "b:REFERENCE_FEATURE_GROUP_ID") == "27-14-01-01"
    assert found["unmapped"].find("b:PRODUCT_FEATURES/b:REFERENCE_FEATURE_GROUP_ID", B) is None


def test_the_xsd_itself_excludes_what_the_item_checks_miss():
    # Settings that bypassed the schema: only the XSD knows "BOX" is no UN/ECE Rec. 20 unit.
    ctx = context(ADAPTER)
    (item,) = ADAPTER.items([view()], replace(ctx, settings={**ctx.settings, "order_unit": "BOX"}))
    assert item.excluded and [d.code for d in item.diagnostics] == ["breaks_schema"]
    assert "ORDER_UNIT" in item.diagnostics[0].message and "BOX" in item.diagnostics[0].message
    (good,) = ADAPTER.items([view()], ctx)
    assert ProductCheck(compile_schema()).errors(product_element(good.fields)) == []


@pytest.mark.parametrize(("context_changes", "settings", "expected"), [
    ({"currency": "PLN"}, {}, "PLN"),  # BMEcat 2005's ISO 4217 list predates the złoty's code in it
    ({"locale": "xx_YY"}, {}, "language"),
])
def test_a_channel_the_format_cannot_express_fails_before_anything_is_written(context_changes, settings, expected):
    ctx = context(ADAPTER, settings, **context_changes)
    items = list(ADAPTER.items([view(offer=replace(view().offer, currency=ctx.currency))], ctx))
    outputs = MemoryOutputs()
    with pytest.raises(InvalidOutput, match=expected):
        ADAPTER.write(iter(items), outputs, ctx)
    assert outputs.files == {}


def test_currency_outside_bmecat_2005_excludes_the_item_and_a_language_setting_fixes_a_locale(xsd):
    (item,) = ADAPTER.items([view(offer=replace(view().offer, currency="CZK"))], context(ADAPTER))
    assert item.excluded and codes(item)["offers"] == "unsupported_currency"
    _, outputs = render(ADAPTER, [view()], context(ADAPTER, {"language": "roh"}, locale="rm_CH"))
    assert text(parse(outputs.bytes(CATALOG_FILE), xsd), "b:HEADER/b:CATALOG/b:LANGUAGE") == "roh"


def _mutations() -> list[tuple[str, bytes, bytes]]:
    return [
        ("catalog version", b"<CATALOG_VERSION>1.0</CATALOG_VERSION>", b"<CATALOG_VERSION>v1</CATALOG_VERSION>"),
        ("last SUPPLIER_PID too long", b"<SUPPLIER_PID>coffee-500g</SUPPLIER_PID>",
         b"<SUPPLIER_PID>" + b"c" * 33 + b"</SUPPLIER_PID>"),
        ("element order", b"<MANUFACTURER_PID>CREW-NAV-M</MANUFACTURER_PID><MANUFACTURER_NAME>Northwind</MANUFACTURER_NAME>",
         b"<MANUFACTURER_NAME>Northwind</MANUFACTURER_NAME><MANUFACTURER_PID>CREW-NAV-M</MANUFACTURER_PID>"),
        ("decimal comma", b"<PRICE_AMOUNT>6.90</PRICE_AMOUNT>", b"<PRICE_AMOUNT>6,90</PRICE_AMOUNT>"),
        ("unknown currency", b"<CURRENCY>USD</CURRENCY>", b"<CURRENCY>XBT</CURRENCY>"),
    ]


@pytest.mark.parametrize(("what", "old", "new"), _mutations(), ids=[m[0] for m in _mutations()])
def test_validate_refuses_a_well_formed_document_that_breaks_the_xsd(what, old, new):
    ctx = context(ADAPTER)
    _, outputs = render(ADAPTER, [view(), grocery_view()], ctx)  # the untouched document passes
    document = outputs.bytes(CATALOG_FILE)
    assert old in document
    broken = document.replace(old, new, 1)
    etree.fromstring(broken, PARSER)  # still well-formed
    with pytest.raises(InvalidOutput, match="BMEcat 2005"):
        ADAPTER.validate(CATALOG_FILE, io.BytesIO(broken), ctx)


def test_validate_refuses_another_root_garbage_and_unknown_files():
    ctx = context(ADAPTER)
    header_only = f'<HEADER xmlns="{NS}"><CATALOG><LANGUAGE>eng</LANGUAGE><CATALOG_ID>a</CATALOG_ID>' \
                  "<CATALOG_VERSION>1.0</CATALOG_VERSION></CATALOG><SUPPLIER><SUPPLIER_NAME>s</SUPPLIER_NAME>" \
                  "</SUPPLIER></HEADER>"
    for document in (header_only.encode(), b"\x00 not a feed", b"<BMECAT/>"):
        with pytest.raises(InvalidOutput):
            ADAPTER.validate(CATALOG_FILE, io.BytesIO(document), ctx)
    with pytest.raises(InvalidOutput):
        ADAPTER.validate("products.xml", io.BytesIO(b""), ctx)


def test_write_streams_products_as_it_receives_them():
    ctx = context(ADAPTER)
    written_before_the_last: list[int] = []

    class WatchedOutputs(MemoryOutputs):
        def open(self, name: str) -> BinaryIO:
            self.stream = super().open(name)
            return self.stream

    outputs = WatchedOutputs()

    def items() -> Iterator[Item]:
        for number in range(400):
            yield next(ADAPTER.items([view(f"tee-{number}")], ctx))
        written_before_the_last.append(len(outputs.stream.getvalue()))

    ADAPTER.write(items(), outputs, ctx)
    total = len(outputs.bytes(CATALOG_FILE))
    assert 0 < written_before_the_last[0] < total  # bytes left before the end of the catalog was reached
    ADAPTER.validate(CATALOG_FILE, io.BytesIO(outputs.bytes(CATALOG_FILE)), ctx)


def test_item_fields_are_plain_data_so_rendered_items_can_be_cached():
    (item,) = ADAPTER.items([view()], context(ADAPTER, {"tax": "0.19"}))
    assert json.loads(json.dumps(item.fields)) == item.fields


def test_settings_load_empty_and_refuse_what_the_xsd_would():
    loaded = ADAPTER.settings_schema().load({})
    assert loaded["catalog_version"] == "1.0" and loaded["price_type"] == "net_customer"
    assert loaded["order_unit"] == loaded["content_unit"] == "C62" and loaded["units_per_order_unit"] == Decimal("1")
    assert ADAPTER.settings_schema().load({"supplier_name": "Crosscanal Demo SAS"})["supplier_name"] == "Crosscanal Demo SAS"
    for bad in ({"catalog_version": "1"}, {"catalog_id": "c" * 21}, {"supplier_name": "s" * 51}, {"order_unit": "BOX"},
                {"price_type": "retail"}, {"language": "fr"}, {"tax": "19"}, {"feature_names": {"color": "c" * 61}},
                {"unknown": 1}):
        with pytest.raises(ValidationError):
            ADAPTER.settings_schema().load(bad)


def test_code_lists_match_the_xsd_and_the_licence_ships_with_it():
    assert set(LANGUAGES.values()) <= code_list("dtLANG")
    assert set(UNIT_CODES.values()) <= code_list("dtPUNIT")
    assert {"EUR", "USD", "GBP", "CHF"} <= code_list("dtCURRENCIES")
    for name in ("bmecat_2005.xsd", "REPO-LICENSE-BSD-3-Clause.txt", "SOURCE.txt"):
        assert (PACKAGE_DIR / "xsd" / name).is_file()




def test_the_registry_loads_it_from_the_entry_point_line_pyproject_will_carry():
    point = EntryPoint("bmecat", "channel_adapters.bmecat:BmecatAdapter", "crosscanal.channel_adapters")
    adapter = load_adapters(points=[point]).get("bmecat")
    assert isinstance(adapter, BmecatAdapter) and isinstance(adapter, ChannelAdapter)
