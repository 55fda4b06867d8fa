"""One contract test over every adapter the hub discovers through its entry points."""

from __future__ import annotations

import io

import pytest

from channel_adapters.base import ChannelAdapter, InvalidOutput, load_adapters
from channel_adapters.base.view import ProductView
from tests.adapters.harness import MemoryOutputs, context, grocery_view, render, view

ADAPTERS = list(load_adapters())


def test_the_hub_ships_its_adapters():
    assert {"google_merchant", "google_local_inventory", "bmecat", "meta_catalog", "pinterest", "tiktok",
            "shelf_labels", "esl"} <= {
        adapter.name for adapter in ADAPTERS}


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_adapter_keeps_the_contract(adapter):
    assert isinstance(adapter, ChannelAdapter)
    ctx = context(adapter)
    declared = {f.name for f in adapter.files(ctx)}
    assert declared, "an adapter writes at least one file"
    views: list[ProductView] = [view(), grocery_view()]
    items, outputs = render(adapter, views, ctx)
    assert [item.key for item in items] == [v.sku for v in views], "one item per view, in order"
    assert set(outputs.files) <= declared, "only declared files are written"
    assert all(len(outputs.bytes(name)) > 0 for name in outputs.files)
    assert adapter.fields and all(spec.name for spec in adapter.fields)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_adapter_excludes_a_product_without_a_price(adapter):
    ctx = context(adapter)
    items = list(adapter.items([view(offer=None)], ctx))
    assert items[0].excluded
    assert any(d.attribute == "offers" for d in items[0].diagnostics)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_adapter_validation_refuses_garbage(adapter):
    ctx = context(adapter)
    for spec in adapter.files(ctx):
        with pytest.raises(InvalidOutput):
            adapter.validate(spec.name, io.BytesIO(b"\x00 not a feed"), ctx)


def test_outputs_refuse_a_second_open():
    outputs = MemoryOutputs()
    outputs.open("a")
    with pytest.raises(AssertionError):
        outputs.open("a")


def test_a_row_formatter_writes_what_csv_writer_writes():
    """Plain rows are joined without the writer; every row must still be the writer's bytes."""
    import csv
    import io

    from channel_adapters.base.chunks import row_formatter

    awkward = ["plain", "", " spaced ", 'say "hi"', "a,b", "a\tb", "line\nbreak", "cr\rx", "x;y", "é", "\u2028"]
    rows = [[a, b] for a in awkward for b in awkward] + [[""], ["solo"], ["a", 1, None, 2.5, True]]
    for delimiter, quoting in ((",", csv.QUOTE_MINIMAL), ("\t", csv.QUOTE_MINIMAL), ("|", csv.QUOTE_ALL)):
        formatter = row_formatter(delimiter, quoting)
        for row in rows:
            expected = io.StringIO()
            csv.writer(expected, delimiter=delimiter, lineterminator="\n", quoting=quoting).writerow(row)
            assert formatter.row(row) == expected.getvalue(), (delimiter, row)
