"""What the grid and the dashboard query, kept in step with the products: per product and
channel, the completeness (as ``hub.services.completeness`` computes it) and whether the
channel's filter carries the product; per product, the lowercased names it is found by.

Computing these per request cannot answer in 300 ms at 100,000 products; storing them can,
with indexes. The services that change what they depend on call in here in the same
transaction: a product's save (``refresh``), a product model's (its variants), a family's
requirements (its products), a channel's creation, locale or filter, a category's place in the
tree. ``backfill`` fills in what a database migrated from before the index lacks.

An import saves thousands of products in one transaction per batch; refreshing each product as
it is saved cost most of an import's time (a delete and an insert per product, and SQLAlchemy
matching every delete against the whole session). Inside ``deferred(session, ctx)`` the
services' ``changed`` only notes the products, and they are refreshed together, once, when the
block ends, still in the same transaction: the index a commit leaves is the same. The services
also leave their flush to the block's end (or to a query's autoflush before it), so a batch's
inserts go to the database together rather than one flush per product.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

from sqlalchemy import inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from hub.services import documents
from hub.services.completeness import missing_of, ratio_of, requirements
from hub.services.context import CatalogContext
from hub.services.documents import Document, StockPairs
from hub.services.inheritance import ValueMap
from hub.store.bulk_rows import BoundRows, bind_rows, insert_bound
from hub.store.category_members import CategoryMember, CategoryMemberRepo
from hub.store.completeness import ProductCompleteness
from hub.store.completeness_repo import CompletenessRepo, tally_shift
from hub.store.documents import DocumentRepo
from hub.store.orphans import drop_orphans
from hub.store.models import Category, Channel, Family, Product
from hub.store.repos import ProductRepo, Selection, StockRepo

BATCH = 500
_DEFERRED = "crosscanal.product_index.deferred"  # the session.info key of an open deferral


def search_text(values: ValueMap) -> str:
    """A product's names (values after inheritance) in every locale and channel, lowercased."""
    names = [e["data"] for e in values.get("name", []) if isinstance(e.get("data"), str)]
    return "\n".join(dict.fromkeys(name.lower() for name in names))


def carries(selection: Selection, product: Product) -> bool:
    """Whether a channel's filter takes the product: the same rule as ``ProductRepo.carried``."""
    filed = {c.id for c in product.categories} | ({c.id for c in product.parent.categories} if product.parent else set())
    return takes(selection, product.enabled, product.family_id, filed)


def takes(selection: Selection, enabled: bool, family_id: int, category_ids: set[int]) -> bool:
    if selection.enabled_only and not enabled:
        return False
    if selection.family_ids is not None and family_id not in selection.family_ids:
        return False
    if selection.category_ids is not None:
        return not category_ids.isdisjoint(selection.category_ids)
    return True


@dataclass
class Indexer:
    """Computes a product's derived rows from its document: completeness and carriage on every
    channel, the document row itself and the search text. Single saves and the bulk write path
    both come here, so they store the same rows."""

    ctx: CatalogContext

    def __post_init__(self) -> None:
        self.channels = list(self.ctx.channels.values())
        self.selections = {channel.id: self.ctx.selection(channel) for channel in self.channels}
        self.plans: dict[str, list[tuple[int, str, str, list[str], Selection]]] = {}
        self.lineages: dict[int, tuple[int, ...]] = {}
        self.categories = {c.id: c for c in self.ctx.categories.values()}

    def plan(self, family: Family) -> list[tuple[int, str, str, list[str], Selection]]:
        """Per channel, in order: its id, code, locale, what the family requires on it and its
        filter, as plain values (the bulk path asks this for every product it writes)."""
        if family.code not in self.plans:
            self.plans[family.code] = [(c.id, c.code, c.locale, requirements(family, c), self.selections[c.id])
                                       for c in self.channels]
        return self.plans[family.code]

    def rows(self, product_id: int, doc: Document, stock: StockPairs, into: IndexRows) -> str:
        """Add the product's rows to ``into``; answers its search text."""
        family = self.ctx.families[doc["family"]]
        values, enabled, family_id = doc["values"], doc["enabled"], family.id
        filed = {self.ctx.categories[code].id for code in doc["categories"]}
        for channel_id, code, locale, required, selection in self.plan(family):
            missing = missing_of(values, required, code, locale)
            into.completeness.append({"product_id": product_id, "channel_id": channel_id,
                                      "ratio": ratio_of(len(required), len(missing)), "missing": missing,
                                      "carried": takes(selection, enabled, family_id, filed)})
        into.members += self.members(product_id, doc["sku"], filed)
        encoded, encoded_stock = documents.encode(doc), documents.encode(stock)
        into.documents.append({"product_id": product_id, "doc": encoded, "stock": encoded_stock,
                               "doc_hash": documents.digest(encoded, encoded_stock), "moments": documents.moments(doc)})
        return search_text(doc["values"])

    def members(self, product_id: int, sku: str, filed: set[int]) -> list[dict[str, Any]]:
        """The product's rows of ``CategoryMember``: each category it is filed in and every one above."""
        held = {above for category_id in filed for above in self.lineage(category_id)}
        return [{"category_id": category_id, "sku": sku, "product_id": product_id} for category_id in sorted(held)]

    def lineage(self, category_id: int) -> tuple[int, ...]:
        """The category and every category above it (through ``parent``, which a move has already set)."""
        if category_id not in self.lineages:
            category, found = self.categories[category_id], []
            while category is not None:
                found.append(category.id)
                category = category.parent
            self.lineages[category_id] = tuple(found)
        return self.lineages[category_id]


