"""The fast paths of ``ProductIn`` and ``ProductModelIn`` against the schemas themselves, body by
body: a path may decline any body (the schema then decides), but a body it answers must load to
exactly what the schema loads, and a body the schema refuses must never pass it."""

from __future__ import annotations

import json
import random
from copy import deepcopy
from typing import Any

import pytest
from marshmallow import Schema, ValidationError

from schemas import product_fast
from schemas.product import ProductIn, ProductModelIn

BASES: list[dict[str, Any]] = [
    {"sku": "tee-red-m", "parent": "tee"},
    {"sku": "dark-chocolate-70", "family": "grocery", "enabled": False, "categories": ["chocolate", "food"],
     "values": {"name": [{"locale": "en_US", "scope": None, "data": "Dark"}, {"locale": "fr_FR", "data": "Noir"}],
                "weight": [{"data": {"amount": "100", "unit": "GRAM"}}], "tags": [{"scope": "ecommerce", "data": ["a", "b"]}]},
     "offers": [{"currency": "EUR", "price": "3.49"}, {"currency": "EUR", "price": 5, "channel": "ecommerce"},
                {"currency": "USD", "price": "4.0000", "sale_price": "3.5", "sale_start": "2026-01-01T00:00:00+00:00",
                 "sale_end": "2026-02-01T00:00:00Z", "location": "paris"}],
     "media": [{"path": "img/a.png", "role": "main", "alt": {"en_US": "A bar"}}, {"path": "img/b.png"}],
     "revision": 3, "stock": [{"location": "paris", "quantity": 2}], "created": "x", "updated": "y", "inherited_values": {}},
]

MODEL_BASES: list[dict[str, Any]] = [
    {"code": "polo", "family": "tees", "variant_axes": ["color", "size"]},
    {"code": "crew_tee_s2", "family": "apparel", "variant_axes": ["color"], "categories": ["tees", "men"],
     "values": {"name": [{"locale": "en_US", "scope": None, "data": "Crew tee"}, {"locale": "fr_FR", "data": "T-shirt"}],
                "material": [{"data": {"amount": "1", "unit": "GRAM"}}], "tags": [{"scope": "ecommerce", "data": ["a"]}]},
     "revision": 2, "created": "x", "updated": "y"},
]
CASES = [(ProductIn, product_fast.load, BASES), (ProductModelIn, product_fast.load_model, MODEL_BASES)]

ODD = [None, True, False, 0, -1, 7, 1.5, "", " ", "x", "EUR", "-1", "1e2", "NaN", "3.12345", "02.50", "a\n", "é",
       b"bytes", [], ["x"], ("x",), {}, {"data": 1}, {"locale": "en_US"}, "2026-01-01T00:00:00", "2026-01-01T00:00:00+01:00",
       "tee-red-m", "a" * 65, "a" * 101, "a" * 501, "main", "swatch", "other", "en_US", "english", "code\n",
       ["a", "b", "c", "d", "e", "f"], ["color", 1],
       "nul\x00", ["a", "\x00"], {"amount": "1", "unit": "GRAM\x00"}, {"en_US": "alt\x00"}]  # a NUL: the schema refuses it


def places(body: Any, path: tuple = ()) -> list[tuple]:
    """Every path into the body, containers included: each is a spot a mutation may hit."""
    found = [path]
    if isinstance(body, dict):
        for key, value in body.items():
            found += places(value, path + (key,))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            found += places(value, path + (index,))
    return found


def mutated(body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    body = deepcopy(body)
    for _ in range(rng.choice((1, 1, 2, 3))):
        spots = places(body)[1:]
        if not spots:
            break
        path = rng.choice(spots)
        *parents, last = path
        holder = body
        for step in parents:
            holder = holder[step]
        kind = rng.random()
        if kind < 0.7:
            holder[last] = deepcopy(rng.choice(ODD))
        elif kind < 0.85 and isinstance(holder, dict):
            del holder[last]
        elif isinstance(holder, dict):
            holder[rng.choice(("extra", "sku", "code", "data", "role", "price", "alt", "locale", "variant_axes", "na\x00me"))] = deepcopy(rng.choice(ODD))
    return body


def schema_load(schema: type[Schema], body: Any) -> Any:
    try:
        return Schema.load(schema(), body)
    except ValidationError:
        return ValidationError


def same(a: Any) -> str:
    return json.dumps(a, default=repr)  # keeps key order and types (Decimal('1.0') is not Decimal('1'))


@pytest.mark.parametrize(("schema", "fast", "bases"), CASES, ids=["product", "model"])
def test_the_fast_path_takes_plain_bodies_and_answers_what_the_schema_answers(schema, fast, bases) -> None:
    for body in bases:
        loaded = fast(body)
        assert loaded is not None
        assert same(loaded) == same(schema_load(schema, body))
        assert schema().load(body) == loaded


@pytest.mark.parametrize(("schema", "fast", "bases"), CASES, ids=["product", "model"])
def test_a_mutated_body_is_answered_alike_or_handed_to_the_schema(schema, fast, bases) -> None:
    rng = random.Random(14)
    taken = refused = 0
    for _ in range(6000):
        body = mutated(rng.choice(bases), rng)
        expected, answered = schema_load(schema, body), fast(body)
        if expected is ValidationError:
            refused += 1
            assert answered is None, body
        elif answered is not None:
            taken += 1
            assert same(answered) == same(expected), body
    assert taken > 500 and refused > 1000  # the corpus reaches both sides


@pytest.mark.parametrize("body", [[], "sku", None, {"sku": "a", "family": "f", "offers": [{"currency": "EUR", "price": "1"}] * 2}])
def test_what_the_fast_path_declines_still_gets_the_schemas_messages(body: Any) -> None:
    assert product_fast.load(body) is None
    with pytest.raises(ValidationError):
        ProductIn().load(body)


@pytest.mark.parametrize("body", [[], None, {"code": "polo", "family": "tees", "variant_axes": []},
                                  {"code": "polo", "family": "tees", "variant_axes": ["a"] * 6}, {"code": "po lo", "family": "t", "variant_axes": ["a"]}])
def test_what_the_models_fast_path_declines_still_gets_the_schemas_messages(body: Any) -> None:
    assert product_fast.load_model(body) is None
    with pytest.raises(ValidationError):
        ProductModelIn().load(body)
