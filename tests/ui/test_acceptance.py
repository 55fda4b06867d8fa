"""The issue's acceptance, as a new merchandiser tries it after `make demo`: sign in, find an
incomplete product from the dashboard, fix it, see the channel's preview change, publish, and
find the change in the feed the channel pulls."""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree
from playwright.sync_api import Page, expect

from tests.ui.conftest import open_incomplete_product, sign_in

DESCRIPTION = "Un chocolat noir intense à l'écorce d'orange confite, pour la marketplace."


def test_fix_an_incomplete_product_and_see_it_in_the_pulled_feed(page: Page, live_url: str) -> None:
    sign_in(page, "publisher")
    sku, missing = open_incomplete_product(page, "marketplace", "description")
    card = page.locator(".preview[data-channel='marketplace']")
    expect(card).to_contain_text("excluded", timeout=20_000)
    expect(card).not_to_contain_text(DESCRIPTION)

    missing.get_by_role("link", name="description").click()
    page.get_by_label("Description (fr_FR)").fill(DESCRIPTION)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator("table.completeness tr[data-channel='marketplace'] td.ratio")).to_have_text("100%")
    card = page.locator(".preview[data-channel='marketplace']")
    expect(card).to_contain_text(DESCRIPTION, timeout=20_000)
    expect(card).to_contain_text("published")

    page.goto("/channels/marketplace")
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator("#watch-status")).to_have_text("succeeded", timeout=90_000)
    page.goto("/channels/marketplace")
    pull = page.locator("input[id^='pull-url-']").first.input_value()
    address = urlsplit(pull)
    feed = page.request.get(f"{live_url}{address.path}?{address.query}")
    assert feed.ok, feed.status
    document = etree.fromstring(feed.body())
    products = [p for p in document.iter("{*}PRODUCT") if p.findtext(".//{*}SUPPLIER_PID") == sku]
    assert len(products) == 1, f"{sku} is not in the pulled feed"
    assert DESCRIPTION in etree.tostring(products[0], encoding="unicode")
