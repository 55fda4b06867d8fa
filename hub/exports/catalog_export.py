"""Exporting the catalog: products, product models or stock, read from the store in batches and
written as they come, so memory stays flat whatever the catalog's size. Products are read as
plain rows in SKU order (``hub.store.product_rows``), a few queries per page and no ORM object
per product: the ORM pages held exports near 3,000 products a second.

Flat files need their header before the first row: the columns in use are learned in one pass
that keeps the records in a temporary file, and the rows are written from there.
"""

from __future__ import annotations

import tempfile
from typing import Any, BinaryIO, Callable, Iterator

import orjson

from sqlalchemy.orm import Session

from hub.exports.flat_cells import Cells, model_cells, product_cells
from hub.exports.writers import write_csv, write_ndjson, write_xlsx
from hub.imports.flat_columns import SINGLE
from hub.services.context import CatalogContext
from hub.services.inheritance import inherited_from
from hub.services.products import ProductModelService
from hub.services.states import stored_state
from hub.store import product_rows
from hub.store.documents import DocumentRepo
from schemas.location import StockLineIn
from schemas.product import ProductModelOut

PAGE = 2000
STOCK_HEADER = ["location", "sku", "quantity"]


def _pages(service: ProductModelService, key: str) -> Iterator[list[Any]]:
    after = None
    while page := list(service.page(after, PAGE)):
        yield page
        after = getattr(page[-1], key)


def _product_records(session: Session, ctx: CatalogContext) -> Iterator[dict[str, Any]]:
    """Each product as the API answers it (``ProductService.representation`` dumped by
    ``ProductOut``, in its fields' order: a test compares the two), built directly: the schema's
    dump was an eighth of the export."""
    codes, documents = ctx.codes, DocumentRepo(session)
    for page in product_rows.pages(session, PAGE):
        stock = documents.stock_pairs([p.id for p in page])
        models = product_rows.model_values(session, (p.parent_id for p in page if p.parent_id))
        for row in page:
            state = stored_state(row, codes)
            yield {
                "sku": state["sku"], "family": state["family"], "parent": state["parent"], "enabled": state["enabled"],
                "categories": state["categories"], "values": state["values"],
                "inherited_values": inherited_from(row.values, models[row.parent_id]) if row.parent_id else {},
                "offers": state["offers"], "media": state["media"],
                "stock": [{"location": code, "quantity": quantity} for code, quantity in stock[row.id]],
                "revision": row.revision, "created": _moment(row.created), "updated": _moment(row.updated),
            }


def _moment(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


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


def _flat_cells(session: Session, ctx: CatalogContext, kind: str) -> Callable[[], Iterator[Cells]]:
    def cells() -> Iterator[Cells]:
        if kind == "products":
            codes = ctx.codes
            for page in product_rows.pages(session, PAGE):
                yield from (product_cells(stored_state(row, codes), ctx) for row in page)
        else:
            models = ProductModelService(session, ctx, "export")
            for page in _pages(models, "code"):
                yield from (model_cells(models.state(m), ctx) for m in page)
    return cells


def _flat(session: Session, ctx: CatalogContext, kind: str) -> tuple[list[str], Iterator[list[str]]]:
    if kind == "stock":
        rows = ([r["location"], r["sku"], str(r["quantity"])] for r in _stock_records(session, ctx))
        return STOCK_HEADER, rows
    # The fixed columns always, so even an empty export is a file the importer reads.
    order: dict[str, tuple[Any, ...]] = {name: (0, rank) for rank, name in enumerate(SINGLE[kind])}
    # One pass over the catalog learns the header and spills each record's cells to a temporary
    # file (a line of JSON each), which the rows are then read back from: reading the catalog a
    # second time was half of an export.
    spill = tempfile.TemporaryFile()
    for found in _flat_cells(session, ctx, kind)():
        for name, (key, _) in found.items():
            order.setdefault(name, key)
        spill.write(orjson.dumps({name: text for name, (_, text) in found.items()}) + b"\n")
    header = sorted(order, key=lambda name: order[name])
    return header, _spilled(spill, header)


def _spilled(spill: Any, header: list[str]) -> Iterator[list[str]]:
    with spill:
        spill.seek(0)
        for line in spill:
            found = orjson.loads(line)
            yield [found.get(name, "") for name in header]


def export(session: Session, kind: str, fmt: str, out: BinaryIO) -> int:
    """Write every product, product model or stock level to ``out`` as csv, xlsx or ndjson;
    returns how many records were written. Raises ExportFailed (or Conflict) when the catalog
    holds something the format cannot carry."""
    ctx = CatalogContext(session)
    count = 0

    def counted(rows: Iterator[Any]) -> Iterator[Any]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    if fmt == "ndjson":
        records = {"products": _product_records, "models": _model_records, "stock": _stock_records}[kind]
        write_ndjson(counted(records(session, ctx)), out)
    else:
        header, rows = _flat(session, ctx, kind)
        if fmt == "csv":
            write_csv(header, counted(rows), out)
        else:
            write_xlsx(kind, header, counted(rows), out)
    return count
