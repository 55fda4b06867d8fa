"""What a file import last made of each product: a fingerprint of the row it read (with what
shaped the row's meaning) and the revision the product had right after.

A supplier sends its whole catalog every night, and most rows are what they were the night
before. A row whose fingerprint is the one kept for its product, while the product is still at
the revision that row left it at, would come out unchanged: the import counts it so without
building, validating and comparing it (``hub.imports.row_fingerprints``). Any other change of
the product bumps its revision, which voids the fingerprint; deleting it deletes the row here.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import ForeignKey, Integer, LargeBinary, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.store.base import Base
from hub.store.bulk_rows import among, plain_rows, upsert_many

IN_BATCH = 1_000  # ids per IN list


class ImportFingerprint(Base):
    __tablename__ = "import_fingerprint"
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary)  # 16 bytes of BLAKE2b (``row_fingerprints``)
    revision: Mapped[int] = mapped_column(Integer)  # the product's revision right after that row


class FingerprintRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def of(self, product_ids: Iterable[int]) -> dict[int, tuple[bytes, int]]:
        """The kept (digest, revision) of these products that have one."""
        ids, found = sorted(set(product_ids)), {}
        t = ImportFingerprint.__table__
        for start in range(0, len(ids), IN_BATCH):
            query = select(t.c.product_id, t.c.digest, t.c.revision).where(
                among(t.c.product_id, ids[start:start + IN_BATCH], self._s.get_bind().dialect.name))
            found.update((pid, (bytes(digest), revision)) for pid, digest, revision in plain_rows(self._s, query))
        return found

    def keep(self, rows: list[dict[str, Any]]) -> None:
        """Put these (``product_id``, ``digest``, ``revision``) in place of what was kept."""
        upsert_many(self._s, ImportFingerprint.__table__, ["product_id"], rows)
