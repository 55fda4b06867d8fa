"""Imports in the browser: a supplier's CSV uploaded, its columns checked and renamed in the
preview, the mapping saved, the import followed to its end and its rejected row read; viewers
only export (a job followed to its file); a hostile XLSX or XML file is refused with a message."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.imports import ImportJob, ImportRepo
from tests.ui.conftest import sign_in

GOOD_EAN = "4006381333931"
SUPPLIER_CSV = ("sku;family;Product title;ean;rating;Notes\n"
                f"supp-oats;grocery;Organic oats;{GOOD_EAN};4;n/a\n"
                "supp-rice;grocery;Basmati rice;;nine;call back\n")


def upload(page: Page, path: Path) -> None:
    page.goto("/imports")
    page.get_by_label("File", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()


def test_an_editor_previews_maps_imports_and_reads_the_report(
        page: Page, app: Flask, db_session: Session, tmp_path: Path, screenshots: Path) -> None:
    supplier = tmp_path / "acme-supplier.csv"
    supplier.write_text(SUPPLIER_CSV, "utf-8")
    sign_in(page, "editor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Imports", level=1)).to_be_visible()
    upload(page, supplier)

    # The preview: headers, first rows, and what each header maps to.
    expect(page.get_by_role("heading", name="Preview of “acme-supplier.csv”")).to_be_visible()
    title_row = page.locator("tr[data-header='Product title']")
    expect(title_row.locator(".check-result")).to_contain_text("unknown")
    expect(title_row.locator(".check-result")).to_contain_text("is not an attribute")
    expect(title_row).to_contain_text("Organic oats")
    expect(page.locator("tr[data-header='ean'] .check-result")).to_contain_text("✓ ean")
    expect(page.locator("#preview-problems")).to_contain_text("Notes")

    page.get_by_label("Our column for “Product title”").fill("name-en_US")
    page.get_by_label("Ignore “Notes”").check()
    expect(page.get_by_label("Our column for “Notes”")).to_be_disabled()
    page.get_by_role("button", name="Check the columns again").click()
    expect(page.locator("#preview-ready")).to_be_visible()
    expect(title_row.locator(".check-result")).to_contain_text("✓ name-en_US")
    expect(page.locator("tr[data-header='Notes'] .check-result")).to_contain_text("ignored")
    page.screenshot(path=str(screenshots / "imports.png"), full_page=True)
    page.set_viewport_size({"width": 768, "height": 1024})  # tablet: the form still fits, the table scrolls
    expect(page.get_by_role("button", name="Start the import")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 768

    page.get_by_label("Save these renames as a mapping (optional)").fill("acme-supplier")
    page.get_by_role("button", name="Start the import").click()

    # The job page follows the job to its end, then shows the rejected row and its reason.
    expect(page.get_by_role("heading", name="Import", level=1)).to_contain_text("Import")
    expect(page.locator("#import-status")).to_have_text("succeeded", timeout=20_000)
    expect(page.locator("#import-created")).to_have_text("1")
    expect(page.locator("#import-rejected")).to_have_text("1")
    rejected = page.locator("table.rejections tr[data-row='3']")
    expect(rejected).to_contain_text("supp-rice")
    expect(rejected).to_contain_text("rating")
    expect(rejected).to_contain_text("nine")
    expect(rejected.locator("td").last).not_to_be_empty()
    reason = rejected.locator("td").last.inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the full report (CSV)").click()
    report = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert [(r["row"], r["key"], r["column"], r["value"], r["reason"]) for r in report] == [
        ("3", "supp-rice", "rating", "nine", reason)]

    # What the database now holds: the good row, under our column names; the mapping for reuse.
    db_session.rollback()
    service = ProductService(db_session, CatalogContext(db_session), "test")
    assert service.find("supp-rice") is None
    oats = service.state(service.get("supp-oats"))
    assert oats["values"]["name"] == [{"locale": "en_US", "scope": None, "data": "Organic oats"}]
    assert "Notes" not in str(oats)
    mapping = ImportRepo(db_session).mapping("acme-supplier")
    assert mapping is not None and mapping.columns == {"Product title": "name-en_US", "Notes": ""}

    # The next file from the same supplier picks the saved mapping: nothing left to map.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/imports")
    expect(page.locator("table.jobs tr[data-job]")).to_have_count(1)
    page.get_by_label("File", exact=True).set_input_files(str(supplier))
    page.get_by_label("Saved column mapping").select_option("acme-supplier")
    page.get_by_label("Dry run: check every row").check()
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#preview-ready")).to_be_visible()
    page.get_by_role("button", name="Start the import").click()
    expect(page.locator("#import-status")).to_have_text("succeeded", timeout=20_000)
    expect(page.locator("#import-unchanged")).to_have_text("1")


def test_a_viewer_downloads_exports_but_cannot_upload(page: Page, tmp_path: Path) -> None:
    sign_in(page, "viewer")
    page.goto("/imports")
    expect(page.get_by_role("heading", name="Export")).to_be_visible()
    expect(page.get_by_role("heading", name="Upload a file")).to_have_count(0)
    expect(page.locator("input[type=file]")).to_have_count(0)
    page.get_by_role("button", name="Products as CSV").click()
    expect(page.get_by_role("heading", name="Export", level=1)).to_contain_text("Export")
    expect(page.locator("#export-status")).to_have_text("succeeded")  # followed by job.js, then reloaded
    expect(page.locator("#export-percent")).to_have_text("100%")
    written = int(page.locator("#export-written").inner_text())
    assert written == int(page.locator("#export-total").inner_text()) > 0
    with page.expect_download() as download:
        page.get_by_role("link", name="Download products.csv").click()
    assert download.value.suggested_filename == "products.csv"
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    header = rows[0]
    assert header[:2] == ["sku", "family"] and "name-en_US" in header and len(rows) == written + 1
    page.get_by_role("link", name="Imports").first.click()
    expect(page.locator(".recent-exports")).to_contain_text("products as CSV, succeeded")

    token = page.locator("meta[name='csrf-token']").get_attribute("content")
    sent = page.request.post("/imports", multipart={
        "csrf_token": token, "file": {"name": "x.csv", "mimeType": "text/csv", "buffer": SUPPLIER_CSV.encode()}},
        max_redirects=0)
    assert sent.status == 403
    assert page.request.post("/imports/uploads/" + "a" * 32, form={"csrf_token": token, "action": "start"},
                             max_redirects=0).status == 403


def zip_bomb(path: Path) -> Path:
    """An XLSX-shaped archive whose sheet would decompress 1000 to 1."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 << 20))
    return path


