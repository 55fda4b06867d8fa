"""Printed shelf labels: the PDFs read back with pypdf, label by label, and checked as a shopper would."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from importlib.metadata import EntryPoint
from typing import Iterator

import pytest
from marshmallow import ValidationError
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from channel_adapters.base import InvalidOutput, Item, OfferView, StoreInfo, load_adapters
from channel_adapters.base.registry import GROUP
from channel_adapters.shelf_labels import ShelfLabelsAdapter
from tests.adapters.harness import NOW, MemoryOutputs, context, grocery_view, render, view

ADAPTER = ShelfLabelsAdapter()
ENTRY_POINT = "channel_adapters.shelf_labels:ShelfLabelsAdapter"
# The test's own conversion table, so a unit price is recomputed without the code under test.
TO_REFERENCE = {"GRAM": ("kg", Decimal("0.001")), "KILOGRAM": ("kg", Decimal(1)),
                "MILLILITER": ("l", Decimal("0.001")), "CENTILITER": ("l", Decimal("0.01")), "LITER": ("l", Decimal(1))}


def eur(settings=None, **fields):
    """A French store channel: prices in euros."""
    return context(ADAPTER, settings, **{"currency": "EUR", "country": "FR", **fields})


def grocery(sku: str = "coffee-500g", amount: str = "500", unit: str = "GRAM", **changes):
    """The harness's grocery view, with any of its fields changed."""
    return replace(grocery_view(sku, amount, unit), **changes)


def tee_in_euros(sku: str = "tee-navy-m", **changes):
    """The harness's apparel variant on sale, priced in euros."""
    return view(sku, offer=replace(view().offer, currency="EUR"), **changes)


