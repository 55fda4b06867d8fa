"""Product identifiers: GS1 GTINs (EAN-8, UPC-A, EAN-13, GTIN-14) and their check digit."""

from __future__ import annotations

GTIN_LENGTHS = (8, 12, 13, 14)


def gs1_check_digit(body: str) -> int:
    """The digit that completes ``body`` (a GTIN without its last digit), by GS1's mod-10 rule."""
    backwards = body[::-1]  # weights 3, 1, 3, ... from the right
    total = 3 * sum(map(int, backwards[0::2])) + sum(map(int, backwards[1::2]))
    return (10 - total % 10) % 10


def gtin_problem(value: str) -> str | None:
    """Why ``value`` is not a GTIN, or None when it is one."""
    if not value.isdigit() or not value.isascii():
        return "a GTIN has digits only"
    if len(value) not in GTIN_LENGTHS:
        return f"a GTIN has 8, 12, 13 or 14 digits, not {len(value)}"
    expected = gs1_check_digit(value[:-1])
    if int(value[-1]) != expected:
        return f"bad GTIN check digit: {value[-1]}, expected {expected}"
    return None


def is_valid_gtin(value: str) -> bool:
    return gtin_problem(value) is None
