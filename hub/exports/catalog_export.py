"""Exporting the catalog: products, product models or stock, read from the store in batches and
written as they come, so memory stays flat whatever the catalog's size. Products are read as
plain rows in SKU order (``hub.store.product_rows``), a few queries per page and no ORM object
per product: the ORM pages held exports near 3,000 products a second.

Flat files need their header before the first row: the columns in use are learned in one pass
that keeps the records in a temporary file, and the rows are written from there.

A large product export is cut into runs of SKUs read by worker processes at once (each writes
its records, or its cells and columns, to a file of its own); the files are then joined in SKU
order, so the bytes are the same as one process's.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

import orjson

from sqlalchemy.orm import Session

from hub import allocations
from hub.config import workers_for
from hub.exports.flat_cells import Cells, model_cells, product_cells
from hub.exports.writers import write_csv, write_csv_rows, write_ndjson, write_xlsx
from hub.imports.flat_columns import SINGLE
from hub.services.context import CatalogContext
from hub.services import product_records
from hub.services.products import ProductModelService
from hub.services.states import stored_state
from hub.store import product_rows
from hub.store.db import make_engine
from hub.store.documents import DocumentRepo
from hub.store.repos import ProductRepo
from schemas.location import StockLineIn
from schemas.product import ProductModelOut

PAGE = 2000
STOCK_HEADER = ["location", "sku", "quantity"]


def _pages(service: ProductModelService, key: str) -> Iterator[list[Any]]:
    after = None
    while page := list(service.page(after, PAGE)):
        yield page
        after = getattr(page[-1], key)


def _product_records(session: Session, ctx: CatalogContext, low: str | None = None,
                     high: str | None = None) -> Iterator[dict[str, Any]]:
    """Each product (SKUs from ``low`` to before ``high``) as the API answers it."""
    for page in product_rows.pages(session, PAGE, low, high):
        yield from product_records.records(session, ctx, page)


def _model_records(session: Session, ctx: CatalogContext) -> Iterator[dict[str, Any]]:
    service = ProductModelService(session, ctx, "export")
    out = ProductModelOut()
    for page in _pages(service, "code"):
        for model in page:
            yield out.dump(service.representation(model))


def _stock_records(session: Session, ctx: CatalogContext) -> Iterator[dict[str, Any]]:
    out = StockLineIn()  # the export's lines are what a stock import loads, so the input schema dumps them
    documents = DocumentRepo(session)
    for page in product_rows.sku_pages(session, PAGE):
        stock = documents.stock_pairs([pid for pid, _sku in page])
        for pid, sku in page:
            for code, quantity in sorted(stock[pid]):
                yield out.dump({"location": code, "sku": sku, "quantity": quantity})


def _flat_cells(session: Session, ctx: CatalogContext, kind: str, low: str | None = None,
                high: str | None = None) -> Callable[[], Iterator[Cells]]:
    def cells() -> Iterator[Cells]:
        if kind == "products":
            codes = ctx.codes
            for page in product_rows.pages(session, PAGE, low, high):
                yield from (product_cells(stored_state(row, codes), ctx) for row in page)
        else:
            models = ProductModelService(session, ctx, "export")
            for page in _pages(models, "code"):
                yield from (model_cells(models.state(m), ctx) for m in page)
    return cells


def _flat(session: Session, ctx: CatalogContext, kind: str,
          progress: Callable[[int], None] | None = None) -> tuple[list[str], Iterator[list[str]]]:
    if kind == "stock":
        rows = ([r["location"], r["sku"], str(r["quantity"])] for r in _told(_stock_records(session, ctx), progress))
        return STOCK_HEADER, rows
    order = _fixed(kind)
    spill = tempfile.TemporaryFile()
    _spill(_told(_flat_cells(session, ctx, kind)(), progress), order, spill)
    header = sorted(order, key=lambda name: order[name])
    return header, _spilled(spill, header)


def _told(records: Iterator[Any], progress: Callable[[int], None] | None) -> Iterator[Any]:
    """``records`` as they are, telling ``progress`` the count read every ``PAGE`` of them."""
    if progress is None:
        yield from records
        return
    count = 0
    for record in records:
        yield record
        count += 1
        if count % PAGE == 0:
            progress(count)
    progress(count)


def _fixed(kind: str) -> dict[str, tuple[Any, ...]]:
    """The fixed columns, always there, so even an empty export is a file the importer reads."""
    return {name: (0, rank) for rank, name in enumerate(SINGLE[kind])}


def _spill(cells: Iterator[Cells], order: dict[str, tuple[Any, ...]], spill: BinaryIO) -> int:
    """One pass over the catalog learns the header (into ``order``) and spills each record's
    cells to ``spill`` (a line of JSON each), which the rows are then read back from: reading the
    catalog a second time was half of an export. Answers how many records."""
    count = 0
    for found in cells:
        for name, (key, _) in found.items():
            order.setdefault(name, key)
        spill.write(orjson.dumps({name: text for name, (_, text) in found.items()}) + b"\n")
        count += 1
    return count


def _spilled(spill: Any, header: list[str]) -> Iterator[list[str]]:
    with spill:
        spill.seek(0)
        for line in spill:
            found = orjson.loads(line)
            yield [found.get(name, "") for name in header]


# Exports allocate a few dicts and lists per product and keep little: with the cyclic collector's
# default thresholds, reading the products took twice as long (65 against 32 us a product).
@allocations.bulk()
def export(session: Session, kind: str, fmt: str, out: BinaryIO, workers: int | None = 1,
           database_url: str | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Write every product, product model or stock level to ``out`` as csv, xlsx or ndjson;
    returns how many records were written. Raises ExportFailed (or Conflict) when the catalog
    holds something the format cannot carry. ``workers`` (with the ``database_url`` they
    connect to): processes that read a product export's runs of SKUs at once; None: one per
    core for a large export (``hub.config.workers_for``). ``progress`` (one process only) is
    told how many records were read, every ``PAGE`` of them: reading is most of an export."""
    if kind == "products" and workers != 1 and database_url is not None and progress is None:
        total = ProductRepo(session).count()
        bounds = product_rows.sku_bounds(session, total, workers_for(total, workers))
        if len(bounds) > 1:
            return _export_runs(database_url, fmt, bounds, out)
    ctx = CatalogContext(session)
    count = 0

    def counted(rows: Iterator[Any]) -> Iterator[Any]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    if fmt == "ndjson":
        records = {"products": _product_records, "models": _model_records, "stock": _stock_records}[kind]
        return write_ndjson(_told(records(session, ctx), progress), out)
    header, rows = _flat(session, ctx, kind, progress)
    if fmt == "csv":
        write_csv(header, counted(rows), out)
    else:
        write_xlsx(kind, header, counted(rows), out)
    return count


