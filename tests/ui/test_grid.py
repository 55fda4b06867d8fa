"""The grid's filters and sort orders, bulk edits with their progress and failure report, and the
dashboard's diagnostics leading into the grid, in a real browser."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from hub.services.context import CatalogContext
from hub.services.products import ProductService
from tests.ui.conftest import sign_in, submit

GRID_ROWS = "table.grid tbody tr[data-sku]"


def percentages(page: Page) -> list[int]:
    return [int(text.rstrip("%")) for text in page.locator(f"{GRID_ROWS} td.ratio").all_inner_texts()]


def test_filter_by_channel_completeness_and_sort_least_complete_first(page: Page) -> None:
    sign_in(page, "viewer")
    page.goto("/products")
    page.get_by_label("Carried by channel").select_option("marketplace")
    page.get_by_label("Complete below (%)").fill("100")
    page.get_by_label("Sort").select_option("completeness")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#grid-count")).to_contain_text("match")
    found = percentages(page)
    assert found and all(p < 100 for p in found)
    assert found == sorted(found)
    count = int(page.locator("#grid-count").inner_text().split()[0])
    assert count >= len(found)

    page.get_by_label("Category").select_option("tees")  # a category under apparel
    submit(page, "Search")
    families = set(page.locator(f"{GRID_ROWS} td:nth-child(3)").all_inner_texts())
    assert families <= {"apparel"}


def test_a_bad_filter_names_the_input(page: Page) -> None:
    sign_in(page, "viewer")
    page.goto("/products?below=500")
    expect(page.locator("#grid-error")).to_contain_text("below")
    expect(page.locator("#f-below-error")).to_contain_text("percentage")
    expect(page.locator("#f-below")).to_have_value("500")  # kept as typed, to correct
    page.goto("/products?sort=completeness")
    expect(page.locator("#f-sort-error")).to_contain_text("choose a channel")


def test_bulk_edit_shows_progress_and_what_failed(page: Page, db_session: Session, screenshots: Path) -> None:
    sign_in(page, "editor")
    page.goto("/products?sku=dark-chocolate")
    rows = page.locator(GRID_ROWS)
    expect(rows.first).to_be_visible()
    chosen = [rows.nth(i).get_attribute("data-sku") for i in range(2)]
    for i in range(2):
        rows.nth(i).get_by_role("checkbox").check()
    expect(page.locator("#selected-count")).to_have_text("2")
    page.get_by_label("Change").select_option("set_value")
    page.get_by_label("Attribute").select_option("rating")
    page.get_by_label("Value").fill("4.5")
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("heading", name="Bulk edit", level=1)).to_be_visible()
    expect(page.locator("#bulk-status")).to_have_text("succeeded", timeout=30_000)
    expect(page.locator("#bulk-changed")).to_have_text("2")
    expect(page.locator("#no-failures")).to_be_visible()
    service = ProductService(db_session, CatalogContext(db_session), "test")
    for sku in chosen:
        assert service.state(service.get(sku))["values"]["rating"] == [{"locale": None, "scope": None, "data": "4.5"}]

    # Every match of a search, with a value out of the attribute's range: each product fails.
    page.goto("/products?sku=dark-chocolate")
    total = int(page.locator("#grid-count").inner_text().split()[0])
    page.get_by_label(f"All {total} matching the search").check()
    page.get_by_label("Attribute").select_option("rating")
    page.get_by_label("Value").fill("9")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#bulk-status")).to_have_text("succeeded", timeout=30_000)
    expect(page.locator("#bulk-failed")).to_have_text(str(total))
    failures = page.locator("table.failures tbody tr")
    expect(failures).to_have_count(total)
    assert "values.rating" in failures.first.inner_text()
    page.screenshot(path=str(screenshots / "bulk-edit.png"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()
    assert lines[0] == "sku,field,reason" and len(lines) == total + 1
    db_session.rollback()
    assert all(service.state(service.get(sku))["values"]["rating"][0]["data"] == "4.5" for sku in chosen)


def test_bulk_edit_refuses_a_value_of_the_wrong_type(page: Page) -> None:
    sign_in(page, "editor")
    page.goto("/products?sku=dark-chocolate")
    page.locator(GRID_ROWS).first.get_by_role("checkbox").check()
    page.get_by_label("Attribute").select_option("organic")
    page.get_by_label("Value").fill("perhaps")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("alert").filter(has_text="Bulk edit not started")).to_contain_text("Value: write yes or no")
    expect(page.get_by_label("SKU starts with")).to_have_value("dark-chocolate")  # back on the same search


def test_a_viewer_gets_no_bulk_controls_and_cannot_post(page: Page) -> None:
    sign_in(page, "viewer")
    page.goto("/products")
    expect(page.locator(GRID_ROWS).first).to_be_visible()
    expect(page.locator("input.row-select")).to_have_count(0)
    expect(page.locator("#bulk-form")).to_have_count(0)
    status = page.evaluate("""async () => {
        const token = document.querySelector('meta[name=csrf-token]').content;
        const body = new URLSearchParams({csrf_token: token, action: 'disable', target: 'selected', sku: 'x'});
        return (await fetch('/bulk-edits', {method: 'POST', body})).status;
    }""")
    assert status == 403


def test_the_dashboard_diagnostics_open_the_products_concerned(app: Flask, page: Page) -> None:
    publication = app.extensions["crosscanal"].publisher().publish("marketplace", "test")
    assert publication.status == "succeeded", publication.error
    sign_in(page, "viewer")
    row = page.locator("table.diagnostics-summary tbody tr").first
    expect(row).to_be_visible()
    count = int(row.locator("td.num").inner_text())
    code = row.get_attribute("data-code")
    row.get_by_role("link").click()
    expect(page.get_by_label("Has diagnostic")).to_have_value(code)
    expect(page.locator("#grid-count")).to_have_text(f"{count} product{'' if count == 1 else 's'} match{'es' if count == 1 else ''}")
