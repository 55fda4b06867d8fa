"""Variant inheritance: a variant product takes every value it does not set from its model."""

from __future__ import annotations

from typing import Any

from hub.store.models import Product

ValueMap = dict[str, list[dict[str, Any]]]


def _keyed(values: ValueMap) -> dict[tuple[str, str | None, str | None], dict[str, Any]]:
    return {(code, e["locale"], e["scope"]): e for code, entries in values.items() for e in entries}


def _unkeyed(keyed: dict[tuple[str, str | None, str | None], dict[str, Any]]) -> ValueMap:
    values: ValueMap = {}
    for (code, _, _), entry in sorted(keyed.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2] or "")):
        values.setdefault(code, []).append(entry)
    return values


def merged_values(model: ValueMap, own: ValueMap) -> ValueMap:
    """A variant's own values over its model's, per (attribute, locale, scope)."""
    merged = _keyed(model)
    merged.update(_keyed(own or {}))
    return _unkeyed(merged)


def effective_values(product: Product) -> ValueMap:
    """The product's own values over its model's, per (attribute, locale, scope)."""
    if product.parent is None:
        return product.values or {}
    return merged_values(product.parent.values or {}, product.values or {})


def inherited_values(product: Product) -> ValueMap:
    """The model's values this variant does not override: what it shows as inherited."""
    if product.parent is None:
        return {}
    return inherited_from(product.values or {}, product.parent.values or {})


def inherited_from(own: ValueMap, model: ValueMap) -> ValueMap:
    """The ``model``'s values that ``own`` (a variant's) does not override."""
    mine = _keyed(own)
    return _unkeyed({k: e for k, e in _keyed(model).items() if k not in mine})


def value_field(code: str, locale: str | None, scope: str | None) -> str:
    """A value's field name in history and imports: ``name-en_US-web``, as Akeneo's flat format."""
    return "-".join(part for part in (code, locale, scope) if part)


def flat_values(values: ValueMap) -> dict[str, Any]:
    return {value_field(code, e["locale"], e["scope"]): e["data"] for code, entries in values.items() for e in entries}
