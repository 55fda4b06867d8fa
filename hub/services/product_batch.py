"""The bulk write path: many products saved in a constant number of statements per batch.

Every rule of a single save holds (``ProductService``'s validation with the same messages, a
version per new or changed product and none for an unchanged one, the product index, the
completeness and the resolved documents, all in the caller's transaction). What changes is how
they reach the database: the batch's references are read in three queries (``BatchLookups``),
and new products, their categories, offers, stock, versions, index rows and documents are each
written with one multi-row statement.

Products that already exist are read as plain rows in three queries (``hub.store.product_rows``)
and compared with their bodies in memory: an unchanged one costs no write at all. The changed
ones are updated together: one UPDATE per batch that names the revision it read (so a concurrent
write makes the batch fail instead of being lost), their categories and offers replaced, their
versions, index rows and documents written as for new products.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from hub import allocations
from hub.errors import Conflict, ValidationFailed
from hub.services import documents, history, product_index
from hub.services.context import CatalogContext
from hub.services.lookups import BatchLookups, Earlier
from hub.services.products import ProductService
from hub.services.states import model_state, stored_state
from hub.services.stock import set_stock
from hub.services.values import image_paths
from hub.store.models import Offer, Product, Stock, Version, product_category
from hub.store import product_rows
from hub.store.bulk_rows import BoundRows, bind_rows, insert_bound, insert_many, update_many
from hub.store.documents import DocumentRepo
from hub.store.product_rows import StoredProduct
from hub.store.repos import StockRepo, VersionRepo
from hub.store.types import utcnow


@dataclass
class BatchResult:
    """What happened to one body of the batch, in the batch's order."""

    sku: str
    status: str  # "created", "updated", "unchanged" or "invalid"
    errors: dict[str, list[str]] = field(default_factory=dict)
    product_id: int | None = None


@dataclass
class _Changed:
    stored: StoredProduct
    before: dict[str, Any]
    state: dict[str, Any]
    changes: list[dict[str, Any]]


@dataclass
class _New:
    index: int
    state: dict[str, Any]
    stock: list[tuple[int, int]]  # (location id, quantity)


@dataclass
class _NewRows:
    """The new products' rows, bound for the driver (``bulk_rows.bind_rows``) while the batch is
    prepared, ready to insert but for their ids: each ``product_id`` holds the product's place
    in ``new`` until ``ProductBatch._insert`` knows the ids."""

    new: list[_New]
    products: BoundRows
    versions: BoundRows
    children: list[BoundRows]  # categories, offers, stock
    index: product_index.BoundIndexRows


@dataclass
class PreparedBatch:
    """A batch read and validated, with what ``ProductBatch.write`` will write."""

    lookups: BatchLookups
    model_states: dict[str, dict[str, Any]]  # the batch's models, by code, as documents embed them
    results: list[BatchResult] = field(default_factory=list)
    created: _NewRows | None = None
    changed: list[_Changed] = field(default_factory=list)
    restock: list[dict[str, Any]] = field(default_factory=list)  # stock of existing products, set through the stock service
    accepted: Earlier | None = None  # in a dry run (``earlier`` given): the variants that passed, for later batches