def test_a_hostile_xlsx_or_xml_is_refused_with_a_message(page: Page, app: Flask, db_session: Session, tmp_path: Path) -> None:
    sign_in(page, "editor")
    upload(page, zip_bomb(tmp_path / "prices.xlsx"))
    expect(page.get_by_role("heading", name="Imports", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("“prices.xlsx” was refused")
    expect(page.get_by_role("alert")).to_contain_text("zip bomb")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"this is not a spreadsheet")
    upload(page, fake)
    expect(page.get_by_role("alert")).to_contain_text("not an XLSX file")
    laughs = tmp_path / "laughs.xml"
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    laughs.write_text(f'<?xml version="1.0"?><!DOCTYPE rows [<!ENTITY l0 "lol">{entities}]>'
                      '<rows><row><cell column="sku">supp-oats</cell><cell column="brand">&l9;</cell></row></rows>')
    upload(page, laughs)
    expect(page.get_by_role("alert")).to_contain_text("“laughs.xml” was refused")
    expect(page.get_by_role("alert")).to_contain_text("DOCTYPE")
    db_session.rollback()
    assert db_session.query(ImportJob).count() == 0
    uploads = app.extensions["crosscanal"].settings.data_dir / "imports" / "uploads"
    assert not list(uploads.iterdir())
