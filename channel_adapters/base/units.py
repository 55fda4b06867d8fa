"""Units of measurement and their conversion, for net contents and EU unit prices."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Unit:
    code: str
    dimension: str
    factor: Decimal  # how many of the dimension's base unit one of this unit is
    symbol: str


_DEFINITIONS = [
    ("MILLIGRAM", "mass", "0.000001", "mg"), ("GRAM", "mass", "0.001", "g"), ("KILOGRAM", "mass", "1", "kg"),
    ("MILLILITER", "volume", "0.001", "ml"), ("CENTILITER", "volume", "0.01", "cl"), ("LITER", "volume", "1", "l"),
    ("MILLIMETER", "length", "0.001", "mm"), ("CENTIMETER", "length", "0.01", "cm"), ("METER", "length", "1", "m"),
    ("SQUARE_CENTIMETER", "area", "0.0001", "cm²"), ("SQUARE_METER", "area", "1", "m²"),
    ("PIECE", "count", "1", "pc"),
]

UNITS: dict[str, Unit] = {code: Unit(code, dim, Decimal(f), sym) for code, dim, f, sym in _DEFINITIONS}


def convert(amount: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert within one dimension; raises ValueError across dimensions."""
    source, target = UNITS[from_unit], UNITS[to_unit]
    if source.dimension != target.dimension:
        raise ValueError(f"cannot convert {source.dimension} to {target.dimension}")
    return amount * source.factor / target.factor
