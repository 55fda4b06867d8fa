"""A product's history in a real browser: field-level changes per version, and reverting to one
(confirmed, guarded by the ETag, refused with the reasons when the old version breaks today's rules)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from hub.store.repos import ProductRepo
from tests.ui.conftest import sign_in

SKU = "dark-chocolate-orange-100g-s2"
ORIGINAL = "Dark chocolate 70%, Orange"  # the demo's en_US name
CHANGED = "Orange dark chocolate"


def product(page: Page, headers: dict[str, str]) -> dict[str, Any]:
    response = page.request.get(f"/api/v1/products/{SKU}", headers=headers)
    assert response.ok, response.text()
    return response.json()


def name_en(data: dict[str, Any]) -> str:
    return next(e["data"] for e in data["values"]["name"] if e["locale"] == "en_US" and e["scope"] is None)


def rename(page: Page, headers: dict[str, str], name: str) -> None:
    """Save a new en_US name through the API, as a script would."""
    body = {"values": {"name": [{"locale": "en_US", "scope": None, "data": name}]}}
    response = page.request.patch(f"/api/v1/products/{SKU}", data=body, headers=headers)
    assert response.ok, response.text()


def test_an_edit_shows_as_a_field_diff_and_reverts(page: Page, tokens: dict[str, dict[str, str]]) -> None:
    before = product(page, tokens["viewer"])
    assert name_en(before) == ORIGINAL
    revision = before["revision"]
    rename(page, tokens["editor"], CHANGED)

    sign_in(page, "editor")
    page.goto(f"/products/{SKU}")
    latest = page.locator(f"#history li#version-{revision + 1}")
    expect(latest.locator("h3")).to_contain_text(f"Version {revision + 1}")
    expect(latest.locator("h3 .tag")).to_have_text("current")
    change = latest.locator("table.changes tr[data-field='values.name-en_US']")
    expect(change.locator("th")).to_have_text("name · en_US")
    expect(change.locator("td.old")).to_have_text(ORIGINAL)
    expect(change.locator("td.new")).to_have_text(CHANGED)
    expect(latest.locator("a[href*='/revert']")).to_have_count(0)  # the current one

    page.locator(f"#history li#version-{revision}").get_by_role("link", name=f"Revert to version {revision}…", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Revert {SKU} to version {revision}?")
    planned = page.locator("table.changes tr[data-field='values.name-en_US']")
    expect(planned.locator("td.old")).to_have_text(CHANGED)  # now
    expect(planned.locator("td.new")).to_have_text(ORIGINAL)  # after the revert
    assert name_en(product(page, tokens["viewer"])) == CHANGED  # nothing happens before confirming

    page.get_by_role("button", name=f"Revert to version {revision}").focus()
    page.keyboard.press("Enter")  # the form works from the keyboard
    expect(page.get_by_role("status")).to_have_text(f"Reverted to version {revision}; recorded as version {revision + 2}.")
    after = product(page, tokens["viewer"])
    assert name_en(after) == ORIGINAL and after["revision"] == revision + 2
    versions = page.request.get(f"/api/v1/products/{SKU}/history", headers=tokens["viewer"]).json()
    assert versions[-1]["author"] == "user:editor@crosscanal.example"
    assert versions[-1]["changes"] == [{"field": "values.name-en_US", "old": CHANGED, "new": ORIGINAL}]
    reverted = page.locator(f"#history li#version-{revision + 2} tr[data-field='values.name-en_US']")
    expect(reverted.locator("td.new")).to_have_text(ORIGINAL)

    page.get_by_role("link", name="The history on its own page").click()
    expect(page.get_by_role("heading", name=f"History of {SKU}", level=1)).to_be_visible()
    expect(page.locator("ol.versions > li.version")).to_have_count(revision + 2)


def test_a_viewer_sees_no_revert_and_cannot_post_one(page: Page, new_page, tokens: dict[str, dict[str, str]],
                                                     db_session: Session) -> None:
    rename(page, tokens["editor"], CHANGED)
    revision = ProductRepo(db_session).by_sku(SKU).revision
    sign_in(page, "viewer")
    page.goto(f"/products/{SKU}")
    expect(page.locator("#history table.changes").first).to_contain_text(CHANGED)  # viewers read the history
    expect(page.locator("a[href*='/revert']")).to_have_count(0)
    page.goto(f"/products/{SKU}/history")
    expect(page.locator("ol.versions > li.version")).to_have_count(revision)
    expect(page.locator("a[href*='/revert'], form[action*='/revert']")).to_have_count(0)

    assert page.request.get(f"/products/{SKU}/history/1/revert").status == 403
    token = page.locator("meta[name='csrf-token']").get_attribute("content")
    form = {"csrf_token": token, "etag": "any: the role is refused first"}
    as_viewer = page.request.post(f"/products/{SKU}/history/1/revert", form=form, max_redirects=0)
    assert as_viewer.status == 403
    stranger = new_page()
    assert stranger.request.post(f"/products/{SKU}/history/1/revert", form={"etag": "x"}, max_redirects=0).status == 400

    db_session.rollback()  # a fresh transaction sees the server's commits
    assert ProductRepo(db_session).by_sku(SKU).revision == revision
    assert name_en(product(page, tokens["viewer"])) == CHANGED


def test_a_revert_that_breaks_todays_rules_is_refused_with_the_reason(page: Page, tokens: dict[str, dict[str, str]]) -> None:
    revision = product(page, tokens["viewer"])["revision"]
    rename(page, tokens["editor"], "Orange dark")  # 11 characters
    # The names' rule tightens afterwards: the original name, 26 characters, no longer fits.
    tightened = page.request.patch("/api/v1/attributes/name", data={"validation": {"max_length": 20}}, headers=tokens["admin"])
    assert tightened.ok, tightened.text()

    sign_in(page, "editor")
    page.goto(f"/products/{SKU}/history/{revision}/revert")
    page.get_by_role("button", name=f"Revert to version {revision}").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Not reverted")
    expect(alert).to_contain_text("values.name")
    expect(alert).to_contain_text("20")
    after = product(page, tokens["viewer"])
    assert name_en(after) == "Orange dark" and after["revision"] == revision + 1


def test_a_revert_decided_on_a_stale_view_changes_nothing(page: Page, tokens: dict[str, dict[str, str]]) -> None:
    revision = product(page, tokens["viewer"])["revision"]
    rename(page, tokens["editor"], CHANGED)
    sign_in(page, "editor")
    page.goto(f"/products/{SKU}/history/{revision}/revert")
    rename(page, tokens["editor"], "Someone else's name")  # meanwhile, through the API

    page.get_by_role("button", name=f"Revert to version {revision}").click()
    expect(page.get_by_role("alert")).to_contain_text("someone changed this product")
    assert name_en(product(page, tokens["viewer"])) == "Someone else's name"
    # The page now shows what reverting would change from the current state; confirming again works.
    expect(page.locator("table.changes tr[data-field='values.name-en_US'] td.old")).to_have_text("Someone else's name")
    page.get_by_role("button", name=f"Revert to version {revision}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Reverted to version {revision}")
    assert name_en(product(page, tokens["viewer"])) == ORIGINAL
