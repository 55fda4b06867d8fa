"""An export imported into a hub without products gives back the same catalog: every product,
product model and stock level, in each export format, through the real services."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.exports.catalog_export import export
from hub.jobs.imports import Importer
from hub.services.context import CatalogContext
from hub.services.demo import DemoCatalog
from hub.services.products import ProductModelService, ProductService
from hub.store.imports import ImportJob
from hub.store.models import Product, ProductModel, Stock, Version
from hub.store.repos import StockRepo
from schemas.imports import ImportOptionsIn
from schemas.product import ProductIn
from tests.integration.helpers import API, Headers, row_count

TRICKY_NAME = '=HYPERLINK("http://evil.example"), "quoted", comma'
TRICKY_FR = "'+33 1 23 45 67 89 — déjà"
TRICKY_DESCRIPTION = "-first line\nsecond line, with \"quotes\"\r\n\tand a tab; and a semicolon"


@pytest.fixture
def importer(app: Flask, settings: Settings) -> Importer:
    return Importer(app.extensions["crosscanal"].writers, settings.data_dir)


def catalog(db_session: Session) -> dict[str, Any]:
    """Every product's and model's state and every stock level, as the services read them."""
    db_session.rollback()
    db_session.expire_all()
    ctx = CatalogContext(db_session)
    products, models = ProductService(db_session, ctx, "test"), ProductModelService(db_session, ctx, "test")
    found = {p.sku: products.state(p) for p in products.page(None, 10_000)}
    stock = StockRepo(db_session).for_products(p.id for p in products.page(None, 10_000))
    return {
        "products": found,
        "models": {m.code: models.state(m) for m in models.page(None, 10_000)},
        "stock": sorted((p.sku, s.location.code, s.quantity) for p in products.page(None, 10_000) for s in stock[p.id]),
    }


def demo_with_tricky_cells(db_session: Session, settings: Settings) -> None:
    """The demo catalog, plus one product whose cells a spreadsheet would misread: formulas, a
    leading quote, line breaks, tabs, separators; and a store's own price with a sale."""
    DemoCatalog(db_session, settings.media_dir).load()
    db_session.commit()
    service = ProductService(db_session, CatalogContext(db_session), "test")
    product = next(p for p in service.page(None, 1000) if p.parent is None and "description" in p.values)
    body = copy.deepcopy(service.state(product))  # the state shares the stored dicts: never edit it in place
    body["values"]["name"] = [{"locale": "en_US", "scope": None, "data": TRICKY_NAME},
                              {"locale": "fr_FR", "scope": None, "data": TRICKY_FR}]
    body["values"]["description"] = [{"locale": "en_US", "scope": None, "data": TRICKY_DESCRIPTION}]
    body["offers"].append({"currency": "EUR", "price": "9.90", "location": "PAR01", "sale_price": "7.5",
                           "sale_start": "2030-01-01T08:00:00+00:00", "sale_end": "2030-01-31T20:00:00+00:00"})
    body["enabled"] = False
    service.save(ProductIn().load(body), product)
    db_session.commit()


def empty_the_hub(db_session: Session) -> None:
    """Delete every product and model through the services; the catalog's structure stays."""
    db_session.rollback()
    db_session.expire_all()
    ctx = CatalogContext(db_session)
    products, models = ProductService(db_session, ctx, "test"), ProductModelService(db_session, ctx, "test")
    for product in products.page(None, 10_000):
        products.delete(product)
    for model in models.page(None, 10_000):
        models.delete(model)
    db_session.commit()
    assert row_count(db_session, Product) == row_count(db_session, ProductModel) == row_count(db_session, Stock) == 0


def run(importer: Importer, db_session: Session, path: Path) -> ImportJob:
    job = importer.start(db_session, ImportOptionsIn().load({"filename": path.name}), "test importer")
    db_session.commit()
    return importer.run(job.id, path)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ndjson"])
def test_an_export_imported_into_an_empty_hub_gives_back_the_same_catalog(
    importer: Importer, db_session: Session, settings: Settings, tmp_path: Path, fmt: str
) -> None:
    demo_with_tricky_cells(db_session, settings)
    before = catalog(db_session)
    assert len(before["products"]) > 200 and before["models"] and before["stock"]
    files = {}
    for kind in ("models", "products", "stock"):
        files[kind] = tmp_path / f"{kind}.{fmt}"
        with files[kind].open("wb") as out:
            written = export(db_session, kind, fmt, out)
        assert written == len(before[kind])

    empty_the_hub(db_session)
    for kind in ("models", "products", "stock"):
        job = run(importer, db_session, files[kind])
        assert (job.status, job.kind, job.rejected, job.created) == ("succeeded", kind, 0, len(before[kind])), job.rejections

    after = catalog(db_session)
    assert any(p["values"]["name"][0]["data"] == TRICKY_NAME for p in after["products"].values())
    assert after["models"] == before["models"]
    assert after["products"] == before["products"]
    assert after["stock"] == before["stock"]
    # One version each: the import's creation, and nothing more when the same file comes again.
    assert row_count(db_session, Version) == len(before["products"]) + len(before["models"])
    again = run(importer, db_session, files["products"])
    assert (again.unchanged, again.created, again.updated) == (len(before["products"]), 0, 0)
    assert row_count(db_session, Version) == len(before["products"]) + len(before["models"])


