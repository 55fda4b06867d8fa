"""Small formatting rules several channels share: money, ISO times, overrides."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


def price_text(amount: Decimal, currency: str) -> str:
    """``"26.99 USD"``: the amount with two decimals, a space and the ISO currency code."""
    return f"{amount.quantize(Decimal('0.01'))} {currency}"


def iso_minutes(moment: datetime) -> str:
    """ISO 8601 to the minute with its offset, as Google and Meta write sale dates."""
    return moment.strftime("%Y-%m-%dT%H:%M%z")


def apply_overrides(values: dict[str, Any], overrides: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Any]:
    """A channel's field overrides win: constants, or templates like ``"{brand} outlet"``."""
    for name, override in overrides.items():
        if isinstance(override, str):
            values[name] = PLACEHOLDER.sub(lambda m: labels.get(m.group(1), ""), override).strip() or None
        else:
            values[name] = override
    return values
