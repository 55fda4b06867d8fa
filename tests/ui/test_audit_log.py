"""The audit log page: an admin sees the administrative actions taken in the UI and through the
API, newest first, and filters them; other roles neither see the link nor open the page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.ui.conftest import email, sign_in, submit


def test_an_admin_sees_the_entries_of_ui_and_api_actions(page: Page, new_page, tokens: dict[str, dict[str, str]]) -> None:
    sign_in(page, "admin")
    created = page.request.post("/api/v1/tokens", data={"role": "viewer", "name": "feed robot"}, headers=tokens["admin"])
    assert created.status == 201, created.text()
    secret = created.json()["token"]
    page.goto("/channels/shelf_labels")
    submit(page, "Rotate token")

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    rows = page.locator("table.audit-log tbody tr")
    expect(rows).to_have_count(2)
    newest, older = rows.nth(0), rows.nth(1)
    expect(newest).to_have_attribute("data-action", "channel.rotate_token")
    expect(newest).to_contain_text(f"user:{email('admin')}")
    expect(newest).to_contain_text("channel shelf_labels")
    expect(newest).to_contain_text("127.0.0.1")
    expect(older).to_have_attribute("data-action", "token.create")
    expect(older).to_contain_text("token:test admin")
    expect(older).to_contain_text("feed robot")
    assert secret not in page.content()

    page.get_by_label("Action").select_option("token.create")
    submit(page, "Filter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-action", "token.create")

    viewer = new_page()
    sign_in(viewer, "viewer")
    expect(viewer.get_by_role("link", name="Audit log")).to_have_count(0)
    answer = viewer.goto("/audit-log")
    assert answer is not None and answer.status == 403
