"""Finding products for the product grid: by SKU prefix, name text, family and enabled flag."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from hub.services.context import CatalogContext
from hub.services.inheritance import effective_values
from hub.services.values import pick
from hub.store.models import Product
from hub.store.repos import ProductRepo


@dataclass(frozen=True)
class Query:
    sku: str = ""
    text: str = ""
    family: str = ""
    enabled: bool | None = None
    after: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class Row:
    product: Product
    name: str | None


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_after: str | None  # the SKU to continue after, or None on the last page


def search(session: Session, ctx: CatalogContext, query: Query, locale: str) -> Page:
    """One page of matches in SKU order; an unknown family matches nothing."""
    family_id = None
    if query.family:
        family = ctx.families.get(query.family)
        if family is None:
            return Page([], None)
        family_id = family.id
    found = ProductRepo(session).search(query.sku, query.text, family_id, query.enabled, query.after, query.limit + 1)
    rows = [Row(p, _name(p, locale)) for p in found[:query.limit]]
    return Page(rows, rows[-1].product.sku if len(found) > query.limit else None)


def _name(product: Product, locale: str) -> str | None:
    name = pick(effective_values(product).get("name", []), locale, "")
    return name if isinstance(name, str) else None
