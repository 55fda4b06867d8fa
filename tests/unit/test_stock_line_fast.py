"""A stock line the fast path accepts is one the schema accepts, with the same answer; any other
line reaches the schema and gets its messages."""

from __future__ import annotations

import itertools
from typing import Any

from marshmallow import Schema, ValidationError

from schemas.common import SKU_MAX
from schemas.location import StockLineIn

SKUS: list[Any] = ["tee-red-m", "", "x" * SKU_MAX, "x" * (SKU_MAX + 1), None, 5, ["a"]]
LOCATIONS: list[Any] = ["PAR01", "", None, 3]
QUANTITIES: list[Any] = [0, 7, -1, 2.0, "3", True, None, 10**12]


def outcome(load: Any, body: Any) -> tuple[str, Any]:
    try:
        return "ok", load(body)
    except ValidationError as exc:
        return "refused", exc.messages


def bodies() -> list[Any]:
    found: list[Any] = [None, [], "line", {}]
    for sku, location, quantity in itertools.product(SKUS, LOCATIONS, QUANTITIES):
        body = {"sku": sku, "location": location, "quantity": quantity}
        found += [body, {**body, "extra": 1}, {k: v for k, v in body.items() if k != "location"}]
    return found


def test_the_fast_path_answers_as_the_schema_answers() -> None:
    schema = StockLineIn()
    accepted = 0
    for body in bodies():
        fast, slow = outcome(schema.load, body), outcome(lambda b: Schema.load(StockLineIn(), b), body)
        assert fast == slow, body
        accepted += fast[0] == "ok"
    assert accepted >= 12  # the plain lines were among them
