"""The product grid: search, filters, sort orders and keyset pages, and the selection a bulk
edit starts from (``hub.web.ui.bulk_edit``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from marshmallow import ValidationError

from hub.errors import ValidationFailed
from hub.services import overview, product_search
from hub.web.hub import catalog, session
from schemas.errors import flatten_messages
from schemas.product_grid import SORTS, GridQueryIn

PAGE_SIZE = 50
SORT_LABELS = {"sku": "SKU, A to Z", "-sku": "SKU, Z to A", "-updated": "recently updated first",
               "updated": "least recently updated first", "completeness": "least complete first (on the channel)",
               "-completeness": "most complete first (on the channel)"}
FILTER_NAMES = ("sku", "q", "family", "category", "enabled", "channel", "below", "diagnostic", "sort")


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/products", "products", products)


def locale() -> str:
    """Names show in the first locale by code (en_US before fr_FR)."""
    return min(catalog().locales, default="en_US")


def filters_of(args: Any) -> dict[str, str]:
    """The grid's inputs as typed, to refill the form and to carry into links and bulk edits."""
    return {name: (args.get(name) or "").strip() for name in FILTER_NAMES}


def products() -> str | tuple[str, int]:
    filters = filters_of(request.args)
    errors: dict[str, list[str]] = {}
    page = None
    try:
        query = GridQueryIn().load_args({**filters, "after": request.args.get("after", "")})
        page = product_search.search(session(), catalog(), query, locale(), PAGE_SIZE)
    except ValidationError as exc:
        errors = flatten_messages(exc.messages)
    except ValidationFailed as exc:
        errors = exc.errors
    ctx = catalog()
    page_args = {k: v for k, v in filters.items() if v}
    html = render_template(
        "ui/products.html", page=page, filters=filters, page_args=page_args, errors=errors,
        counted=product_search.COUNTED, max_selection=product_search.MAX_SELECTION,
        families=sorted(ctx.families), channels=sorted(ctx.channels), categories=_category_choices(),
        sorts=[(key, SORT_LABELS[key]) for key in SORTS], first_page=not request.args.get("after"),
        attributes=sorted(ctx.attributes.values(), key=lambda a: a.code), locales=sorted(ctx.locales),
        diagnostics=_diagnostic_choices(filters["channel"]),
    )
    return (html, 422) if errors else html


def _category_choices() -> list[tuple[str, str]]:
    """(code, label indented by depth) in tree order, so the select shows the tree."""
    categories = catalog().categories
    children: dict[int | None, list[Any]] = {}
    for category in categories.values():
        children.setdefault(category.parent_id, []).append(category)
    label_locale = locale()
    found: list[tuple[str, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for category in sorted(children.get(parent, []), key=lambda c: c.code):
            label = (category.labels or {}).get(label_locale) or category.code
            found.append((category.code, "\u2003" * depth + label))
            walk(category.id, depth + 1)

    walk(None, 0)
    return found


def _diagnostic_choices(channel: str) -> list[str]:
    """The codes found in the last publications (of the chosen channel, or of all)."""
    known = channel if channel in catalog().channels else None
    return sorted({d.code for d in overview.frequent_diagnostics(session(), catalog(), known)})
