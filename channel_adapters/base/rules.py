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


def check_fields(
    sku: str, values: Mapping[str, Any], specs: Iterable[FieldSpec], sources: Mapping[str, str] | None = None
) -> list[Diagnostic]:
    """Missing required fields are errors; values over a length limit or outside the allowed set too."""
    sources = {**SOURCE_ATTRIBUTES, **sources} if sources else SOURCE_ATTRIBUTES
    found = []
    for spec in specs:
        value = values.get(spec.name)
        attribute = sources.get(spec.name, spec.name)
        if value in (None, "", [], ()):
            if spec.required:
                found.append(Diagnostic(
                    Severity.ERROR, "missing_required", f"the channel requires {spec.name}, and the product has no {attribute}",
                    attribute, f"fill {attribute}", sku))
            continue
        text = value if isinstance(value, str) else None
        if spec.max_length and text is not None and len(text) > spec.max_length:
            found.append(Diagnostic(
                Severity.ERROR, "too_long", f"{spec.name} has {len(text)} characters; the channel allows {spec.max_length}",
                attribute, f"shorten {attribute} to {spec.max_length} characters", sku))
        if spec.allowed and text is not None and text not in spec.allowed:
            found.append(Diagnostic(
                Severity.ERROR, "not_allowed", f"{spec.name} is '{text}'; the channel accepts {', '.join(spec.allowed)}",
                attribute, f"use one of {', '.join(spec.allowed)}", sku))
    return found


def truncate(text: str | None, limit: int) -> str | None:
    """Cut at a word boundary with an ellipsis: for optional fields a channel would refuse whole."""
    if text is None or len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.- ") + "…"
