"""A product's or model's state as flat cells: the inverse of ``hub.imports.flat_rows``, so a file
written here and imported again gives back the same state.

Each cell comes with a sort key, so columns come out in a stable, readable order: the fixed
columns, then values by attribute, locale and channel, then offers, then images.
"""

from __future__ import annotations

from typing import Any

from hub.errors import Conflict
from hub.imports.flat_columns import OFFER_FIELDS, RESERVED, SINGLE
from hub.services.context import CatalogContext
from hub.services.inheritance import value_field

Cells = dict[str, tuple[tuple[Any, ...], str]]  # column -> (sort key, text)


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _values(values: dict[str, list[dict[str, Any]]], ctx: CatalogContext, cells: Cells) -> None:
    for code, entries in values.items():
        if code in RESERVED:
            raise Conflict(f"attribute '{code}' has the name of a flat column; export it as NDJSON instead")
        kind = ctx.attributes[code].type if code in ctx.attributes else "text"
        for entry in entries:
            base, data = value_field(code, entry["locale"], entry["scope"]), entry["data"]
            where = (1, code, entry["locale"] or "", entry["scope"] or "")
            if kind == "measurement":
                cells[base] = (where + (0, ""), str(data["amount"]))
                cells[f"{base}-unit"] = (where + (1, ""), str(data["unit"]))
            elif kind == "price_collection":
                for price in data:
                    cells[f"{base}-{price['currency']}"] = (where + (0, price["currency"]), str(price["amount"]))
            elif kind == "boolean":
                cells[base] = (where + (0, ""), _flag(data))
            elif kind == "multiselect":
                cells[base] = (where + (0, ""), ",".join(data))
            else:
                cells[base] = (where + (0, ""), str(data))


def _offers(offers: list[dict[str, Any]], cells: Cells) -> None:
    for offer in offers:
        suffix = offer["currency"] + (f"-{offer['channel']}" if offer.get("channel") else "")
        suffix += f"@{offer['location']}" if offer.get("location") else ""
        where = (2, offer["currency"], offer.get("channel") or "", offer.get("location") or "")
        for rank, name in enumerate(OFFER_FIELDS):
            if offer.get(name) is not None:
                cells[f"{name}-{suffix}"] = (where + (rank,), str(offer[name]))


def _media(media: list[dict[str, Any]], cells: Cells) -> None:
    for index, image in enumerate(media, start=1):
        cells[f"media-{index}"] = ((3, index, 0, ""), image["path"])
        cells[f"media-{index}-role"] = ((3, index, 1, ""), image.get("role") or "additional")
        for locale, text in sorted((image.get("alt") or {}).items()):
            cells[f"media-{index}-alt-{locale}"] = ((3, index, 2, locale), text)


def product_cells(state: dict[str, Any], ctx: CatalogContext) -> Cells:
    """The cells of one product (its own values; inherited ones stay with its model)."""
    fixed = SINGLE["products"]
    cells: Cells = {
        "sku": ((0, fixed.index("sku")), state["sku"]),
        "family": ((0, fixed.index("family")), state["family"] or ""),
        "parent": ((0, fixed.index("parent")), state["parent"] or ""),
        "categories": ((0, fixed.index("categories")), ",".join(state["categories"])),
        "enabled": ((0, fixed.index("enabled")), _flag(state["enabled"])),
    }
    _values(state["values"], ctx, cells)
    _offers(state["offers"], cells)
    _media(state["media"], cells)
    return cells


def model_cells(state: dict[str, Any], ctx: CatalogContext) -> Cells:
    fixed = SINGLE["models"]
    cells: Cells = {
        "code": ((0, fixed.index("code")), state["code"]),
        "family": ((0, fixed.index("family")), state["family"] or ""),
        "variant_axes": ((0, fixed.index("variant_axes")), ",".join(state["variant_axes"])),
        "categories": ((0, fixed.index("categories")), ",".join(state["categories"])),
    }
    _values(state["values"], ctx, cells)
    return cells
