"""The product grid's query: filters, sort orders and keyset pages that stay cheap at 100,000
products (each sort has an index; no OFFSET)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from hub.store.category_members import CategoryMember
from hub.store.completeness import ProductCompleteness
from hub.store.name_search import name_contains, name_matches
from hub.store.products import Product
from hub.store.publications import DiagnosticRepo, Publication, PublicationDiagnostic


@dataclass(frozen=True)
class GridFilter:
    sku_prefix: str = ""
    text: str = ""  # inside the names, any locale, of the product or its model
    family_id: int | None = None
    enabled: bool | None = None
    category_id: int | None = None  # in this category or anywhere below it
    channel_id: int | None = None  # products this channel carries; its completeness is shown, filtered and sorted on
    below: float | None = None  # completeness ratio under this (on channel_id, else on any channel)
    diagnostic: str | None = None  # a diagnostic code...
    publications: tuple[Publication, ...] = ()  # ...found in these publications


@dataclass(frozen=True)
class GridRow:
    product: Product
    ratio: float | None  # on the filter's channel, when it names one


class GridRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def page(self, grid: GridFilter, sort: str, after: tuple[Any, str] | None, limit: int) -> list[GridRow]:
        """One page in ``sort`` order, continuing after the (sort value, SKU) of the last row seen."""
        query, key = self._sorted(grid, sort)
        descending, by_sku = sort.startswith("-"), key is Product.sku or key is CategoryMember.sku
        if after is not None:
            value, sku = after
            if by_sku:
                query = query.where(key < sku if descending else key > sku)
            else:
                beyond = key < value if descending else key > value
                query = query.where(or_(beyond, and_(key == value, Product.sku > sku)))
        ordered = key
        if by_sku and grid.text and self._dialect() != "sqlite":
            # PostgreSQL walks the SKU index and tests each name until the page is full: 480 ms at
            # a million products when the matches start late in SKU order. An order the index
            # cannot give has it gather the trigram index's matches and sort them (the same rows).
            ordered = key + ""
        order = [ordered.desc() if descending else ordered.asc()]
        if not by_sku:
            order.append(Product.sku.asc())
        query = query.order_by(*order).limit(limit).options(selectinload(Product.parent))
        if grid.channel_id is not None:
            return [GridRow(product, ratio) for product, ratio in self._s.execute(query)]
        return [GridRow(product, None) for product in self._s.scalars(query)]

    def count(self, grid: GridFilter, cap: int) -> int:
        """How many products match, counting no further than ``cap + 1``: at a million products
        an exact count of a broad filter read most of the table on every page view."""
        # A filter that is one index alone is counted off that index as it reads; joined to the
        # products, the planners gathered every match first (a category at a million: 250 ms).
        if grid == GridFilter(text=grid.text) and grid.text and self._dialect() == "sqlite":
            query = name_matches(grid.text)
        elif grid == GridFilter(category_id=grid.category_id) and grid.category_id is not None:
            query = select(CategoryMember.sku).where(CategoryMember.category_id == grid.category_id)
        else:
            query = self._filtered(grid).with_only_columns(Product.id).order_by(None)
        matches = query.limit(cap + 1).subquery()
        return self._s.scalar(select(func.count()).select_from(matches)) or 0

    def _dialect(self) -> str:
        return self._s.get_bind().dialect.name

    def skus(self, grid: GridFilter, limit: int) -> list[str]:
        """The SKUs of every match (up to ``limit``), for acting on all of them at once."""
        query = self._filtered(grid).with_only_columns(Product.sku).order_by(Product.sku).limit(limit)
        return list(self._s.scalars(query))

    def _sorted(self, grid: GridFilter, sort: str) -> tuple[Select, Any]:
        query = self._filtered(grid)
        if grid.channel_id is not None:
            query = query.add_columns(ProductCompleteness.ratio)
        if sort.endswith("completeness") and grid.channel_id is not None:
            return query, ProductCompleteness.ratio
        if sort.endswith("updated"):
            return query, Product.updated
        # Within a category, the members' key is the same order: the page is a range of it.
        return query, CategoryMember.sku if grid.category_id is not None else Product.sku

    def _filtered(self, grid: GridFilter) -> Select:
        query = select(Product)
        if grid.channel_id is not None:
            query = query.join(ProductCompleteness, and_(ProductCompleteness.product_id == Product.id,
                                                         ProductCompleteness.channel_id == grid.channel_id,
                                                         ProductCompleteness.carried.is_(True)))
            if grid.below is not None:
                query = query.where(ProductCompleteness.ratio < grid.below)
        elif grid.below is not None:  # on any channel that carries it
            query = query.where(exists().where(ProductCompleteness.product_id == Product.id,
                                               ProductCompleteness.carried.is_(True), ProductCompleteness.ratio < grid.below))
        if grid.sku_prefix:
            query = query.where(Product.sku.startswith(grid.sku_prefix, autoescape=True))
        if grid.text:
            query = query.where(name_contains(grid.text, self._s.get_bind().dialect.name))
        if grid.family_id is not None:
            query = query.where(Product.family_id == grid.family_id)
        if grid.enabled is not None:
            query = query.where(Product.enabled.is_(grid.enabled))
        if grid.category_id is not None:
            query = query.join(CategoryMember, and_(CategoryMember.product_id == Product.id,
                                                    CategoryMember.category_id == grid.category_id))
        if grid.diagnostic:
            held = [DiagnosticRepo.as_of(p) for p in grid.publications]
            found = (select(PublicationDiagnostic.sku)
                     .where(or_(false(), *held), PublicationDiagnostic.code == grid.diagnostic))
            query = query.where(Product.sku.in_(found))
        return query
