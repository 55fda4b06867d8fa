"""Recognising a file's unchanged product rows before building them.

A row's fingerprint is a 16-byte BLAKE2b of the row as read (its cells with their headers, or
its JSON object) under everything else that shapes what the row means: the kind, the column
mapping, and the catalog's rules (attributes with their types, rules and options; families and
their attributes; the codes of categories, channels, locales, currencies and stores). The import
keeps, per product it saved or found unchanged, the fingerprint of its row and the revision the
product had after it (``hub.store.import_fingerprints``). When the same row comes again and the
product is still at that revision, nothing can have changed what the row would make of it: the
row is counted unchanged without being built, validated and compared, which was most of the
cost of a nightly file (a row that changed nothing took about 230 µs).

The rules a row must still pass without being built: its SKU and GTINs are claimed as a built
row's are (a second row naming them is refused with this row's number), the GTINs being those
kept with the fingerprint (the product's, which this row gave it). Only the products whose rows
need building are read whole.
"""

from __future__ import annotations

from hashlib import blake2b
from typing import Any

import orjson
from sqlalchemy.orm import Session

from hub.imports.rows import Row
from hub.store.import_fingerprints import FingerprintRepo, Kept
from hub.store.repos import CatalogRepo

DIGEST_BYTES = 16


def catalog_digest(session: Session) -> bytes:
    """What of the catalog decides whether and how a row is read, as bytes to hash."""
    return orjson.dumps(CatalogRepo(session).definitions(), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


class RowFingerprints:
    """The fingerprints of one batch's rows, checked against and kept for their products."""

    def __init__(self, session: Session, kind: str, mapping: dict[str, str]) -> None:
        self.repo = FingerprintRepo(session)
        self.base = blake2b(orjson.dumps([kind, sorted(mapping.items())]) + catalog_digest(session), digest_size=DIGEST_BYTES)
        self.kept: dict[str, Kept] = {}
        self.by_id: dict[int, Kept] = {}
        self.new: dict[int, dict[str, Any]] = {}

    def read(self, skus: list[str]) -> None:
        """Read the batch's stored products as the check needs them, in one query."""
        self.kept = self.repo.by_skus(skus)
        self.by_id = {kept.product_id: kept for kept in self.kept.values()}

    def of(self, row: Row) -> bytes:
        digest = self.base.copy()
        digest.update(orjson.dumps(row.cells) if row.cells is not None else orjson.dumps(row.body, option=orjson.OPT_SORT_KEYS))
        return digest.digest()

    def unchanged(self, digest: bytes, sku: str) -> Kept | None:
        """The stored product when the row is the one kept for it and the product is as that row
        left it; else None."""
        found = self.kept.get(sku)
        return found if found is not None and found.digest == digest and found.kept_at == found.revision else None

    def saved(self, product_id: int, digest: bytes, revision: int, gtins: list[str]) -> None:
        """The row left the product at ``revision``, holding ``gtins``: keep its fingerprint
        unless it is kept already."""
        found = self.by_id.get(product_id)
        if found is None or (found.digest, found.kept_at, found.gtins) != (digest, revision, gtins):
            self.new[product_id] = {"product_id": product_id, "digest": digest, "revision": revision, "gtins": " ".join(gtins)}

    def write(self) -> None:
        self.repo.keep([self.new[pid] for pid in sorted(self.new)])
        self.new.clear()
