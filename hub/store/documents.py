"""Resolved documents: per product its document (``hub.services.documents``) and its stock,
encoded, and a hash of both; the document in a row of its own (``ProductDocumentBody``), the
rest in a narrow row that stock files and change stamps rewrite. Publishing reads these rows
with SQLAlchemy Core in product id order instead of loading an object graph per product.

The services keep a row current in the same transaction as every change of its product, and
stamp it with a change number (``hub.store.document_changes``) so that a republish reads the
keys of the rows that changed since it last looked, not every row. A
change whose effect on documents is not worked out at once (a channel or location deleted,
taking its offers and stock with it) sets ``stale``; a publication refreshes stale rows
before it reads, and ``crosscanal reindex`` rebuilds every row from the master record.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from sqlalchemy import BigInteger, Boolean, Index, LargeBinary, Row, Select, String, Text, and_, text, cast, delete, exists, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.engine import Dialect

from hub.store import document_changes
from hub.store.base import Base, unsynced
from hub.store.document_changes import Horizon
from hub.store.bulk_rows import BoundRows, among, bind_rows, insert_bound, plain_rows, update_many
from hub.store.completeness import ProductCompleteness
from hub.store.inventory import Location, Stock
from hub.store.products import Offer


IN_BATCH = 1_000  # ids per IN list


class ProductDocument(Base):
    """What decides a product's items, in a narrow row: its stock, the hash, sale moments and
    change stamp. The document itself (2 KB) is in ``ProductDocumentBody``: a stock line or a
    stamp then rewrites about a hundred bytes, not the document with them (SQLite rewrites a
    whole row on update), and reading every key walks small rows."""

    __tablename__ = "product_document"
    # Only stale rows are indexed (a partial index): nearly every row is current, and indexing
    # them all cost each new document an index insert for a lookup that never reads them.
    __table_args__ = (Index("ix_product_document_stale", "product_id", sqlite_where=text("stale IS 1"),
                            postgresql_where=text("stale IS true")),
                      Index("ix_product_document_changed", "changed", "product_id"))
    product_id: Mapped[int] = mapped_column(primary_key=True)  # no foreign key (migration 0014)
    stock: Mapped[bytes] = mapped_column(LargeBinary)  # orjson list of [location code, quantity]
    doc_hash: Mapped[str] = mapped_column(String(32))  # of doc and stock: what a republish compares
    moments: Mapped[str] = mapped_column(Text, default="")  # sale starts and ends (hub.services.documents.moments)
    stale: Mapped[bool] = mapped_column(Boolean, default=False)
    changed: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # document_changes.stamp of the last write


class ProductDocumentBody(Base):
    """A product's resolved document (``hub.services.documents``), written with its key row."""

    __tablename__ = "product_document_body"
    product_id: Mapped[int] = mapped_column(primary_key=True)  # no foreign key (migration 0014)
    doc: Mapped[bytes] = mapped_column(LargeBinary)  # orjson, sorted keys


def stale_query(after_id: int, limit: int) -> Select[tuple[int]]:
    """The stale documents' product ids after ``after_id``, by id. Its condition renders as the
    index of stale rows is declared (``stale IS 1`` on SQLite), which SQLite needs to read
    that partial index."""
    return (select(ProductDocument.product_id).where(ProductDocument.stale.is_(True), ProductDocument.product_id > after_id)
            .order_by(ProductDocument.product_id).limit(limit))


