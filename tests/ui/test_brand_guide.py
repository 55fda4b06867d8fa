"""The brand guide page in a real browser: preview an edit on products, save it, stale saves,
bad input, and what a viewer may not do."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from hub.services import brand_guide
from schemas.brand_guide import BrandGuideIn
from tests.ui.conftest import sign_in

API = "/api/v1/brand-guide"
VERDANT = "penne-classic-500g"  # a Verdant grocery
BANNED = "apple-juice-pure-1.5l-s2"  # its English description says "The best ever, at a cheap price!"


def stored(client: FlaskClient, headers: dict[str, str]) -> dict:
    response = client.get(API, headers=headers)
    assert response.status_code == 200
    return response.json


def test_an_admin_previews_a_change_on_products_then_saves_it(page: Page, client: FlaskClient,
                                                              tokens: dict[str, dict[str, str]], screenshots: Path) -> None:
    before = stored(client, tokens["viewer"])
    assert before["title_template"] == "{brand} {name}" and "Verdant" in before["brand_names"]
    sign_in(page, "admin")
    page.get_by_role("link", name="Brand guide").click()
    expect(page.get_by_role("heading", name="Brand guide", level=1)).to_be_visible()
    expect(page.locator("#current-title-template")).to_have_text("{brand} {name}")

    brands = page.get_by_label("Brand spellings")
    brands.fill(brands.input_value().replace("Verdant", "VERDANT"))
    page.get_by_label("Banned words").fill("cheap\nbest ever")
    page.get_by_label("Title template").fill("{name} by {brand}")
    page.get_by_label("Channel").select_option("pinterest")  # en_US, and no title template of its own
    page.get_by_label("SKUs").fill(f"{VERDANT}, {BANNED}")
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="Preview on pinterest")).to_be_visible()
    verdant = page.locator(f"article.change[data-sku='{VERDANT}']")
    expect(verdant.locator(".title-before")).to_have_text("Verdant Durum wheat penne, Classic")
    expect(verdant.locator(".title-after")).to_have_text("Durum wheat penne, Classic by Verdant")
    expect(verdant.locator(".brand del")).to_have_text("Verdant")
    expect(verdant.locator(".brand ins")).to_have_text("VERDANT")
    expect(verdant.locator("ul.diagnostics li", has_text="brand_spelling")).to_contain_text("new")
    juice = page.locator(f"article.change[data-sku='{BANNED}']")
    expect(juice.locator(".banned-text mark")).to_have_text(["best ever", "cheap"])
    expect(juice.locator("ul.diagnostics")).to_contain_text("contains the banned word 'cheap'")
    expect(page.locator("article.change")).to_have_count(2)
    # The form keeps what was typed, and nothing is stored yet.
    expect(page.get_by_label("Title template")).to_have_value("{name} by {brand}")
    assert stored(client, tokens["viewer"]) == before
    page.screenshot(path=str(screenshots / "brand-guide.png"), full_page=True)

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.locator("#current-title-template")).to_have_text("{name} by {brand}")
    expect(page.locator("#current-brand-names")).to_contain_text("VERDANT")
    after = stored(client, tokens["viewer"])
    assert after["title_template"] == "{name} by {brand}"
    assert after["banned_words"] == ["cheap", "best ever"]
    assert "VERDANT" in after["brand_names"] and "Verdant" not in after["brand_names"]
    assert after["required_image_roles"] == before["required_image_roles"]


def test_the_preview_without_skus_shows_products_the_channel_carries(page: Page) -> None:
    sign_in(page, "editor")  # the API lets editors write the brand guide, so the page does too
    page.goto("/brand-guide")
    page.get_by_label("Title template").fill("{brand}: {name}")
    page.get_by_label("Channel").select_option("meta")  # apparel only
    page.get_by_role("button", name="Preview").click()
    cards = page.locator("article.change")
    expect(cards).to_have_count(5)
    for title in cards.locator(".title-after").all_inner_texts():
        assert ":" in title
    expect(page.get_by_label("SKUs")).to_have_value("")


def test_bad_input_is_shown_at_its_field_and_nothing_is_stored(page: Page, client: FlaskClient,
                                                               tokens: dict[str, dict[str, str]]) -> None:
    before = stored(client, tokens["viewer"])
    sign_in(page, "admin")
    page.goto("/brand-guide")
    page.get_by_label("Brand spellings").fill("Northwind\n\n" + "x" * 101)
    page.get_by_label("SKUs").fill("no-such-sku")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Not saved")
    expect(page.locator("#field-brand_names-error")).to_contain_text("line 3")
    expect(page.locator("#field-brand_names-error")).to_contain_text("100")
    expect(page.get_by_label("Brand spellings")).to_have_attribute("aria-invalid", "true")
    assert stored(client, tokens["viewer"]) == before

    page.get_by_label("Brand spellings").fill("Northwind")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#field-skus-error")).to_contain_text("no product 'no-such-sku'")
    assert stored(client, tokens["viewer"]) == before


def test_a_stale_save_is_refused_and_changes_nothing(page: Page, db_session: Session, client: FlaskClient,
                                                     tokens: dict[str, dict[str, str]]) -> None:
    sign_in(page, "admin")
    page.goto("/brand-guide")
    page.get_by_label("Title template").fill("{name}")
    # Meanwhile someone else saves the guide through the same service as the API.
    theirs = {**brand_guide.state(brand_guide.get(db_session)), "banned_words": ["cheap", "miracle", "best ever", "free"]}
    brand_guide.put(db_session, BrandGuideIn().load(theirs))
    db_session.commit()

    page.get_by_role("button", name="Preview").click()  # previewing still works, and warns
    expect(page.get_by_role("alert")).to_contain_text("saving this would be refused")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("someone changed the brand guide")
    expect(page.locator("#current-banned-words")).to_contain_text("free")
    now = stored(client, tokens["viewer"])
    assert now["title_template"] == "{brand} {name}" and now["banned_words"][-1] == "free"


def test_a_viewer_sees_no_edit_controls_and_cannot_post(page: Page, client: FlaskClient,
                                                        tokens: dict[str, dict[str, str]]) -> None:
    before = stored(client, tokens["viewer"])
    sign_in(page, "viewer")
    page.get_by_role("link", name="Brand guide").click()
    expect(page.get_by_role("heading", name="Current rules")).to_be_visible()
    expect(page.locator("#current-brand-names")).to_contain_text("Northwind")
    expect(page.locator("form#edit-form")).to_have_count(0)
    for name in ("Preview", "Save"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)

    token = page.locator("meta[name='csrf-token']").get_attribute("content")
    form = {"csrf_token": token, "etag": "anything", "brand_names": "Hacked", "banned_words": "", "title_template": "",
            "action": "save"}
    assert page.request.post("/brand-guide", form=form, max_redirects=0).status == 403
    assert page.request.post("/brand-guide", form={**form, "action": "preview"}, max_redirects=0).status == 403
    assert stored(client, tokens["viewer"]) == before