@dataclass
class IndexRows:
    completeness: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session, product_ids: list[int]) -> None:
        """Replace the rows of ``product_ids``."""
        CompletenessRepo(session).replace(product_ids, self.completeness)
        CategoryMemberRepo(session).replace(product_ids, self.members)
        DocumentRepo(session).replace(self.documents)

    def bind(self, dialect: Dialect) -> BoundIndexRows:
        """The rows of new products, bound for the driver ahead (``bulk_rows.bind_rows``), each
        ``product_id`` still the place its id will have in ``BoundIndexRows.write``'s ``ids``."""
        return BoundIndexRows(bind_rows(dialect, ProductCompleteness.__table__, self.completeness),
                              tally_shift(self.completeness), bind_rows(dialect, CategoryMember.__table__, self.members),
                              DocumentRepo.bind_new(dialect, self.documents))


@dataclass
class BoundIndexRows:
    """``IndexRows`` of new products bound ahead: nothing to replace, the ids still to give."""

    completeness: BoundRows
    tallies: dict[int, list[int]]
    members: BoundRows
    documents: tuple[BoundRows, BoundRows]

    def write(self, session: Session, ids: list[int]) -> None:
        for rows in (self.completeness, self.members, *self.documents):
            rows.keyed("product_id", ids)
        CompletenessRepo(session).insert_new(self.completeness, self.tallies)
        insert_bound(session, self.members)
        DocumentRepo(session).insert_new(self.documents)


def refresh(session: Session, ctx: CatalogContext, products: Sequence[Product]) -> None:
    """Recompute these products on every channel, their documents and their search text. They
    may have been read before a concurrent request deleted some (a publication's refresh of stale
    documents, a family's refresh): no foreign key refuses rows of those (migration 0014), so the
    products are held first and any gone are left out."""
    held = ProductRepo(session).hold([p.id for p in products])
    products = [p for p in products if p.id in held]
    indexer, rows = Indexer(ctx), IndexRows()
    stock = DocumentRepo(session).stock_pairs([p.id for p in products])
    for product in products:
        product.search_text = indexer.rows(product.id, documents.of_product(product), stock[product.id], rows)
    rows.write(session, [p.id for p in products])
    session.flush()


def stock_changed(session: Session, product_ids: Iterable[int], known: dict[tuple[int, int], int] | None = None) -> None:
    """Stock of these products was written: put it into their documents (their hash changes, so
    the next incremental publication renders them again); their revision and history stay.
    ``known``: every stock row of these products as it now stands, by (product id, location id),
    where the caller holds it (a stock file does), so it is not read back."""
    ids = sorted(set(product_ids))
    repo = DocumentRepo(session)
    stock = _stock_pairs(session, known) if known is not None else None
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        pairs, hashes = (stock if stock is not None else repo.stock_pairs(chunk)), repo.hashes(chunk)
        rows = []
        for pid, doc_hash in hashes.items():
            encoded = documents.encode(pairs.get(pid, []))
            rows.append({"pid": pid, "stock": encoded, "doc_hash": documents.with_stock(doc_hash, encoded)})
        repo.set_stock(rows)


def _stock_pairs(session: Session, known: dict[tuple[int, int], int]) -> dict[int, StockPairs]:
    """``DocumentRepo.stock_pairs`` of stock rows held in memory: location codes, in location order."""
    codes = {location.id: location.code for location in StockRepo(session).locations()}
    found: dict[int, StockPairs] = {}
    for (pid, location_id), quantity in sorted(known.items()):
        found.setdefault(pid, []).append((codes[location_id], quantity))
    return found


def changed(session: Session, ctx: CatalogContext, products: Sequence[Product]) -> None:
    """These products changed: refresh them now, or when the session's open ``deferred`` block
    ends."""
    pending: dict[int, Product] | None = session.info.get(_DEFERRED)
    if pending is None:
        refresh(session, ctx, products)
        return
    for product in products:
        pending[id(product)] = product  # by identity: a new product has no id before its flush


def forget(session: Session, product_ids: Sequence[int]) -> None:
    """Delete what the index holds of these products, which are being deleted: their rows leave
    the channels' tallies. (The derived tables have no foreign keys to cascade: migration 0014.)"""
    CompletenessRepo(session).replace(product_ids, [])
    CategoryMemberRepo(session).replace(product_ids, [])
    DocumentRepo(session).delete(product_ids)


