"""What a file import last made of each product: a fingerprint of the row it read (with what
shaped the row's meaning) and the revision the product had right after.

A supplier sends its whole catalog every night, and most rows are what they were the night
before. A row whose fingerprint is the one kept for its product, while the product is still at
the revision that row left it at, would come out unchanged: the import counts it so without
building, validating and comparing it (``hub.imports.row_fingerprints``). Any other change of
the product bumps its revision, which voids the fingerprint; deleting it deletes the row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import ForeignKey, Integer, LargeBinary, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.store.base import Base
from hub.store.bulk_rows import among, plain_rows, upsert_many
from hub.store.products import Product


class ImportFingerprint(Base):
    __tablename__ = "import_fingerprint"
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary)  # 16 bytes of BLAKE2b (``row_fingerprints``)
    revision: Mapped[int] = mapped_column(Integer)  # the product's revision right after that row
    gtins: Mapped[str] = mapped_column(Text, default="")  # the product's GTINs then, as 14 digits, space-separated


@dataclass(frozen=True)
class Kept:
    """A stored product as a fingerprint check needs it: no values, no offers."""

    product_id: int
    revision: int
    digest: bytes | None  # None: nothing kept for it
    kept_at: int | None  # the revision the fingerprint was kept at
    gtins: list[str]


class FingerprintRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def by_skus(self, skus: Iterable[str]) -> dict[str, Kept]:
        """The stored products with these SKUs, with what was kept for them, by SKU: one light
        query (the full stored rows are read only for the rows that need building)."""
        wanted = sorted(set(skus))
        p, f = Product.__table__.c, ImportFingerprint.__table__.c
        query = (select(p.sku, p.id, p.revision, f.digest, f.revision, f.gtins)
                 .outerjoin(ImportFingerprint.__table__, f.product_id == p.id)
                 .where(among(p.sku, wanted, self._s.get_bind().dialect.name)))
        return {sku: Kept(pid, revision, bytes(digest) if digest is not None else None, kept_at, gtins.split() if gtins else [])
                for sku, pid, revision, digest, kept_at, gtins in plain_rows(self._s, query)} if wanted else {}

    def keep(self, rows: list[dict[str, Any]]) -> None:
        """Put these (``product_id``, ``digest``, ``revision``, ``gtins``) in place of what was kept."""
        upsert_many(self._s, ImportFingerprint.__table__, ["product_id"], rows)