class ProductBatch:
    """Saves batches of loaded ``ProductIn`` bodies; ``stock`` on a body ({location: quantity})
    sets its stock in the same statements."""

    def __init__(self, session: Session, ctx: CatalogContext, author: str) -> None:
        self.session = session
        self.ctx = ctx
        self.author = author

    def save(self, bodies: list[dict[str, Any]], stock: list[dict[str, int]] | None = None,
             existing: dict[str, StoredProduct] | None = None) -> list[BatchResult]:
        """``existing``: the stored rows of these SKUs (``product_rows.by_skus``) when the caller
        has read them already in this transaction; read here otherwise."""
        return self.write(self.prepare(bodies, stock, existing))

    def prepare(self, bodies: list[dict[str, Any]], stock: list[dict[str, int]] | None = None,
                existing: dict[str, StoredProduct] | None = None,
                earlier: Earlier | None = None) -> PreparedBatch:
        """Read what the batch needs and validate it; the new products' rows are built too. Writes
        nothing, so it may run in a read transaction of its own, with ``write`` in a short write
        transaction after it (the parallel demo does: its workers prepare side by side and take
        turns to write); ``save`` runs both in the caller's transaction.

        ``earlier``: in a dry run, the variants its earlier, rolled-back batches accepted
        (``hub.services.lookups``); this batch's own are then in ``accepted``."""
        with allocations.bulk():
            return self._prepare(bodies, stock or [{} for _ in bodies], existing, earlier)

    def write(self, batch: PreparedBatch) -> list[BatchResult]:
        """Write a prepared batch. A changed product is updated only at the revision it was read
        at (a concurrent write makes the batch fail); new products are inserted, and take their
        ids, here."""
        with allocations.bulk():
            if batch.created is not None:
                self._insert(batch.created, batch.results)
            if batch.changed:
                self._update(batch.changed, batch.lookups, batch.model_states)
            if batch.restock:
                set_stock(self.session, batch.restock)
            return batch.results

    def _prepare(self, bodies: list[dict[str, Any]], stock: list[dict[str, int]],
                 existing: dict[str, StoredProduct] | None, earlier: Earlier | None) -> PreparedBatch:
        service = ProductService(self.session, self.ctx, self.author)
        paths: set[str] = set()
        for body in bodies:
            paths |= image_paths(body.get("values", {}), self.ctx) | {m["path"] for m in body.get("media", [])}
        service.lookups = lookups = BatchLookups(self.session, bodies, paths, earlier)
        if existing is None:
            existing = product_rows.by_skus(self.session, (b["sku"] for b in bodies))
        locations = {loc.code: loc.id for loc in StockRepo(self.session).locations()}
        batch = PreparedBatch(lookups, {code: model_state(model) for code, model in lookups.models.items()},
                              accepted={} if earlier is not None else None)
        results, new, seen = batch.results, [], {}
        for index, body in enumerate(bodies):
            sku = body["sku"]
            if sku in seen:
                results.append(BatchResult(sku, "invalid", {"sku": [f"'{sku}' is given twice in one batch (item {seen[sku] + 1})"]}))
                continue
            seen[sku] = index
            found = existing.get(sku)
            unknown = [code for code in stock[index] if code not in locations]
            try:
                if unknown:
                    raise ValidationFailed(errors={"stock": [f"unknown location '{code}'" for code in unknown]})
                state, refs = service.validated(body, found)  # type: ignore[arg-type]
            except ValidationFailed as exc:
                results.append(BatchResult(sku, "invalid", exc.errors))
                continue
            lookups.accepted(refs["parent"], sku, state["values"])
            if batch.accepted is not None and state["parent"]:
                batch.accepted.setdefault(state["parent"], {})[sku] = state["values"]
            if found is None:
                results.append(BatchResult(sku, "created"))
                new.append(_New(index, state, [(locations[code], qty) for code, qty in stock[index].items()]))
                continue
            batch.restock += [{"sku": sku, "location": code, "quantity": qty} for code, qty in stock[index].items()]
            before = stored_state(found, self.ctx.codes)
            changes = history.diff(before, state)
            results.append(BatchResult(sku, "updated" if changes else "unchanged", product_id=found.id))
            if changes:
                batch.changed.append(_Changed(found, before, state, changes))
        if new:
            batch.created = self._new_rows(new, batch, {loc_id: code for code, loc_id in locations.items()})
        return batch

    def _update(self, changed: list[_Changed], lookups: BatchLookups, model_states: dict[str, dict[str, Any]]) -> None:
        at = utcnow()
        ctx, indexer, rows = self.ctx, product_index.Indexer(self.ctx), product_index.IndexRows()
        ids = [c.stored.id for c in changed]
        stock = DocumentRepo(self.session).stock_pairs(ids)
        products, versions = [], []
        for item in changed:
            state, stored = item.state, item.stored
            revision = stored.revision + 1
            doc = documents.build(state, revision, model_states[state["parent"]] if state["parent"] else None)
            products.append({
                "pid": stored.id, "read": stored.revision, "family_id": ctx.families[state["family"]].id,
                "parent_id": lookups.models[state["parent"]].id if state["parent"] else None,
                "enabled": state["enabled"], "values": state["values"], "media": state["media"],
                "revision": revision, "updated": at,
                "search_text": indexer.rows(stored.id, doc, stock[stored.id], rows),
            })
            versions.append({"entity": "product", "entity_key": state["sku"], "version": revision, "author": self.author,
                             "at": at, "changes": item.changes, "snapshot": state})
        written = update_many(self.session, Product.__table__, {"id": "pid", "revision": "read"}, products)
        if written != len(products):
            raise Conflict("another change was saved to some of these products while the batch was read; send it again")
        self.session.execute(delete(product_category).where(product_category.c.product_id.in_(ids)))
        self.session.execute(delete(Offer).where(Offer.product_id.in_(ids)))
        categories, offers = self._children([(c.stored.id, c.state) for c in changed])
        VersionRepo(self.session).fill_creations("product", [(c.state["sku"], c.before) for c in changed if c.stored.revision == 1])
        self._insert_all((product_category, categories), (Offer.__table__, offers), (Version.__table__, versions))
        rows.write(self.session, ids)

    def _new_rows(self, new: list[_New], batch: PreparedBatch, location_codes: dict[int, str]) -> _NewRows:
        """Every row of the new products, each ``product_id`` holding the product's place in
        ``new`` until ``_insert`` knows the ids."""
        at = utcnow()
        ctx, indexer, index = self.ctx, product_index.Indexer(self.ctx), product_index.IndexRows()
        lookups, model_states = batch.lookups, batch.model_states
        products, versions, stock = [], [], []
        for place, item in enumerate(new):
            state = item.state
            doc = documents.build(state, 1, model_states[state["parent"]] if state["parent"] else None)
            products.append({
                "sku": state["sku"], "family_id": ctx.families[state["family"]].id,
                "parent_id": lookups.models[state["parent"]].id if state["parent"] else None,
                "enabled": state["enabled"], "values": state["values"], "media": state["media"], "revision": 1,
                "created": at, "updated": at, "search_text": indexer.rows(
                    place, doc, [(location_codes[loc], qty) for loc, qty in sorted(item.stock)], index),
            })
            stock += [{"product_id": place, "location_id": loc, "quantity": qty, "updated": at} for loc, qty in sorted(item.stock)]
            versions.append(history.creation("product", state["sku"], self.author, at))
        categories, offers = self._children([(place, item.state) for place, item in enumerate(new)])
        dialect = self.session.get_bind().dialect
        return _NewRows(new, bind_rows(dialect, Product.__table__, products),
                        bind_rows(dialect, Version.__table__, versions),
                        [bind_rows(dialect, table, rows) for table, rows in
                         ((product_category, categories), (Offer.__table__, offers), (Stock.__table__, stock))],
                        index.bind(dialect))

    def _insert(self, made: _NewRows, results: list[BatchResult]) -> None:
        # Core executemany, then the ids by SKU: the ORM's bulk INSERT ... RETURNING spliced its
        # result rows one by one (five million row fetches for 10,000 products).
        insert_bound(self.session, made.products)
        skus = [item.state["sku"] for item in made.new]
        found = dict(self.session.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus))).all())
        ids = [found[sku] for sku in skus]
        for item, pid in zip(made.new, ids):
            results[item.index].product_id = pid
        for rows in made.children:
            rows.keyed("product_id", ids)
            insert_bound(self.session, rows)
        insert_bound(self.session, made.versions)
        made.index.write(self.session, ids)

    def _insert_all(self, *tables: tuple[Table, list[dict[str, Any]]]) -> None:
        for table, rows in tables:
            insert_many(self.session, table, rows)

    def _children(self, products: list[tuple[int, dict[str, Any]]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """These products' category links and offers, as rows."""
        ctx = self.ctx
        categories, offers = [], []
        for pid, state in products:
            categories += [{"product_id": pid, "category_id": ctx.categories[code].id} for code in state["categories"]]
            offers += [{"product_id": pid, "currency": o["currency"],
                        "channel_id": ctx.channels[o["channel"]].id if o["channel"] else None,
                        "location_id": ctx.stores[o["location"]].id if o["location"] else None,
                        "price": Decimal(o["price"]), "sale_price": Decimal(o["sale_price"]) if o["sale_price"] is not None else None,
                        "sale_start": _moment(o["sale_start"]), "sale_end": _moment(o["sale_end"])} for o in state["offers"]]
        return categories, offers


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
