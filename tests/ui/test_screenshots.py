"""Screenshots of the main pages for docs/screenshots/, after publishing every channel."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect

from tests.ui.conftest import sign_in



def test_main_pages_at_1280_and_tablet_width(app: Flask, live_url: str, page: Page, screenshots: Path) -> None:
    the_hub = app.extensions["crosscanal"]
    publisher = the_hub.publisher()
    for code in ("google_shopping", "marketplace", "shelf_labels"):
        publisher.run(publisher.start(code, "test"))

    sign_in(page, "editor")
    row = page.locator("tr[data-channel='google_shopping']")
    expect(row.locator(".status")).to_have_text("succeeded")
    expect(page.locator("tr[data-channel='meta']")).to_contain_text("never published")
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)

    page.goto("/products?channel=marketplace&below=100&sort=completeness")
    expect(page.locator("#grid-count")).to_be_visible()
    page.screenshot(path=str(screenshots / "products.png"))
    page.goto("/products/dark-chocolate-orange-100g-s2")
    expect(page.locator("article.preview").first).to_be_visible()
    expect(page.locator("article.preview[aria-busy='true']")).to_have_count(0)
    page.screenshot(path=str(screenshots / "product.png"), full_page=True)
    page.locator("article.preview[data-channel='shelf_labels']").screenshot(path=str(screenshots / "preview-shelf-label.png"))

    for url in ("/", "/products", "/products/dark-chocolate-orange-100g-s2", "/channels/google_shopping", "/brand-guide",
                "/families/grocery", "/attributes"):
        page.set_viewport_size({"width": 768, "height": 1024})  # a tablet held upright
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{url} scrolls sideways"