class DocumentRepo:
    def __init__(self, session: Session) -> None:
        self._s = session
        self._dialect = session.get_bind().dialect.name

    def replace(self, rows: list[dict[str, Any]]) -> None:
        """Put these rows (``product_id``, ``doc``, ``stock``, ``doc_hash``, ``moments``) in place,
        not stale (new products' go through ``bind_new`` and ``insert_new``)."""
        if not rows:
            return
        self.delete([r["product_id"] for r in rows])
        self.insert_new(self.bind_new(self._s.get_bind().dialect, rows))

    def delete(self, product_ids: Sequence[int]) -> None:
        for table in (ProductDocument, ProductDocumentBody):
            self._s.execute(unsynced(delete(table).where(table.product_id.in_(product_ids))))

    @staticmethod
    def bind_new(dialect: Dialect, rows: list[dict[str, Any]]) -> tuple[BoundRows, BoundRows]:
        """``replace``'s rows for new products, bound ahead (``bulk_rows.bind_rows``): the
        bodies', and the documents' with their change stamp still to give (``insert_new``)."""
        return (bind_rows(dialect, ProductDocumentBody.__table__, [{"product_id": row["product_id"], "doc": row["doc"]} for row in rows]),
                bind_rows(dialect, ProductDocument.__table__, [
                    {"product_id": row["product_id"], "stock": row["stock"], "doc_hash": row["doc_hash"],
                     "moments": row["moments"], "stale": False, "changed": 0} for row in rows]))

    def insert_new(self, bound: tuple[BoundRows, BoundRows]) -> None:
        """Insert what ``bind_new`` bound, stamped as changed now."""
        bodies, documents = bound
        if len(documents):
            documents.set_all("changed", document_changes.stamp(self._s))
            insert_bound(self._s, bodies)
            insert_bound(self._s, documents)

    def set_stock(self, rows: list[dict[str, Any]]) -> None:
        """New stock (and hash) for existing rows: ``pid``, ``stock``, ``doc_hash``."""
        if rows:
            number = document_changes.stamp(self._s)
            update_many(self._s, ProductDocument.__table__, {"product_id": "product_id"}, [
                {"product_id": row["pid"], "stock": row["stock"], "doc_hash": row["doc_hash"], "changed": number} for row in rows])

    def touch(self, product_ids: Any) -> None:
        """Stamp the rows of these products (a list or a select of ids) as changed: something
        outside the document that shapes their items changed (completeness, being carried)."""
        self._s.execute(unsynced(update(ProductDocument).where(ProductDocument.product_id.in_(product_ids))
                                 .values(changed=document_changes.stamp(self._s))))

    def hashes(self, product_ids: Sequence[int]) -> dict[int, str]:
        """The doc_hash of these products."""
        query = select(ProductDocument.product_id, ProductDocument.doc_hash).where(
            among(ProductDocument.product_id, list(product_ids), self._dialect))
        return dict(plain_rows(self._s, query).all())

    def stock_pairs(self, product_ids: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
        """Each product's stock as (location code, quantity), in location order: one query."""
        found: dict[int, list[tuple[str, int]]] = {pid: [] for pid in product_ids}
        if found:
            query = (select(Stock.product_id, Location.code, Stock.quantity).join(Location, Location.id == Stock.location_id)
                     .where(among(Stock.product_id, list(found), self._dialect)).order_by(Stock.product_id, Stock.location_id))
            for pid, code, quantity in plain_rows(self._s, query):
                found[pid].append((code, quantity))
        return found

    def mark_stale(self, product_ids: Any) -> None:
        """Mark the rows of these products (a select of ids) stale, in one statement."""
        self._s.execute(unsynced(update(ProductDocument).where(ProductDocument.product_id.in_(product_ids)).values(stale=True)))

    def mark_stale_for_location(self, location_id: int) -> None:
        self.mark_stale(select(Stock.product_id).where(Stock.location_id == location_id)
                        .union(select(Offer.product_id).where(Offer.location_id == location_id)))

    def mark_stale_for_channel(self, channel_id: int) -> None:
        self.mark_stale(select(Offer.product_id).where(Offer.channel_id == channel_id))

    def stale(self, after_id: int, limit: int) -> list[int]:
        """Ids of products whose document is marked stale, by id (read through its index)."""
        return list(self._s.scalars(stale_query(after_id, limit)))

    def count_carried(self, channel_id: int) -> int:
        query = select(func.count()).select_from(ProductCompleteness).where(
            ProductCompleteness.channel_id == channel_id, ProductCompleteness.carried.is_(True))
        return self._s.scalar(query) or 0

    def _carried_by(self, channel_id: int) -> tuple[Any, Any]:
        """The condition that the channel carries a document's product, and its ``missing``.

        Written as correlated lookups so both databases walk the documents in key order and
        probe the completeness row by its primary key; as a join, SQLite chose the channel's
        completeness index and sorted every batch (145 ms a batch at 100,000 products, not 4).
        """
        mine = and_(ProductCompleteness.product_id == ProductDocument.product_id, ProductCompleteness.channel_id == channel_id)
        return (exists().where(mine, ProductCompleteness.carried.is_(True)),
                select(ProductCompleteness.missing).where(mine).scalar_subquery())

    def carried(self, channel_id: int, after_id: int, limit: int) -> Sequence[Row[Any]]:
        """One batch of the products a channel carries, by id: (product_id, doc, stock, missing)."""
        carried, missing = self._carried_by(channel_id)
        query = (select(ProductDocument.product_id, ProductDocumentBody.doc, ProductDocument.stock, missing)
                 .join(ProductDocumentBody, ProductDocumentBody.product_id == ProductDocument.product_id)
                 .where(ProductDocument.product_id > after_id, carried).order_by(ProductDocument.product_id).limit(limit))
        return self._s.execute(query).all()

    def keys(self, channel_id: int, low: int, high: int) -> Sequence[Row[Any]]:
        """What decides each carried product's item in the id range [low, high), without the
        documents themselves: (product_id, doc_hash, moments, missing as JSON text), by id.

        Run as Core on the connection with ``missing`` cast to text: a republish reads this for
        every product, and the ORM's row handling and JSON decoding were most of its cost. One
        lookup of the completeness row answers both whether the channel carries the product
        (else null) and what it lacks: half the time of asking the two apart."""
        missing = _missing_text(channel_id)
        query = (select(ProductDocument.product_id, ProductDocument.doc_hash, ProductDocument.moments, missing)
                 .where(ProductDocument.product_id >= low, ProductDocument.product_id < high)
                 .order_by(ProductDocument.product_id))
        return [row for row in self._s.connection().execute(query).all() if row[3] is not None]

    def keys_of(self, channel_id: int, product_ids: Sequence[int]) -> list[Row[Any]]:
        """``keys`` of these products, carried or not (``missing`` null when not), by id."""
        missing = _missing_text(channel_id)
        found: list[Row[Any]] = []
        for start in range(0, len(product_ids), IN_BATCH):
            query = (select(ProductDocument.product_id, ProductDocument.doc_hash, ProductDocument.moments, missing)
                     .where(among(ProductDocument.product_id, list(product_ids[start:start + IN_BATCH]), self._dialect)))
            found += self._s.connection().execute(query).all()
        return sorted(found, key=lambda row: row[0])

    def written_since(self, seen: Horizon) -> set[int]:
        """Ids of the products whose document was written or removed after ``seen``: read
        through the change index alone."""
        query = select(ProductDocument.product_id, ProductDocument.changed).where(ProductDocument.changed >= seen.low)
        written = {pid for pid, changed in self._s.connection().execute(query) if seen.unseen(changed)}
        return written | document_changes.removed_since(self._s, seen)

    def bodies(self, product_ids: Sequence[int]) -> dict[int, tuple[bytes, bytes]]:
        """(doc, stock) of these products."""
        query = (select(ProductDocument.product_id, ProductDocumentBody.doc, ProductDocument.stock)
                 .join(ProductDocumentBody, ProductDocumentBody.product_id == ProductDocument.product_id)
                 .where(among(ProductDocument.product_id, list(product_ids), self._dialect)))
        return {pid: (doc, stock) for pid, doc, stock in self._s.connection().execute(query)}

    def last_id(self) -> int:
        return self._s.scalar(select(func.max(ProductDocument.product_id))) or 0

    def stream(self, channel_id: int, batch: int) -> Iterator[Sequence[Row[Any]]]:
        after = 0
        while rows := self.carried(channel_id, after, batch):
            yield rows
            after = rows[-1][0]


def _missing_text(channel_id: int) -> Any:
    """A document's ``missing`` on the channel as JSON text, null when the channel does not carry it."""
    return (select(cast(ProductCompleteness.missing, Text))
            .where(ProductCompleteness.product_id == ProductDocument.product_id,
                   ProductCompleteness.channel_id == channel_id, ProductCompleteness.carried.is_(True))
            .scalar_subquery())
