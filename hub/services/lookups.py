"""What validating a product reads besides the catalog definitions: its model, whether its media
exist, its model's other variants (axis combinations must differ).

A single save asks the database each time (``StoredLookups``). The bulk write path asks once
per batch for every product in it and then answers from memory (``BatchLookups``), which also
counts the variants accepted earlier in the same batch. The validation code is the same.

Both may be given ``earlier``: the variants that batches of a dry run accepted and then rolled
back (model code: {SKU: values}), counted as if stored, so that a dry run refuses a variant
taking their axis values as the import would.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hub.store.models import Product, ProductModel
from hub.store.repos import CatalogRepo, ProductRepo

Sibling = tuple[int | None, str, dict[str, Any]]  # (id or None when new in the batch, sku, own values)


Earlier = dict[str, dict[str, Any]]  # model code: {variant SKU: its own values}


class StoredLookups:
    def __init__(self, session: Session, earlier: Earlier | None = None) -> None:
        self.session = session
        self.products = ProductRepo(session)
        self.earlier = earlier or {}

    def model(self, code: str) -> ProductModel | None:
        return self.products.model_by_code(code)

    def media_paths(self, paths: Iterable[str]) -> set[str]:
        return CatalogRepo(self.session).media_paths(paths)

    def siblings(self, model: ProductModel) -> list[Sibling]:
        # The query writes the session's pending rows first (autoflush): variants saved earlier in
        # the same import batch are among the siblings.
        stored: list[Sibling] = self.products.variant_values(model.id)  # type: ignore[assignment]
        earlier = self.earlier.get(model.code)
        if not earlier:
            return stored
        return [s for s in stored if s[1] not in earlier] + [(None, sku, values) for sku, values in earlier.items()]

    def accepted(self, model: ProductModel | None, sku: str, values: dict[str, Any]) -> None:
        """A product passed validation: nothing to remember, the database will hold it."""


class BatchLookups(StoredLookups):
    """Answers for one batch of product bodies, read in three queries."""

    def __init__(self, session: Session, bodies: list[dict[str, Any]], media_paths: set[str],
                 earlier: Earlier | None = None) -> None:
        super().__init__(session, earlier)
        codes = {b["parent"] for b in bodies if b.get("parent")}
        self.models = {m.code: m for m in session.scalars(
            select(ProductModel).where(ProductModel.code.in_(codes)).options(selectinload(ProductModel.family), selectinload(ProductModel.categories)))} if codes else {}
        self.known_media = CatalogRepo(session).media_paths(media_paths) if media_paths else set()
        self.variants: dict[int, list[Sibling]] = {m.id: [] for m in self.models.values()}
        if self.variants:
            query = select(Product.parent_id, Product.id, Product.sku, Product.values).where(Product.parent_id.in_(list(self.variants)))
            for parent_id, pid, sku, values in session.execute(query):
                self.variants[parent_id].append((pid, sku, values or {}))
        for code, model in self.models.items():
            for sku, values in self.earlier.get(code, {}).items():
                self.accepted(model, sku, values)

    def model(self, code: str) -> ProductModel | None:
        return self.models.get(code)

    def media_paths(self, paths: Iterable[str]) -> set[str]:
        return {path for path in paths if path in self.known_media}

    def siblings(self, model: ProductModel) -> list[Sibling]:
        return self.variants.get(model.id, [])

    def accepted(self, model: ProductModel | None, sku: str, values: dict[str, Any]) -> None:
        if model is not None:
            kept = self.variants.setdefault(model.id, [])
            kept[:] = [s for s in kept if s[1] != sku]
            kept.append((None, sku, values))
