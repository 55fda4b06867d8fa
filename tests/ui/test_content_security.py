"""The pages run under a Content-Security-Policy that allows only our own scripts and styles: a
browser walking them reports no refusal, and what used inline styles still lays out (the shelf
label's proportions, the category tree's indentation)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.ui.conftest import sign_in
from tests.ui.test_product_previews import SKU, card

PAGES = ["/", "/products", f"/products/{SKU}", f"/products/{SKU}/history", "/channels", "/channels/shelf_labels",
         "/imports", "/brand-guide", f"/products/{SKU}/previews/shelf_labels", "/audit-log", "/api/docs"]


def test_no_page_needs_what_the_policy_refuses(page: Page) -> None:
    refused: list[str] = []
    page.on("console", lambda message: refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    sign_in(page, "admin")
    for path in PAGES:
        answer = page.goto(path)
        assert answer is not None and answer.ok, path
        assert "'unsafe-inline'" not in answer.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    expect(page.locator("#docs .info")).to_be_visible()  # the API docs ran their script
    assert refused == []


def test_the_shelf_label_keeps_its_proportions_and_the_tree_its_indentation(page: Page) -> None:
    sign_in(page, "editor")
    page.goto(f"/products/{SKU}")
    label = card(page, "shelf_labels").locator(".shelf-label").first
    width = float(label.evaluate("l => getComputedStyle(l).getPropertyValue('--w')"))
    height = float(label.evaluate("l => getComputedStyle(l).getPropertyValue('--h')"))
    box = label.bounding_box()
    assert box is not None and width > 0 and abs(box["width"] / box["height"] - width / height) < 0.02
    page.goto(f"/products/{SKU}")
    nested = page.locator(".tree li.depth-1").first
    top = page.locator(".tree li.depth-0").first
    assert nested.evaluate("li => getComputedStyle(li).paddingLeft") != top.evaluate("li => getComputedStyle(li).paddingLeft")
