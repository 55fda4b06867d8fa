"""``ProductIn``'s and ``ProductModelIn``'s common case checked in plain Python, so bulk saves do
not spend most of their time in marshmallow's per-field machinery (about 600 µs of a product's
~900 µs in a 1M demo; a third of a models file's import).

``load`` answers exactly what ``ProductIn().load`` answers, and ``load_model`` what
``ProductModelIn().load`` answers (same keys in the same order, same types, the same objects
for raw data), for a body it fully understands and finds valid. For
anything else, a type it does not take on this path, an unknown field, a rule broken, it answers
``None`` and the caller runs the schema, which gives the error messages. So messages have a
single source, and this module may only ever be narrower than the schema, never wider:
``tests/unit/test_product_fast.py`` checks it against the schema body by body.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields

from schemas.common import (
    CODE_MAX, LOCALE_PATTERN, MEDIA_ROLES, MEDIA_TEXT_MAX, MOST_AXES, NUL, SKU_MAX, SKU_PATTERN, nul_messages,
)

_SKU = re.compile(SKU_PATTERN)
_LOCALE = re.compile(LOCALE_PATTERN)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]{1,4})?")  # plain, not negative, at most 4 places
_READ_ONLY = frozenset(("stock", "revision", "created", "updated", "inherited_values"))
_PRODUCT_KEYS = frozenset(("sku", "family", "parent", "enabled", "categories", "values", "offers", "media")) | _READ_ONLY
_MODEL_KEYS = frozenset(("code", "family", "variant_axes", "categories", "values")) | _READ_ONLY
_CODE = re.compile(r"[A-Za-z0-9_]+")  # whole (the schema's pattern also lets a final newline through: it decides that)
_VALUE_KEYS = frozenset(("locale", "scope", "data"))
_OFFER_KEYS = frozenset(("currency", "price", "channel", "location", "sale_price", "sale_start", "sale_end"))
_MEDIA_KEYS = frozenset(("path", "role", "alt"))
_ROLES = frozenset(MEDIA_ROLES)
_MOMENT = fields.AwareDateTime()  # the schema's own parser for the rare dated offer


class _NotHere(Exception):
    """The body needs the schema: to be told what is wrong with it, or a form this path skips."""


def load(body: Any) -> dict[str, Any] | None:
    """``ProductIn().load(body)``'s answer, or ``None`` when the schema must decide."""
    try:
        return _product(body)
    except _NotHere:
        return None


def load_model(body: Any) -> dict[str, Any] | None:
    """``ProductModelIn().load(body)``'s answer, or ``None`` when the schema must decide."""
    try:
        return _model(body)
    except _NotHere:
        return None


def _model(body: Any) -> dict[str, Any]:
    _check_keys(body, _MODEL_KEYS)
    code, family = body.get("code"), body.get("family")
    if type(code) is not str or len(code) > CODE_MAX or not _CODE.fullmatch(code) or type(family) is not str or NUL in family:
        raise _NotHere
    axes = [_text(axis) for axis in _list(body.get("variant_axes"))]
    if not 1 <= len(axes) <= MOST_AXES:
        raise _NotHere
    return {"code": code, "family": family, "variant_axes": axes,
            "categories": [_text(code) for code in _list(body.get("categories", []))],
            "values": _values(body.get("values", {}))}


def _check_keys(body: Any, known: frozenset[str]) -> None:
    """A dict of known fields, none of the read-only ones holding a NUL (the schema takes anything
    else there, null included)."""
    if type(body) is not dict or not known.issuperset(body):
        raise _NotHere
    for name in _READ_ONLY & body.keys():
        if nul_messages(body[name]) is not None:  # the schema refuses a NUL even there
            raise _NotHere


def _product(body: Any) -> dict[str, Any]:
    _check_keys(body, _PRODUCT_KEYS)
    sku = body.get("sku")
    if type(sku) is not str or not 1 <= len(sku) <= SKU_MAX or not _SKU.match(sku):
        raise _NotHere
    family, parent = _text_or_none(body.get("family")), _text_or_none(body.get("parent"))
    if not family and not parent:
        raise _NotHere
    enabled = body.get("enabled", True)
    if type(enabled) is not bool:
        raise _NotHere
    offers = [_offer(offer) for offer in _list(body.get("offers", []))]
    if len({(o["currency"], o["channel"], o["location"]) for o in offers}) != len(offers):
        raise _NotHere
    return {
        "sku": sku, "family": family, "parent": parent, "enabled": enabled,
        "categories": [_text(code) for code in _list(body.get("categories", []))],
        "values": _values(body.get("values", {})),
        "offers": offers,
        "media": [_media(ref) for ref in _list(body.get("media", []))],
    }


def _values(values: Any) -> dict[str, Any]:
    if type(values) is not dict:
        raise _NotHere
    loaded = {}
    for code, entries in values.items():
        if type(code) is not str or NUL in code:
            raise _NotHere
        loaded[code] = [_value(entry) for entry in _list(entries)]
    return loaded


def _value(entry: Any) -> dict[str, Any]:
    if type(entry) is not dict or "data" not in entry or not _VALUE_KEYS.issuperset(entry):
        raise _NotHere
    data = entry["data"]
    if type(data) is str and NUL in data or type(data) in (dict, list) and nul_messages(data) is not None:
        raise _NotHere
    return {"locale": _text_or_none(entry.get("locale")), "scope": _text_or_none(entry.get("scope")), "data": data}


def _offer(offer: Any) -> dict[str, Any]:
    if type(offer) is not dict or not _OFFER_KEYS.issuperset(offer):
        raise _NotHere
    currency = offer.get("currency")
    if type(currency) is not str or not _CURRENCY.match(currency):
        raise _NotHere
    price, sale_price = _amount(offer.get("price")), offer.get("sale_price")
    if sale_price is not None:
        sale_price = _amount(sale_price)
        if sale_price >= price:
            raise _NotHere
    start, end = _moment(offer.get("sale_start")), _moment(offer.get("sale_end"))
    if (start and end and end <= start) or ((start or end) and sale_price is None):
        raise _NotHere
    return {"currency": currency, "price": price, "channel": _text_or_none(offer.get("channel")),
            "location": _text_or_none(offer.get("location")), "sale_price": sale_price, "sale_start": start, "sale_end": end}


def _media(ref: Any) -> dict[str, Any]:
    if type(ref) is not dict or not _MEDIA_KEYS.issuperset(ref):
        raise _NotHere
    path, role, alt = ref.get("path"), ref.get("role", "additional"), ref.get("alt", {})
    if type(path) is not str or not 1 <= len(path) <= MEDIA_TEXT_MAX or NUL in path or type(role) is not str or role not in _ROLES \
            or type(alt) is not dict:
        raise _NotHere
    for locale, text in alt.items():
        if type(locale) is not str or not _LOCALE.match(locale) or type(text) is not str or len(text) > MEDIA_TEXT_MAX or NUL in text:
            raise _NotHere
    return {"path": path, "role": role, "alt": dict(alt)}


def _amount(value: Any) -> Decimal:
    if type(value) is str and _AMOUNT.fullmatch(value) or type(value) is int and value >= 0:
        return Decimal(str(value))
    raise _NotHere


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return _MOMENT.deserialize(value)
    except ValidationError:
        raise _NotHere from None


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise _NotHere
    return value


def _text(value: Any) -> str:
    if type(value) is not str or NUL in value:
        raise _NotHere
    return value


def _text_or_none(value: Any) -> str | None:
    return None if value is None else _text(value)