def runs_between(bounds: list[str | None]) -> list[tuple[str | None, str | None]]:
    """``sku_bounds`` as (first SKU, SKU after the last) per run; None: from the start, to the end."""
    return list(zip(bounds, [*bounds[1:], None]))


def _export_runs(database_url: str, fmt: str, bounds: list[str | None], out: BinaryIO) -> int:
    """The products, each run of SKUs read by a worker process into a file of its own, joined in
    SKU order (``join_runs``)."""
    with tempfile.TemporaryDirectory(prefix="export-") as folder, ProcessPoolExecutor(
            max_workers=len(bounds), mp_context=multiprocessing.get_context("spawn")) as pool:
        paths = [Path(folder) / f"run-{number}" for number in range(len(bounds))]
        runs = [pool.submit(export_run, database_url, fmt, low, high, path)
                for (low, high), path in zip(runs_between(bounds), paths)]
        found = [run.result() for run in runs]  # in SKU order; a worker's error is raised here
        return join_runs(fmt, paths, found, out, pool.map)


def join_runs(fmt: str, paths: list[Path], found: list[tuple[int, dict[str, Any]]], out: BinaryIO,
              mapped: Callable[..., Iterator[Any]] = map) -> int:
    """The runs' files (``export_run``'s, in SKU order, with what each answered) joined into
    ``out``: NDJSON files one after the other; flat files' cells under the columns of all, a CSV
    run's rows written through ``mapped`` (a process pool's map, to write them at once). Answers
    how many records. The runs may come from Celery workers, whose answers went through JSON:
    the columns' sort keys are tuples again before they are compared with the fixed columns'."""
    if fmt == "ndjson":
        for path in paths:
            with open(path, "rb") as part:
                shutil.copyfileobj(part, out, 1 << 20)
    else:
        order = _fixed("products")
        for _count, columns in found:
            order.update({name: _tupled(key) for name, key in columns.items() if name not in order})
        header = sorted(order, key=lambda name: order[name])
        if fmt == "csv":  # each run's rows written under the joined header
            texts = [path.with_suffix(".csv") for path in paths]
            list(mapped(_csv_run, paths, texts, [header] * len(paths)))
            write_csv_rows([header], out, mark=True)
            for text in texts:
                with open(text, "rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
        else:
            write_xlsx("products", header, chain.from_iterable(_spilled(open(path, "rb"), header) for path in paths), out)
    return sum(count for count, _ in found)


def _tupled(key: Any) -> Any:
    return tuple(_tupled(part) for part in key) if isinstance(key, (list, tuple)) else key


@allocations.bulk()
def export_run(database_url: str, fmt: str, low: str | None, high: str | None,
               path: Path) -> tuple[int, dict[str, tuple[Any, ...]]]:
    """In a worker process (of the command's pool, or a Celery worker): the products from ``low``
    to before ``high`` written to ``path`` (NDJSON records, or flat cells to be joined); answers
    how many, and the columns their cells use."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session, open(path, "wb") as part:
            ctx = CatalogContext(session)
            if fmt == "ndjson":
                return write_ndjson(_product_records(session, ctx, low, high), part), {}
            order: dict[str, tuple[Any, ...]] = {}
            return _spill(_flat_cells(session, ctx, "products", low, high)(), order, part), order
    finally:
        engine.dispose()


@allocations.bulk()
def _csv_run(spill: Path, text: Path, header: list[str]) -> None:
    """In a worker process: a run's spilled cells as CSV rows under the export's header."""
    with open(text, "wb") as out:
        write_csv_rows(_spilled(open(spill, "rb"), header), out)
