"""Finding products for the product grid and for bulk edits: filters, sort orders, keyset pages.

Filters by channel, completeness and name read the product index (``hub.services.product_index``);
filters by diagnostic read each channel's last succeeded publication, which is what the channel
holds today.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.errors import ValidationFailed
from hub.services.context import CatalogContext
from hub.services.inheritance import effective_values
from hub.services.values import pick
from hub.store.models import Product
from hub.store.product_grid import GridFilter, GridRepo
from hub.store.repos import PublicationRepo

MAX_SELECTION = 100_000  # "every match" for a bulk edit stops here
COUNTED = 10_000  # the grid counts matches up to here, then says "more than"


@dataclass(frozen=True)
class Row:
    product: Product
    name: str | None
    ratio: float | None  # completeness on the chosen channel


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_after: str | None  # the cursor of the next page, or None on the last page
    total: int  # every match, on all pages, counted up to COUNTED + 1

    @property
    def more(self) -> bool:
        """Whether more than ``COUNTED`` products match (then ``total`` is one more than that)."""
        return self.total > COUNTED


def grid_filter(session: Session, ctx: CatalogContext, query: dict[str, Any]) -> GridFilter:
    """Turn a loaded ``GridQueryIn`` into the store's filter; raises ValidationFailed naming
    the input when it refers to something that does not exist."""
    errors: dict[str, list[str]] = {}

    def known(name: str, table: dict[str, Any], noun: str) -> Any:
        code = query.get(name) or ""
        if code and code not in table:
            errors[name] = [f"no {noun} '{code}'"]
        return table.get(code) if code else None

    family = known("family", ctx.families, "family")
    category = known("category", ctx.categories, "category")
    channel = known("channel", ctx.channels, "channel")
    if query.get("sort", "").endswith("completeness") and channel is None and "channel" not in errors:
        errors["sort"] = ["choose a channel to sort by its completeness"]
    if errors:
        raise ValidationFailed("the search could not run", errors=errors)
    enabled = {"yes": True, "no": False}.get(query.get("enabled") or "")
    diagnostic = query.get("diagnostic") or None
    publications = PublicationRepo(session).last_succeeded_for_channels(
        [channel.id] if channel else [c.id for c in ctx.channels.values()]) if diagnostic else {}
    return GridFilter(
        sku_prefix=query.get("sku") or "", text=query.get("q") or "",
        family_id=family.id if family else None, enabled=enabled,
        category_id=category.id if category else None,
        channel_id=channel.id if channel else None,
        below=query["below"] / 100 if query.get("below") else None,
        diagnostic=diagnostic, publications=tuple(publications.values()),
    )


def search(session: Session, ctx: CatalogContext, query: dict[str, Any], locale: str, limit: int = 50) -> Page:
    """One page of matches in the query's sort order."""
    grid = grid_filter(session, ctx, query)
    sort = query.get("sort") or "sku"
    repo = GridRepo(session)
    found = repo.page(grid, sort, _decode(query.get("after"), sort), limit + 1)
    rows = [Row(r.product, _name(r.product, locale), r.ratio) for r in found[:limit]]
    next_after = _encode(found[limit - 1], sort) if len(found) > limit else None
    return Page(rows, next_after, repo.count(grid, COUNTED))


def matching_skus(session: Session, ctx: CatalogContext, query: dict[str, Any]) -> list[str]:
    """Every SKU the query matches (up to MAX_SELECTION), for a bulk edit of all matches."""
    return GridRepo(session).skus(grid_filter(session, ctx, query), MAX_SELECTION)


def _encode(row: Any, sort: str) -> str:
    key = sort.lstrip("-")
    value = row.product.updated.isoformat() if key == "updated" else row.ratio if key == "completeness" else None
    return base64.urlsafe_b64encode(json.dumps([value, row.product.sku]).encode()).decode().rstrip("=")


def _decode(cursor: str | None, sort: str) -> tuple[Any, str] | None:
    """A cursor from a page link; one that was tampered with raises ValidationFailed on ``after``."""
    if not cursor:
        return None
    try:
        value, sku = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key = sort.lstrip("-")
        if key == "updated":
            value = datetime.fromisoformat(value)
        elif key == "completeness":
            value = float(value)
        if not isinstance(sku, str):
            raise ValueError(sku)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise ValidationFailed("the search could not run", errors={"after": ["not a page of this search; start again from the first page"]}) from exc
    return value, sku


def _name(product: Product, locale: str) -> str | None:
    name = pick(effective_values(product).get("name", []), locale, "")
    return name if isinstance(name, str) else None