def test_flat_exports_neutralize_formula_cells_for_spreadsheets(db_session: Session, settings: Settings) -> None:
    demo_with_tricky_cells(db_session, settings)
    text = io.BytesIO()
    export(db_session, "products", "csv", text)
    raw = text.getvalue().decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://evil.example""), ""quoted"", comma"' in raw
    assert "''+33 1 23 45 67 89" in raw
    assert "'-first line" in raw
    book = io.BytesIO()
    export(db_session, "products", "xlsx", book)
    sheet = load_workbook(io.BytesIO(book.getvalue()), read_only=True).worksheets[0]
    cells = {cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)}
    assert "'" + TRICKY_NAME in cells and "'" + TRICKY_FR in cells and TRICKY_NAME not in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_the_ndjson_export_and_the_list_are_what_the_api_answers_for_each_product(
    client: FlaskClient, tokens: dict[str, Headers], db_session: Session, settings: Settings
) -> None:
    demo_with_tricky_cells(db_session, settings)
    out = io.BytesIO()
    export(db_session, "products", "ndjson", out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    page = client.get(f"{API}/products", query_string={"limit": 1000}, headers=tokens["viewer"]).json["items"]
    assert lines == page
    assert any(line["values"]["name"][0]["data"] == TRICKY_NAME for line in lines)
    # Both are built from plain rows; one product's answer goes through the ORM and ProductOut.
    for line in lines:
        assert client.get(f"{API}/products/{line['sku']}", headers=tokens["viewer"]).json == line, line["sku"]


def test_an_empty_hub_exports_files_the_importer_reads(
    importer: Importer, db_session: Session, settings: Settings, tmp_path: Path
) -> None:
    from tests import factories

    factories.catalog(db_session)
    for fmt in ("csv", "xlsx", "ndjson"):
        path = tmp_path / f"products.{fmt}"
        with path.open("wb") as out:
            assert export(db_session, "products", fmt, out) == 0
        job = run(importer, db_session, path)
        assert (job.status, job.rows) == ("succeeded", 0), job.error


def test_an_xlsx_export_past_a_sheets_rows_goes_on_in_more_sheets_and_imports_whole(
    importer: Importer, db_session: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet holds 1,048,576 rows; here, 100, so the demo's 240 products take three sheets."""
    monkeypatch.setattr("hub.exports.writers.SHEET_ROWS", 100)
    demo_with_tricky_cells(db_session, settings)
    before = catalog(db_session)
    files = {kind: tmp_path / f"{kind}.xlsx" for kind in ("models", "products", "stock")}
    for kind, path in files.items():
        with path.open("wb") as out:
            export(db_session, kind, "xlsx", out)
    book = load_workbook(files["products"], read_only=True)
    sheets = [(sheet.title, sum(1 for _ in sheet.iter_rows(values_only=True))) for sheet in book.worksheets]
    headers = {tuple(next(sheet.iter_rows(max_row=1, values_only=True))) for sheet in book.worksheets}
    book.close()
    rows = len(before["products"])
    assert sheets == [("products", 100), ("products (2)", 100), ("products (3)", rows - 2 * 99 + 1)]
    assert len(headers) == 1

    empty_the_hub(db_session)
    for kind in ("models", "products", "stock"):
        job = run(importer, db_session, files[kind])
        assert (job.status, job.rejected, job.created) == ("succeeded", 0, len(before[kind])), job.rejections
    assert catalog(db_session) == before


def test_rows_of_a_later_sheet_are_numbered_after_the_earlier_sheets(
    importer: Importer, db_session: Session, settings: Settings, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    DemoCatalog(db_session, settings.media_dir, products=1).load_reference_data()
    db_session.commit()
    book = Workbook()
    first = book.active
    for row in (["sku", "family", "name-en_US"], ["a-1", "grocery", "One"], ["a-2", "grocery", "Two"]):
        first.append(row)
    notes = book.create_sheet("notes")
    notes.append(["not", "the", "table"])
    later = book.create_sheet("products (2)")
    for row in (["sku", "family", "name-en_US"], ["a-3", "nowhere", "Three"], ["a-4", "grocery", "Four"]):
        later.append(row)
    path = tmp_path / "split.xlsx"
    book.save(path)
    job = run(importer, db_session, path)
    assert (job.rows, job.created, job.rejected) == (4, 3, 1), job.rejections
    assert {(r["row"], r["key"]) for r in job.rejections} == {(4, "a-3")}


@pytest.mark.parametrize("fmt", ["csv", "ndjson", "xlsx"])
def test_a_product_export_split_over_worker_processes_has_the_same_bytes(
    db_session: Session, settings: Settings, fmt: str
) -> None:
    """Three runs of SKUs (of 80 products: asked for, workers are started whatever the size) read
    by three real worker processes, joined: byte for byte the export one process writes (the demo's products differ in their columns, so the header is a union)."""
    demo_with_tricky_cells(db_session, settings)
    alone, split = io.BytesIO(), io.BytesIO()
    count = export(db_session, "products", fmt, alone)
    assert export(db_session, "products", fmt, split, workers=3, database_url=settings.database_url) == count
    if fmt == "xlsx":  # the archive holds its creation time: compare the cells
        def cells(book: io.BytesIO) -> list[tuple[Any, ...]]:
            return list(load_workbook(io.BytesIO(book.getvalue()), read_only=True).worksheets[0].iter_rows(values_only=True))
        assert cells(split) == cells(alone)
    else:
        assert split.getvalue() == alone.getvalue()
    assert count > 200
