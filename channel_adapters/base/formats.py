"""Small formatting rules several channels share: money, ISO times, overrides."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping

from channel_adapters.base.diagnostics import Diagnostic, Severity
from channel_adapters.base.view import OfferView

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


CENT = Decimal("0.01")


def price_text(amount: Decimal, currency: str) -> str:
    """``"26.99 USD"``: the amount with two decimals, a space and the ISO currency code."""
    return f"{amount.quantize(CENT)} {currency}"


def iso_minutes(moment: datetime) -> str:
    """ISO 8601 to the minute with its offset, as Google and Meta write sale dates."""
    return moment.strftime("%Y-%m-%dT%H:%M%z")


def sale_fields(offer: OfferView, sku: str, *, dated: bool = True, where: str = "") -> tuple[dict[str, str], list[Diagnostic]]:
    """``sale_price`` (and ``sale_price_effective_date``) as feeds take them, or why the sale is left out.

    Channels run an undated sale price at once and until the next feed, so a sale that has not
    started goes out only with its dates (``dated``: the channel reads them), and a sale price
    that is not below the price is dropped with a warning.
    """
    if offer.sale_price is None:
        return {}, []
    if offer.sale_price >= offer.price:
        return {}, [Diagnostic(Severity.WARNING, "sale_not_lower",
                               f"sale price {offer.sale_price}{where} is not below the price {offer.price}; it was left out",
                               "offers", "lower the sale price or remove it", sku)]
    sale = {"sale_price": price_text(offer.sale_price, offer.currency)}
    if dated and offer.sale_start and offer.sale_end:
        return {**sale, "sale_price_effective_date": f"{iso_minutes(offer.sale_start)}/{iso_minutes(offer.sale_end)}"}, []
    return (sale, []) if offer.on_sale else ({}, [])


def apply_overrides(values: dict[str, Any], overrides: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """A channel's field overrides win: constants, or templates like ``"{brand} outlet"``."""
    for name, override in overrides.items():
        if isinstance(override, str):
            values[name] = PLACEHOLDER.sub(lambda m: labels.get(m.group(1), ""), override).strip() or None
        else:
            values[name] = override
    return values
