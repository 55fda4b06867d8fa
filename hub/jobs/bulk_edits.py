"""Running a bulk edit: the change made to each product's stored state and saved through the
bulk write path (``ProductBatch``: the same checks and reasons as ``ProductService``, a version
per changed product), a batch per transaction, committed with the job's progress.

A product that fails is reported with its reasons; the others are kept. A batch the database
refuses as a whole is saved again product by product, each in its own savepoint.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from marshmallow import ValidationError
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import Conflict, HubError, NotFound, unforeseen
from hub.jobs.runners import this_process
from hub.services import bulk_edit
from hub.services.context import CatalogContext
from hub.services.product_batch import ProductBatch
from hub.services.products import ProductService
from hub.services.states import stored_state
from hub.store import product_rows
from hub.store.models import BulkEdit
from hub.store.refusals import ROW_REFUSALS, refusal
from hub.store.types import utcnow
from schemas.errors import flatten_messages
from schemas.product import ProductIn

logger = logging.getLogger(__name__)
BATCH = 1000  # products per transaction, as the imports' batches
KEPT_FAILURES = 1000  # reasons stored per job; the count covers every failure


@dataclass
class BulkEditor:
    sessions: sessionmaker[Session]

    def start(self, session: Session, action: dict[str, Any], author: str) -> BulkEdit:
        """Record a queued job for a loaded ``BulkEditIn`` in the caller's session (it commits);
        raises ValidationFailed when the action names things that do not exist."""
        bulk_edit.check_action(action, CatalogContext(session))
        job = BulkEdit(author=author, action={k: v for k, v in action.items() if k != "skus"},
                       skus=list(dict.fromkeys(action["skus"])), status="queued", total=len(set(action["skus"])),
                       runner=this_process())
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
        except HubError as exc:
            logger.exception("bulk edit %s failed", job_id)
            self._end(job_id, "failed", str(exc))
        except Exception as exc:  # noqa: BLE001 - a job must always record how it ended
            logger.exception("bulk edit %s failed", job_id)
            self._end(job_id, "failed", unforeseen(exc))
        else:
            self._end(job_id, "succeeded", None)

    def _batch(self, job_id: int, skus: list[str], action: dict[str, Any], author: str) -> None:
        """One batch through the bulk write path; where the database refuses it (a product
        changed by another writer since it was read, a value beyond a column's range), again
        product by product, so that only the refused product fails."""
        try:
            self._saved_batch(job_id, skus, action, author, careful=False)
        except (*ROW_REFUSALS, Conflict):
            logger.info("bulk edit %s: the database refused a batch; saving its products one by one", job_id, exc_info=True)
            self._saved_batch(job_id, skus, action, author, careful=True)

    def _saved_batch(self, job_id: int, skus: list[str], action: dict[str, Any], author: str, careful: bool) -> None:
        with self.sessions() as session:
            ctx = CatalogContext(session)
            data = bulk_edit.check_action({**action, "skus": skus}, ctx)
            edit = _careful if careful else _together
            changed, unchanged, failures = edit(session, ctx, author, skus, action, data)
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


_Tally = tuple[int, int, list[dict[str, Any]]]  # changed, unchanged, failures ({"sku", "errors"}) in the batch's order
GONE = {"sku": ["no such product (deleted since the edit started?)"]}


def _together(session: Session, ctx: CatalogContext, author: str, skus: list[str], action: dict[str, Any],
              data: Any) -> _Tally:
    """The batch's products read as plain rows, changed in memory and saved together by
    ``ProductBatch``, a statement per table (an unchanged product is not written)."""
    stored = product_rows.by_skus(session, skus)
    schema = ProductIn()
    reasons: dict[str, dict[str, list[str]]] = {}
    bodies = []
    for sku in skus:
        found = stored.get(sku)
        if found is None:
            reasons[sku] = GONE
            continue
        try:
            bodies.append(schema.load(bulk_edit.apply(stored_state(found, ctx.codes), action, data)))
        except ValidationError as exc:
            reasons[sku] = flatten_messages(exc.messages)
    changed = unchanged = 0
    for saved in ProductBatch(session, ctx, author).save(bodies, existing=stored):
        if saved.status == "invalid":
            reasons[saved.sku] = saved.errors or {"product": ["the product was not saved"]}
        changed, unchanged = changed + (saved.status == "updated"), unchanged + (saved.status == "unchanged")
    return changed, unchanged, [{"sku": sku, "errors": reasons[sku]} for sku in skus if sku in reasons]


def _careful(session: Session, ctx: CatalogContext, author: str, skus: list[str], action: dict[str, Any],
             data: Any) -> _Tally:
    """Product by product through ``ProductService``, each in its own savepoint: a product the
    database refuses is rolled back alone and reported."""
    service = ProductService(session, ctx, author)
    products = service.products.by_skus(skus)
    changed = unchanged = 0
    failures: list[dict[str, Any]] = []
    for sku in skus:
        product = products.get(sku)
        if product is None:
            failures.append({"sku": sku, "errors": GONE})
            continue
        try:
            with session.begin_nested():
                new = bulk_edit.apply(service.state(product), action, data)
                saved = service.save(ProductIn().load(new), product)
        except ValidationError as exc:
            failures.append({"sku": sku, "errors": flatten_messages(exc.messages)})
        except HubError as exc:
            failures.append({"sku": sku, "errors": exc.errors or {"product": [exc.detail]}})
        except ROW_REFUSALS as exc:
            failures.append({"sku": sku, "errors": {"product": [refusal(exc, "product")]}})
        else:
            changed, unchanged = changed + saved.changed, unchanged + (not saved.changed)
    return changed, unchanged, failures