def is_deferred(session: Session) -> bool:
    """Whether a ``deferred`` block is open on the session: the services then leave their
    writes to its end."""
    return _DEFERRED in session.info


@contextmanager
def deferred(session: Session, ctx: CatalogContext) -> Iterator[None]:
    """Refresh the products that ``changed`` notes inside the block once, together, at its end.

    A product whose savepoint was rolled back after it was noted is left out when it was new (it
    is no longer in the session) and recomputed from what is stored when it existed before, so
    the index matches what the transaction holds. Nothing is refreshed when the block raises:
    the caller rolls the transaction back. A block opened inside another joins it: the outer
    one refreshes.
    """
    if _DEFERRED in session.info:
        yield
        return
    pending: dict[int, Product] = {}
    session.info[_DEFERRED] = pending
    try:
        yield
    finally:
        session.info.pop(_DEFERRED, None)
    session.flush()  # the services left it to here; a new product has no id, and is not persistent, before
    kept = [product for product in pending.values() if inspect(product).persistent]
    if kept:
        refresh(session, ctx, kept)


def refresh_family(session: Session, ctx: CatalogContext, family: Family) -> None:
    """A family's requirements changed: recompute its products."""
    _each_batch(session, lambda repo, after: repo.by_ids(after, BATCH, [family.id]), ctx)


def added_channel(session: Session, ctx: CatalogContext, channel: Channel) -> None:
    """A new channel: no family requires anything for it yet, so every product is complete."""
    CompletenessRepo(session).add_channel(channel.id, ProductRepo(session).carried_ids(ctx.selection(channel)))


def changed_channel(session: Session, ctx: CatalogContext, channel: Channel, locale_changed: bool, filter_changed: bool) -> None:
    """A channel's locale changes its completeness; its filter, what it carries."""
    if locale_changed:
        families = [f.id for f in ctx.families.values() if any(r.channel_id == channel.id for r in f.requirements)]
        if families:
            _each_batch(session, lambda repo, after: repo.by_ids(after, BATCH, families), ctx)
    if filter_changed:
        recarry(session, ctx, [channel])


def refile(session: Session, ctx: CatalogContext, category: Category) -> None:
    """A category moved in the tree: the products below it are now below its new ancestors
    (and no longer below the old ones, unless filed there otherwise)."""
    indexer, members = Indexer(ctx), CategoryMemberRepo(session)
    held = members.product_ids(category.id)
    for start in range(0, len(held), BATCH):
        chunk = held[start:start + BATCH]
        filed = ProductRepo(session).filed(chunk)
        members.replace(chunk, [row for pid, (sku, categories) in filed.items() for row in indexer.members(pid, sku, categories)])


def recarry(session: Session, ctx: CatalogContext, channels: Iterable[Channel]) -> None:
    """Recompute what these channels carry, in one statement each."""
    repo, products = CompletenessRepo(session), ProductRepo(session)
    for channel in channels:
        repo.set_carried(channel.id, products.carried_ids(ctx.selection(channel)))


def backfill(session: Session, ctx: CatalogContext, progress: Callable[[int], None] | None = None) -> int:
    """Compute the products the index lacks (a row for some channel, or their search text);
    answers how many."""
    count = len(ctx.channels)
    done = _each_batch(session, lambda repo, after: repo.unindexed(count, after, BATCH), ctx, progress)
    if done:  # rows were missing, so the tallies cannot be trusted either
        CompletenessRepo(session).retally()
    return done


def rebuild(session: Session, ctx: CatalogContext, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every product from the master record, committing each batch; answers how many.
    Rows of products, channels or categories no longer there are deleted first."""
    drop_orphans(session)

    def batch(repo: CompletenessRepo, after: int) -> Sequence[Product]:
        session.commit()
        return repo.by_ids(after, BATCH)

    done = _each_batch(session, batch, ctx, progress)
    CompletenessRepo(session).retally()
    session.commit()
    return done


def refresh_stale(session: Session, ctx: CatalogContext, progress: Callable[[int], None] | None = None) -> int:
    """Rewrite the documents marked stale from the master record; answers how many. A
    publication runs it first, so it never reads a stale document. (Products with no document
    at all, from a database older than documents, are ``backfill``'s.)"""
    documents_ = DocumentRepo(session)
    return _each_batch(session, lambda repo, after: repo.by_id_list(documents_.stale(after, BATCH)), ctx, progress)


def _each_batch(session: Session, batch: Callable[[CompletenessRepo, int], Iterable[Product]], ctx: CatalogContext,
                progress: Callable[[int], None] | None = None) -> int:
    repo = CompletenessRepo(session)
    done, after = 0, 0
    while True:
        products = list(batch(repo, after))
        if not products:
            return done
        refresh(session, ctx, products)
        after = products[-1].id
        done += len(products)
        if progress is not None:
            progress(len(products))
