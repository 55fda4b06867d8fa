"""The one sale-price rule every feed adapter follows."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from channel_adapters.base.formats import sale_fields
from channel_adapters.base.view import OfferView

START, END = datetime(2026, 12, 1, tzinfo=timezone.utc), datetime(2026, 12, 24, tzinfo=timezone.utc)


def offer(sale: str | None, start=None, end=None, running: bool = False) -> OfferView:
    return OfferView("EUR", Decimal("10.00"), Decimal(sale) if sale else None, start, end, running)


def test_a_dated_sale_goes_out_with_its_dates_even_before_it_starts():
    fields, notes = sale_fields(offer("7.50", START, END), "x")
    assert fields == {"sale_price": "7.50 EUR", "sale_price_effective_date": "2026-12-01T00:00+0000/2026-12-24T00:00+0000"}
    assert notes == []


def test_an_undated_sale_goes_out_only_while_it_runs():
    assert sale_fields(offer("7.50", running=True), "x")[0] == {"sale_price": "7.50 EUR"}
    assert sale_fields(offer("7.50", START, None, running=False), "x") == ({}, [])


def test_a_channel_without_sale_dates_gets_only_a_running_sale():
    assert sale_fields(offer("7.50", START, END, running=False), "x", dated=False) == ({}, [])
    assert sale_fields(offer("7.50", START, END, running=True), "x", dated=False)[0] == {"sale_price": "7.50 EUR"}


def test_a_sale_price_not_below_the_price_is_dropped_with_a_warning():
    fields, (note,) = sale_fields(offer("10.00", running=True), "sku-1", where=" at PAR01")
    assert fields == {} and note.code == "sale_not_lower" and note.attribute == "offers" and "at PAR01" in note.message
    assert sale_fields(offer(None), "x") == ({}, [])