def labels(pdf: bytes, columns: int = 3, rows: int = 8, margin_mm: float = 5) -> list[dict[int, str]]:
    """Each page's text, per label slot (counted from the top left, row by row), in drawing order."""
    width, height = (A4[0] - 2 * margin_mm * mm) / columns, (A4[1] - 2 * margin_mm * mm) / rows
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        slots: dict[int, list[str]] = {}

        def visit(text, cm, tm, _font, _size, slots=slots):
            if not text.strip():
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            column, row = int((x - margin_mm * mm) // width), int((A4[1] - margin_mm * mm - y) // height)
            if 0 <= column < columns and 0 <= row < rows:  # the footer sits in the margin
                slots.setdefault(row * columns + column, []).append(text.strip())

        page.extract_text(visitor_text=visit)
        pages.append({slot: "\n".join(parts) for slot, parts in sorted(slots.items())})
    return pages


def only_label(pdf: bytes) -> str:
    (page,) = labels(pdf)
    (text,) = page.values()
    return text


def barcode_digits(label: str) -> str:
    """The barcode's human-readable digits: the label's only lines made of digits alone."""
    return "".join(line for line in label.splitlines() if line.isdigit())


def rectangles(pdf: bytes) -> int:
    """How many rectangles the first page draws: the label frame and a barcode's bars."""
    return len(re.findall(rb"\sre\b", PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()))


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def test_grocery_label_prints_name_brand_price_and_net_content():
    items, outputs = render(ADAPTER, [grocery()], eur())
    assert not items[0].excluded and items[0].diagnostics == ()
    text = only_label(outputs.bytes("labels-PAR01.pdf"))
    lines = text.splitlines()
    assert "Northwind" in lines and "Espresso beans" in lines and "coffee-500g" in lines and "500 g" in lines
    assert "€6.90" in lines
    assert "€13.80 / kg" in lines


@pytest.mark.parametrize("quantity, unit, price", [
    ("500", "GRAM", "6.90"), ("750", "MILLILITER", "6.90"), ("250", "GRAM", "3.49"), ("33", "CENTILITER", "1.29"),
    ("1.5", "LITER", "2.19"), ("2", "KILOGRAM", "11.98"),
])
def test_printed_unit_price_recomputes_from_printed_price_and_net_content(quantity, unit, price):
    offer = OfferView("EUR", Decimal(price), None, None, None, False)
    _, outputs = render(ADAPTER, [grocery(amount=quantity, unit=unit, offer=offer)], eur())
    text = only_label(outputs.bytes("labels-PAR01.pdf"))
    printed_price = amount(re.search(r"^€(\d+\.\d\d)$", text, re.M).group(1))
    per, reference = re.search(r"^€(\d+\.\d\d) / (\w+)$", text, re.M).groups()
    expected_reference, factor = TO_REFERENCE[unit]
    assert reference == expected_reference
    packs_per_reference = Decimal(quantity) * factor
    assert amount(per) == (printed_price / packs_per_reference).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert printed_price == Decimal(price)


def test_reference_quantity_is_a_setting():
    settings = {"unit_price_reference": {"mass": {"amount": "100", "unit": "GRAM"}}}
    _, outputs = render(ADAPTER, [grocery(amount="250", unit="GRAM")], eur(settings))
    assert "€2.76 / 100 g" in only_label(outputs.bytes("labels-PAR01.pdf")).splitlines()  # 6.90 / 2.5


def test_sale_label_shows_sale_price_struck_regular_price_and_last_day():
    items, outputs = render(ADAPTER, [view()], context(ADAPTER))
    assert items[0].fields["stores"]["PAR01"]["sale_price"] == "19.90"
    lines = only_label(outputs.bytes("labels-PAR01.pdf")).splitlines()
    assert "Crew tee" in lines and "Northwind" in lines and "Navy, M" in lines
    assert "$19.90" in lines and "was $24.90" in lines
    # The sale ends at 2026-12-01 00:00 UTC: its last day is 30 November.
    assert "Sale until 2026-11-30" in lines


def test_sale_end_is_told_in_the_store_time_zone():
    _, outputs = render(ADAPTER, [view()], context(ADAPTER, {"time_zone": "Europe/Paris"}))
    assert "Sale until 2026-12-01 01:00" in only_label(outputs.bytes("labels-PAR01.pdf")).splitlines()


def test_unit_price_follows_the_sale_price():
    offer = OfferView("EUR", Decimal("6.90"), Decimal("5.00"), None, datetime(2026, 12, 1, tzinfo=timezone.utc), True)
    _, outputs = render(ADAPTER, [grocery(offer=offer)], eur())
    lines = only_label(outputs.bytes("labels-PAR01.pdf")).splitlines()
    assert "€5.00" in lines and "was €6.90" in lines and "€10.00 / kg" in lines


def test_french_store_reads_french_prices_and_dates():
    _, outputs = render(ADAPTER, [tee_in_euros(), grocery()], eur(locale="fr_FR"))
    page = labels(outputs.bytes("labels-PAR01.pdf"))[0]
    tee, coffee = page[0].splitlines(), page[1].splitlines()
    assert "19,90 €" in tee and "au lieu de 24,90 €" in tee and "Promo jusqu'au 30/11/2026" in tee
    assert "6,90 €" in coffee and "13,80 € / kg" in coffee


def test_each_store_prints_its_own_offer():
    lyon = OfferView("EUR", Decimal("7.50"), None, None, None, False)
    _, outputs = render(ADAPTER, [grocery(store_offers={"LYO01": lyon})], eur())
    paris, lyons = only_label(outputs.bytes("labels-PAR01.pdf")), only_label(outputs.bytes("labels-LYO01.pdf"))
    assert "€6.90" in paris.splitlines() and "€13.80 / kg" in paris.splitlines()
    assert "€7.50" in lyons.splitlines() and "€15.00 / kg" in lyons.splitlines()


def test_items_without_price_or_name_are_excluded_and_absent():
    nameless = grocery("nameless", labels={**grocery().labels, "name": ""},
                            values={k: v for k, v in grocery().values.items() if k != "name"})
    items, outputs = render(ADAPTER, [grocery("no-price", offer=None), nameless, grocery("kept")], eur())
    assert [item.excluded for item in items] == [True, True, False]
    assert {d.attribute for d in items[0].diagnostics if d.severity.value == "error"} == {"offers"}
    assert {d.attribute for d in items[1].diagnostics if d.severity.value == "error"} == {"name"}
    for name in ("labels-PAR01.pdf", "labels-LYO01.pdf"):
        (page,) = labels(outputs.bytes(name))
        assert len(page) == 1 and "kept" in page[0] and "no-price" not in page[0]


def test_price_in_another_currency_is_not_printed():
    (item,) = ADAPTER.items([grocery()], context(ADAPTER, currency="USD"))
    assert item.excluded
    (error,) = [d for d in item.diagnostics if d.severity.value == "error"]
    assert error.attribute == "offers" and "EUR" in error.message and "USD" in error.message


def test_barcode_is_drawn_from_the_gtin():
    _, outputs = render(ADAPTER, [grocery()], eur())
    pdf = outputs.bytes("labels-PAR01.pdf")
    assert barcode_digits(only_label(pdf)) == "4006381333931"
    assert rectangles(pdf) >= 1 + 30  # the label's frame, and an EAN-13's 30 bars (joined where they touch)


def test_upc_a_prints_as_ean_13_and_gtin_8_as_ean_8():
    upc = grocery("upc", values={**grocery().values, "ean": "036000291452"})
    ean8 = grocery("ean8", values={**grocery().values, "ean": "96385074"})
    items, outputs = render(ADAPTER, [upc, ean8], eur())
    assert [item.fields["barcode"] for item in items] == ["0036000291452", "96385074"]
    page = labels(outputs.bytes("labels-PAR01.pdf"))[0]
    assert (barcode_digits(page[0]), barcode_digits(page[1])) == ("0036000291452", "96385074")


def test_product_without_gtin_prints_without_barcode_and_warns():
    values = {k: v for k, v in grocery().values.items() if k != "ean"}
    items, outputs = render(ADAPTER, [grocery(values=values)], eur())
    assert not items[0].excluded
    assert [(d.severity.value, d.code, d.attribute) for d in items[0].diagnostics] == [("warning", "gtin_missing", "ean")]
    pdf = outputs.bytes("labels-PAR01.pdf")
    text = only_label(pdf)
    assert "€6.90" in text.splitlines() and "006381" not in text
    assert rectangles(pdf) == 1  # the frame only


def test_invalid_gtin_prints_no_barcode_and_warns():
    values = {**grocery().values, "ean": "4006381333932"}
    (item,) = ADAPTER.items([grocery(values=values)], eur())
    assert not item.excluded and item.fields["barcode"] is None
    assert [d.code for d in item.diagnostics] == ["invalid_gtin"]


def test_grocery_without_net_content_warns_and_prints_no_unit_price():
    values = {k: v for k, v in grocery().values.items() if k != "net_weight"}
    items, outputs = render(ADAPTER, [grocery(values=values), tee_in_euros()], eur())
    assert not items[0].excluded
    assert [(d.code, d.attribute) for d in items[0].diagnostics] == [("net_content_missing", "net_weight")]
    assert items[1].diagnostics == ()  # apparel is not sold by quantity: nothing to warn about
    page = labels(outputs.bytes("labels-PAR01.pdf"))[0]
    assert "€6.90" in page[0].splitlines() and " / " not in page[0]


def test_labels_fill_a_grid_and_break_pages():
    views = [grocery(f"sku-{n:02d}") for n in range(30)]
    _, outputs = render(ADAPTER, views, eur())
    pages = labels(outputs.bytes("labels-PAR01.pdf"))
    assert [len(page) for page in pages] == [24, 6]
    skus = [next(line for line in text.splitlines() if line.startswith("sku-")) for page in pages for text in page.values()]
    assert skus == [f"sku-{n:02d}" for n in range(30)]


def test_grid_is_a_setting():
    settings = {"columns": 2, "rows": 4, "margin_mm": 10}
    _, outputs = render(ADAPTER, [grocery(f"sku-{n:02d}") for n in range(17)], eur(settings))
    pages = labels(outputs.bytes("labels-LYO01.pdf"), columns=2, rows=4, margin_mm=10)
    assert [sorted(page) for page in pages] == [list(range(8)), list(range(8)), [0]]


def test_pages_stream_out_as_they_fill():
    outputs, ctx = MemoryOutputs(), eur()

    def items() -> Iterator[Item]:
        yield from ADAPTER.items([grocery(f"sku-{n:02d}") for n in range(25)], ctx)  # the 25th starts page 2
        assert b"/Type /Page " in outputs.files["labels-PAR01.pdf"].getvalue(), "page 1 waits for the last label"
        yield from ADAPTER.items([grocery("last")], ctx)

    ADAPTER.write(items(), outputs, ctx)
    ADAPTER.validate("labels-PAR01.pdf", io.BytesIO(outputs.bytes("labels-PAR01.pdf")), ctx)
    assert [len(page) for page in labels(outputs.bytes("labels-PAR01.pdf"))] == [24, 2]


def test_text_is_escaped_and_store_names_keep_their_script():
    odd = grocery("odd", labels={**grocery_view().labels, "name": "Beans (dark) \\ roast", "brand": "Café (1)"})
    store = StoreInfo("WAW01", "Warszawa Łódź", "PL")
    _, outputs = render(ADAPTER, [odd], eur(stores=(store,)))
    pdf = outputs.bytes("labels-WAW01.pdf")
    lines = only_label(pdf).splitlines()
    assert "Beans (dark) \\ roast" in lines and "Café (1)" in lines
    assert PdfReader(io.BytesIO(pdf)).metadata["/Subject"] == "Warszawa Łódź (WAW01)"


def test_store_without_labels_gets_a_sheet_that_says_so():
    _, outputs = render(ADAPTER, [grocery(offer=None)], eur())
    reader = PdfReader(io.BytesIO(outputs.bytes("labels-PAR01.pdf")))
    assert len(reader.pages) == 1 and "No shelf labels for this store." in reader.pages[0].extract_text()


def test_long_names_are_cut_with_a_warning_and_unprintable_ones_warn():
    long = grocery("long", labels={**grocery().labels, "name": "Single origin " * 12})
    polish = grocery("polish", labels={**grocery().labels, "name": "Kawa ziarnista Łódź"})
    items, outputs = render(ADAPTER, [long, polish], eur())
    assert [d.code for d in items[0].diagnostics] == ["name_truncated"]
    assert [(d.code, d.attribute) for d in items[1].diagnostics] == [("unprintable_characters", "name")]
    first = labels(outputs.bytes("labels-PAR01.pdf"))[0][0].splitlines()
    assert first[2:5] == ["Single origin Single origin Single origin", "Single origin Single origin Single…", "500 g"]


def test_output_is_deterministic_and_dated_by_the_context():
    ctx = eur()
    first = render(ADAPTER, [grocery()], ctx)[1].bytes("labels-PAR01.pdf")
    second = render(ADAPTER, [grocery()], ctx)[1].bytes("labels-PAR01.pdf")
    assert first == second
    info = PdfReader(io.BytesIO(first)).metadata
    assert info["/CreationDate"] == "D:20261124120000Z" and info["/Title"] == "Shelf labels PAR01"


def test_files_are_one_pdf_per_store():
    ctx = context(ADAPTER)
    assert [(f.name, f.content_type) for f in ADAPTER.files(ctx)] == [
        ("labels-PAR01.pdf", "application/pdf"), ("labels-LYO01.pdf", "application/pdf")]
    assert ADAPTER.files(context(ADAPTER, stores=())) == []


def test_validation_refuses_truncated_and_non_a4_pdfs():
    ctx = eur()
    pdf = render(ADAPTER, [grocery()], ctx)[1].bytes("labels-PAR01.pdf")
    for broken in (pdf[: len(pdf) // 3], b"", b"%PDF-1.4\n%%EOF"):
        with pytest.raises(InvalidOutput):
            ADAPTER.validate("labels-PAR01.pdf", io.BytesIO(broken), ctx)
    letter = io.BytesIO()
    canvas = Canvas(letter, pagesize=LETTER)
    canvas.drawString(72, 72, "not a label sheet")
    canvas.save()
    with pytest.raises(InvalidOutput, match="not A4"):
        ADAPTER.validate("labels-PAR01.pdf", io.BytesIO(letter.getvalue()), ctx)


def test_settings_load_empty_and_refuse_nonsense():
    schema = ADAPTER.settings_schema()
    loaded = schema.load({})
    assert (loaded["columns"], loaded["rows"], loaded["time_zone"]) == (3, 8, "UTC")
    for bad in ({"columns": 4}, {"time_zone": "Mars/Olympus"}, {"unknown": 1},
                {"unit_price_reference": {"mass": {"amount": "1", "unit": "LITER"}}},
                {"unit_price_reference": {"mass": {"amount": "0", "unit": "GRAM"}}}):
        with pytest.raises(ValidationError):
            schema.load(bad)






def test_entry_point_loads_the_adapter():
    registry = load_adapters(points=[EntryPoint("shelf_labels", ENTRY_POINT, GROUP)])
    assert isinstance(registry.get("shelf_labels"), ShelfLabelsAdapter)


def test_render_time_is_only_the_context():
    later = eur(now=NOW.replace(year=2027))
    (item,) = ADAPTER.items([tee_in_euros()], later)
    assert item.fields["stores"]["PAR01"]["sale_price"] is None  # the sale ended before that render time
