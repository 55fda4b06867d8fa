"""Running a bulk edit: the change saved product by product through ``ProductService``, each in
its own savepoint, committed in batches with the job's progress.

A product that fails is rolled back alone and reported with its reasons; the others are kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from marshmallow import ValidationError
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import HubError, NotFound
from hub.services import bulk_edit
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.models import BulkEdit
from hub.store.types import utcnow
from schemas.errors import flatten_messages
from schemas.product import ProductIn

logger = logging.getLogger(__name__)
BATCH = 200
KEPT_FAILURES = 1000  # reasons stored per job; the count covers every failure


@dataclass
class BulkEditor:
    sessions: sessionmaker[Session]

    def start(self, session: Session, action: dict[str, Any], author: str) -> BulkEdit:
        """Record a queued job for a loaded ``BulkEditIn`` in the caller's session (it commits);
        raises ValidationFailed when the action names things that do not exist."""
        bulk_edit.check_action(action, CatalogContext(session))
        job = BulkEdit(author=author, action={k: v for k, v in action.items() if k != "skus"},
                       skus=list(dict.fromkeys(action["skus"])), status="queued", total=len(set(action["skus"])))
        session.add(job)
        session.flush()
        return job

    def run(self, job_id: int, progress: Callable[[int], None] | None = None) -> None:
        """Apply the change to every product of the job; records how it ended, never raises for it."""
        with self.sessions() as session:
            job = session.get(BulkEdit, job_id)
            if job is None:
                raise NotFound(f"no bulk edit {job_id}")
            skus, action, author = list(job.skus), dict(job.action), job.author
            job.status, job.started = "running", utcnow()
            session.commit()
        try:
            for start in range(0, len(skus), BATCH):
                self._batch(job_id, skus[start:start + BATCH], action, author)
                if progress is not None:
                    progress(len(skus[start:start + BATCH]))
        except (HubError, SQLAlchemyError) as exc:
            logger.exception("bulk edit %s failed", job_id)
            self._end(job_id, "failed", str(exc))
        except Exception as exc:  # noqa: BLE001 - a job must always record how it ended
            logger.exception("bulk edit %s failed", job_id)
            self._end(job_id, "failed", f"unexpected error: {exc}")
        else:
            self._end(job_id, "succeeded", None)

    def _batch(self, job_id: int, skus: list[str], action: dict[str, Any], author: str) -> None:
        with self.sessions() as session:
            ctx = CatalogContext(session)
            service = ProductService(session, ctx, author)
            data = bulk_edit.check_action({**action, "skus": skus}, ctx)
            products = service.products.by_skus(skus)
            changed = unchanged = 0
            failures: list[dict[str, Any]] = []
            for sku in skus:
                product = products.get(sku)
                if product is None:
                    failures.append({"sku": sku, "errors": {"sku": ["no such product (deleted since the edit started?)"]}})
                    continue
                try:
                    with session.begin_nested():
                        new = bulk_edit.apply(service.state(product), action, data)
                        saved = service.save(ProductIn().load(new), product)
                except ValidationError as exc:
                    failures.append({"sku": sku, "errors": flatten_messages(exc.messages)})
                except HubError as exc:
                    failures.append({"sku": sku, "errors": exc.errors or {"product": [exc.detail]}})
                else:
                    changed, unchanged = changed + saved.changed, unchanged + (not saved.changed)
            job = session.get(BulkEdit, job_id)
            assert job is not None
            job.changed += changed
            job.unchanged += unchanged
            job.failed += len(failures)
            room = KEPT_FAILURES - len(job.failures)
            if failures and room > 0:
                job.failures = [*job.failures, *failures[:room]]
            job.progress = min(1.0, (job.changed + job.unchanged + job.failed) / job.total) if job.total else 1.0
            session.commit()

    def _end(self, job_id: int, status: str, error: str | None) -> None:
        with self.sessions() as session:
            values: dict[str, Any] = {"status": status, "finished": utcnow(), "error": error[:4000] if error else None}
            if status == "succeeded":
                values["progress"] = 1.0
            session.execute(update(BulkEdit).where(BulkEdit.id == job_id).values(**values))
            session.commit()
