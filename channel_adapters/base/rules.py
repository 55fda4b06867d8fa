"""Checking item fields against a channel's field specs, the same way for every adapter."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from channel_adapters.base.contract import FieldSpec
from channel_adapters.base.diagnostics import Diagnostic, Severity

# Which attribute a channel field comes from, so a diagnostic names what the merchandiser fixes.
SOURCE_ATTRIBUTES = {
    "title": "name", "name": "name", "description": "description", "brand": "brand", "gtin": "ean",
    "image_link": "main_image", "link": "product_url", "color": "color", "size": "size",
    "gender": "gender", "age_group": "age_group", "mpn": "mpn", "price": "offers",
}

# A spec that checks something: name, required, length limit, (allowed set, in order), attribute named.
Rule = tuple[str, bool, "int | None", "tuple[frozenset[str], tuple[str, ...]] | None", str]


def check_fields(
    sku: str, values: Mapping[str, Any], specs: Iterable[FieldSpec], sources: Mapping[str, str] | None = None
) -> list[Diagnostic]:
    """Missing required fields are errors; values over a length limit or outside the allowed set too."""
    found = []
    for name, required, max_length, allowed, attribute in _rules(specs, sources):
        value = values.get(name)
        if not value and (value is None or value == "" or value == [] or value == ()):
            if required:
                found.append(Diagnostic(
                    Severity.ERROR, "missing_required", f"the channel requires {name}, and the product has no {attribute}",
                    attribute, f"fill {attribute}", sku))
            continue
        if not isinstance(value, str):
            continue  # limits and allowed values apply to text
        if max_length and len(value) > max_length:
            found.append(Diagnostic(
                Severity.ERROR, "too_long", f"{name} has {len(value)} characters; the channel allows {max_length}",
                attribute, f"shorten {attribute} to {max_length} characters", sku))
        if allowed and value not in allowed[0]:
            found.append(Diagnostic(
                Severity.ERROR, "not_allowed", f"{name} is '{value}'; the channel accepts {', '.join(allowed[1])}",
                attribute, f"use one of {', '.join(allowed[1])}", sku))
    return found


def _rules(specs: Iterable[FieldSpec], sources: Mapping[str, str] | None) -> tuple[Rule, ...]:
    """The specs that check anything, each with the attribute its diagnostics name: worked out
    once per channel format, since every item of a publication is checked against them. Kept by
    the identity of the specs and sources (adapters pass module constants; hashing a tuple of
    specs would cost more than the checks), with both held so that neither id is reused."""
    key = (id(specs), id(sources))
    kept = _RULES.get(key)
    if kept is not None and kept[0] is specs and kept[1] is sources:
        return kept[2]
    named = {**SOURCE_ATTRIBUTES, **sources} if sources else SOURCE_ATTRIBUTES
    rules = tuple((spec.name, spec.required, spec.max_length, (frozenset(spec.allowed), spec.allowed) if spec.allowed else None,
                   named.get(spec.name, spec.name)) for spec in specs if spec.required or spec.max_length or spec.allowed)
    if isinstance(specs, tuple) and len(_RULES) < 256:
        _RULES[key] = (specs, sources, rules)
    return rules


_RULES: dict[tuple[int, int], tuple[Any, Any, tuple[Rule, ...]]] = {}


def present(values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that hold something: an item leaves out None, empty text and empty lists.
    (Truthiness first: most fields hold something, and it is the cheapest test per field.)"""
    return {k: v for k, v in values.items() if v or not (v is None or v == "" or v == [])}


def truncate(text: str | None, limit: int) -> str | None:
    """Cut at a word boundary with an ellipsis: for optional fields a channel would refuse whole."""
    if text is None or len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.- ") + "…"
