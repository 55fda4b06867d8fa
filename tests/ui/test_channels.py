"""The channels pages in a real browser: publish with live progress, history and CSV, stale saves,
and what a viewer may not do."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from hub.web.api.publications import DIAGNOSTIC_COLUMNS
from tests.ui.conftest import sign_in



def test_an_admin_publishes_now_and_downloads_the_diagnostics(page: Page, screenshots: Path) -> None:
    sign_in(page, "admin")
    page.get_by_role("link", name="Channels").click()
    expect(page.locator("tr[data-channel='google_shopping']")).to_contain_text("never published")
    page.get_by_role("link", name="google_shopping").click()
    expect(page.get_by_role("heading", name="google_shopping", level=1)).to_be_visible()
    expect(page.locator("table.history")).to_contain_text("Never published.")

    page.get_by_role("button", name="Publish now").click()
    progress = page.locator("#publish-progress")
    expect(progress).to_be_visible()
    expect(page.locator("#watch-status")).to_have_text("succeeded", timeout=60_000)
    assert progress.evaluate("p => p.value") == 1
    expect(page.locator("#watch-percent")).to_have_text("100%")

    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator(".status")).to_have_text("succeeded")
    assert int(row.locator("td.items").inner_text()) > 0
    page.reload()  # the pull URLs of the new files, with the token
    expect(page.locator(".pull-url input").first).to_have_value(
        re.compile(r"/feeds/google_shopping/.+\?token=.+"))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / "channel.png"))

    href = page.locator("table.history tbody tr").first.get_by_role("link", name="CSV").get_attribute("href")
    response = page.request.get(href)  # the browser context's cookies
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    assert response.text().splitlines()[0] == ",".join(DIAGNOSTIC_COLUMNS)


def test_a_stale_configuration_save_is_refused(page: Page, new_page) -> None:
    sign_in(page, "admin")
    page.goto("/channels/marketplace")
    other = new_page()
    sign_in(other, "admin")
    other.goto("/channels/marketplace")
    other.get_by_label("Schedule").fill("0 4 * * *")
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_role("status")).to_have_text("Saved.")

    page.get_by_label("Schedule").fill("0 5 * * *")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("someone changed this channel")
    expect(page.locator("dl.config")).to_contain_text("0 4 * * *")

    page.get_by_label("Category map").fill("no-such-category = Food > Sweets")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-category_map-error")).to_contain_text("unknown category 'no-such-category'")
    expect(page.get_by_label("Category map")).to_have_attribute("aria-invalid", "true")


def test_a_viewer_sees_no_controls_and_cannot_post(page: Page, new_page) -> None:
    editor = new_page()
    sign_in(editor, "editor")
    editor.goto("/channels/google_shopping")
    expect(editor.get_by_role("button", name="Publish now")).to_have_count(0)
    token = editor.locator("meta[name='csrf-token']").get_attribute("content")
    assert editor.request.post("/channels/google_shopping/publications", form={"csrf_token": token}).status == 403

    sign_in(page, "viewer")
    page.goto("/channels/google_shopping")
    expect(page.get_by_role("heading", name="Configuration")).to_be_visible()
    for name in ("Publish now", "Rotate token", "Save"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.locator(".pull-url")).to_have_count(0)
    token = page.locator("meta[name='csrf-token']").get_attribute("content")
    for path in ("/channels/google_shopping/publications", "/channels/google_shopping/feed-token",
                 "/channels/google_shopping"):
        response = page.request.post(path, form={"csrf_token": token})
        assert response.status == 403, path
