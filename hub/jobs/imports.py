"""Running an import: a file read row by row, saved in batches (products through the bulk write
path, models through their service), with the job's progress, counts and report kept as it goes.

Each batch has its own session and transaction, so a long import never holds the database's
write lock for long (SQLite has only one writer). A batch's writes and the product index of the
products it saved go out together, in its transaction; when the database refuses them (or a
product the batch read was changed meanwhile), the batch is saved again row by row, each in a
savepoint (``EntityRows``'s careful mode).
A dry run does exactly the same work and rolls each batch back instead of committing it; only
the job's own counts are committed. What earlier batches would have stored reaches later ones
(``DryRunMemory``): a variant taking the axis values of an earlier batch's variant is rejected,
as the import would reject it. A SKU (or model code) or GTIN an earlier row of the file named
is refused with that row's number, however far apart (``hub.imports.file_keys``).
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from hub import allocations
from hub.errors import Conflict, HubError, NotFound, unforeseen
from hub.jobs.runners import this_process
from hub.imports.entity_rows import BatchResult, DryRunMemory, EntityRows
from hub.imports.file_keys import FileKeys
from hub.imports.errors import FileRefused
from hub.imports.flat_columns import detect_kind, parse_header
from hub.imports.formats import detect_format, open_source
from hub.imports.limits import ReadLimits
from hub.imports.mappings import combined, get_mapping
from hub.imports.report import ReportWriter
from hub.imports.rows import Row, RowSource
from hub.imports.shapes import FlatShape, JsonShape, Shape
from hub.imports.stock_rows import StockRows
from hub.services import product_index
from hub.services.context import CatalogContext
from hub.store.db import checkpoints_behind
from hub.store.imports import ImportJob
from hub.store.refusals import ROW_REFUSALS
from hub.store.types import utcnow
from schemas.imports import DELIMITERS

logger = logging.getLogger(__name__)
BATCH = 2000
# A stock file's lines are small, and in SKU order they update products in no order of their ids:
# each batch rewrites most pages of the stock and document tables it touches, so fewer, larger
# batches write each page fewer times (100,000 lines at 100,000 products: 5.6 -> 4.5 s).
STOCK_BATCH = 20_000
KEPT_REJECTIONS = 100  # reasons stored on the job; the report file has them all


@dataclass
class _Plan:
    """What the start of the file told: its format and kind, and how its rows become bodies."""

    fmt: str
    kind: str
    mapping: dict[str, str]
    shape: Shape | None  # None for stock
    rows: Iterator[Row]


@dataclass
class Importer:
    """Starts import jobs and runs them; the CLI runs one in the foreground, the API (phase 2)
    would record it with ``start`` and hand ``run`` to the hub's job pool."""

    sessions: sessionmaker[Session]  # writer sessions
    data_dir: Path
    limits: ReadLimits = field(default_factory=ReadLimits)

    def report_path(self, job_id: int) -> Path:
        return self.data_dir / "imports" / f"{job_id}-report.csv"

    def start(self, session: Session, options: dict[str, Any], author: str) -> ImportJob:
        """Record a queued job for a loaded ``ImportOptionsIn`` in the caller's session (it commits);
        raises NotFound for an unknown mapping name."""
        if options.get("mapping"):
            get_mapping(session, options["mapping"])
        job = ImportJob(
            author=author, kind=options.get("kind"), format=options.get("format"), filename=options["filename"],
            dry_run=options.get("dry_run", False), status="queued", rejections=[], runner=this_process(),
            options={name: options.get(name) for name in ("encoding", "delimiter", "mapping", "columns")},
        )
        session.add(job)
        session.flush()
        return job

    def run(self, job_id: int, path: Path, progress: Callable[[ImportJob], None] | None = None) -> ImportJob:
        """Import the file at ``path`` for the job; records how it ended and returns the job, never
        raises for a bad file or a failure on the way."""
        with self.sessions() as session:
            job = session.get(ImportJob, job_id)
            if job is None:
                raise NotFound(f"no import job {job_id}")
            job.status, job.started = "running", utcnow()
            session.commit()
            snapshot = {c: getattr(job, c) for c in ("kind", "format", "filename", "dry_run", "author", "options")}
        source: RowSource | None = None
        report = ReportWriter(self.report_path(job_id))
        saved_through: list[int] = []  # the last row of the last batch saved: where a failure leaves off
        try:
            options = snapshot["options"]
            fmt = snapshot["format"] or detect_format(path, snapshot["filename"])
            delimiter = DELIMITERS.get(options.get("delimiter") or "", None)
            source = open_source(path, fmt, encoding=options.get("encoding"), delimiter=delimiter, limits=self.limits)
            plan = self._plan(source, snapshot["kind"], options)
            self._update(job_id, kind=plan.kind, format=plan.fmt, total=source.total)
            earlier = DryRunMemory() if snapshot["dry_run"] else None
            keys = FileKeys()
            with checkpoints_behind(self.sessions.kw["bind"]), allocations.bulk():
                for batch in _batches(plan.rows, STOCK_BATCH if plan.kind == "stock" else BATCH):
                    result = self._batch(job_id, plan, batch, snapshot["author"], earlier, keys, source.fraction())
                    report.add(result.rejections)
                    saved_through[:] = [batch[-1].number]
                    keys.take(result.keys)
                    if earlier is not None:
                        earlier.update(result.seen)
                    if progress is not None:
                        progress(self.job(job_id))
        except FileRefused as exc:
            self._end(job_id, "failed", _explain(exc) + _left_off(saved_through, snapshot["dry_run"]))
        except HubError as exc:
            logger.exception("import %s failed", job_id)
            self._end(job_id, "failed", _explain(exc) + _left_off(saved_through, snapshot["dry_run"]))
        except Exception as exc:  # noqa: BLE001 - a job must always record how it ended
            logger.exception("import %s failed", job_id)
            self._end(job_id, "failed", unforeseen(exc) + _left_off(saved_through, snapshot["dry_run"]))
        else:
            self._end(job_id, "succeeded", None)
        finally:
            if source is not None:
                source.close()
        return self.job(job_id)

    def job(self, job_id: int) -> ImportJob:
        with self.sessions() as session:
            job = session.get(ImportJob, job_id)
            if job is None:
                raise NotFound(f"no import job {job_id}")
            return job

    def _plan(self, source: RowSource, kind: str | None, options: dict[str, Any]) -> _Plan:
        with self.sessions() as session:
            ctx = CatalogContext(session)
            mapping = combined(session, options.get("mapping"), options.get("columns") or {})
            rows = iter(source.rows())
            if source.headers is not None:
                names = [mapping.get(h, h) for h in source.headers]
                kind = kind or _need_kind(detect_kind(names), ", ".join(h for h in names if h))
                columns = parse_header(source.headers, mapping, kind, ctx)
                shape: Shape | None = FlatShape(kind, ctx, mapping, columns) if kind != "stock" else None
                return _Plan(source.format, kind, mapping, shape, rows)
            first = next(rows, None)
            rows = itertools.chain([first] if first is not None else [], rows)
            if source.format == "xml":
                names = [mapping.get(h, h) for h in (first.cells or {})] if first else []
                kind = kind or _need_kind(detect_kind(names) if first else "products", ", ".join(names))
                if kind == "stock":
                    parse_header(list(first.cells or {}) if first else [], mapping, kind, ctx)
                shape = FlatShape(kind, ctx, mapping, None) if kind != "stock" else None
            else:
                keys = list(first.body) if first is not None and isinstance(first.body, dict) else []
                kind = kind or _need_kind(detect_kind(keys) if first else "products", ", ".join(keys))
                shape = JsonShape(kind) if kind != "stock" else None
            return _Plan(source.format, kind, mapping, shape, rows)

    def _batch(self, job_id: int, plan: _Plan, rows: list[Row], author: str, earlier: DryRunMemory | None,
               keys: FileKeys, fraction: float) -> BatchResult:
        """Save a batch; ``earlier`` is None for a real import, and what earlier batches of a dry
        run saved otherwise; ``keys``: what the earlier batches' rows named."""
        try:
            return self._saved_batch(job_id, plan, rows, author, earlier, keys, fraction, careful=False)
        except (*ROW_REFUSALS, Conflict):  # Conflict: another writer changed a product the batch had read
            if plan.shape is None:
                raise
            logger.info("import %s: the database refused a batch; saving its rows one by one", job_id, exc_info=True)
            return self._saved_batch(job_id, plan, rows, author, earlier, keys, fraction, careful=True)

    def _saved_batch(self, job_id: int, plan: _Plan, rows: list[Row], author: str, earlier: DryRunMemory | None,
                     keys: FileKeys, fraction: float, careful: bool) -> BatchResult:
        with self.sessions() as session:
            ctx = CatalogContext(session)
            if plan.shape is None:
                result = StockRows(session, plan.mapping).save(rows)
            else:
                if isinstance(plan.shape, FlatShape):
                    plan.shape.use(ctx)
                # The product index is refreshed once for the batch's saved products, not per row,
                # and the batch is written in one flush when the block ends.
                with product_index.deferred(session, ctx):
                    result = EntityRows(plan.kind, session, ctx, author, plan.shape, careful, earlier, keys).save(rows)
            if earlier is not None:
                session.rollback()
            job = session.get(ImportJob, job_id)
            assert job is not None
            job.rows += len(rows)
            job.created += result.created
            job.updated += result.updated
            job.unchanged += result.unchanged
            job.rejected += result.rejected_rows
            room = KEPT_REJECTIONS - len(job.rejections)
            if result.rejections and room > 0:
                job.rejections = [*job.rejections, *(r.as_dict() for r in result.rejections[:room])]
            job.progress = fraction
            session.commit()
            return result

    def _update(self, job_id: int, **values: Any) -> None:
        with self.sessions() as session:
            session.execute(update(ImportJob).where(ImportJob.id == job_id).values(**values))
            session.commit()

    def _end(self, job_id: int, status: str, error: str | None) -> None:
        values: dict[str, Any] = {"status": status, "finished": utcnow(), "error": error[:4000] if error else None}
        if status == "succeeded":
            values["progress"] = 1.0
        self._update(job_id, **values)


def _need_kind(kind: str | None, columns: str) -> str:
    if kind is None:
        raise FileRefused(f"cannot tell whether this file holds products, product models or stock from its columns "
                          f"({columns or 'none'}): a products file has a 'sku' column, a models file a 'code' column, "
                          f"a stock file 'location', 'sku' and 'quantity'; or give the kind")
    return kind


def _explain(error: HubError) -> str:
    lines = [error.detail] + [f"{field}: {reason}" for field, reasons in error.errors.items() for reason in reasons]
    return "\n".join(lines)


def _left_off(saved_through: list[int], dry_run: bool) -> str:
    """Where a failed import stopped: the batches before the failure are kept (each commits), so
    the user learns which rows are in and where the rest begins."""
    if not saved_through:
        return ""
    done = "checked" if dry_run else "saved"
    return (f"\nRows up to {saved_through[0]} were {done} (the rejected ones are in the report); nothing from row "
            f"{saved_through[0] + 1} on was. Importing the file again picks up from there: the rows already stored "
            f"count as unchanged and cost no write.")


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(itertools.islice(rows, size)):
        yield batch
