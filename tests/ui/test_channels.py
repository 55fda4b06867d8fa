"""The channels pages in a real browser: publish with live progress, history and CSV, stale saves,
editing the whole configuration, creating and deleting channels, the diff between the last two
publications, a channel that is already publishing, and what other roles may not do."""

from __future__ import annotations

import copy
import csv
import io
import re
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.services.catalog import ChannelService
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.models import Product
from hub.web.api.publications import DIAGNOSTIC_COLUMNS
from schemas.product import ProductIn
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
    # which process rendered its shards, and how long they took
    expect(page.locator("table.history tbody tr").first.locator("td.workers")).to_have_text(
        re.compile(r"^\S+ pid \d+: \d+ shards?, [\d.]+ s$"))
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


# Editing the whole configuration ---------------------------------------------------------------

def stored(app: Flask, code: str) -> dict[str, Any] | None:
    """The channel as the database holds it now (None when it does not exist)."""
    with app.extensions["crosscanal"].sessions() as session:
        service = ChannelService(session, CatalogContext(session))
        channel = service.find(code)
        return copy.deepcopy(service.state(channel)) if channel else None


def publish_and_wait(page: Page) -> dict[str, int]:
    """Press Publish now, wait for the run to succeed, and answer the counts in its history row."""
    shown = page.url
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url(lambda url: url != shown and "watch=" in url)  # the new run's page, not the last one's
    expect(page.locator("#watch-status")).to_have_text("succeeded", timeout=60_000)
    row = page.locator(f"table.history tr[data-publication='{page.locator('#watch').get_attribute('data-publication')}']")
    expect(row.locator(".status")).to_have_text("succeeded")
    return {name: int(row.locator(f"td.{name}").inner_text()) for name in ("total", "items", "excluded")}


def test_an_admin_narrows_the_filter_and_changes_a_setting_and_the_feed_follows(page: Page, app: Flask) -> None:
    sign_in(page, "admin")
    page.goto("/channels/pinterest")
    before = publish_and_wait(page)

    settings = page.locator("fieldset.adapter-settings[data-adapter='pinterest']")
    expect(settings).to_be_visible()
    expect(page.locator("fieldset.adapter-settings[data-adapter='google_merchant']")).to_be_hidden()
    settings.get_by_label("Condition").select_option("refurbished")
    page.locator("#filter-families").get_by_label("Apparel").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator("dl.config")).to_contain_text("families: apparel")
    channel = stored(app, "pinterest")
    assert channel["filter"] == {"families": ["apparel"], "categories": [], "enabled_only": True}
    assert channel["settings"] == {"condition": "refurbished"}
    expect(page.locator("#setting-pinterest-condition")).to_have_value("refurbished")  # the form shows what is stored

    after = publish_and_wait(page)
    assert 0 < after["total"] < before["total"], (before, after)
    page.reload()
    pull = urlsplit(page.locator(".pull-url input").first.input_value())  # the hub's public URL, not this test server
    feed = page.request.get(f"{pull.path}?{pull.query}")
    rows = list(csv.DictReader(io.StringIO(feed.text()), delimiter="\t" if "\t" in feed.text().splitlines()[0] else ","))
    assert len(rows) == after["items"] and {row["condition"] for row in rows} == {"refurbished"}


def test_a_bad_setting_shows_its_reason_on_its_input_and_stores_nothing(page: Page, app: Flask) -> None:
    before = stored(app, "google_local")
    sign_in(page, "admin")
    page.goto("/channels/google_local")
    threshold = page.locator("#setting-google_local_inventory-low_stock_threshold")
    threshold.fill("-3")
    page.get_by_label("Schedule").fill("0 6 * * *")
    page.get_by_role("button", name="Save").click()

    expect(page.locator("#form-message")).to_contain_text("Not saved")
    expect(page.locator("#setting-google_local_inventory-low_stock_threshold-error")).to_contain_text(
        "greater than or equal to 0")
    expect(threshold).to_have_attribute("aria-invalid", "true")
    expect(threshold).to_have_value("-3")  # what the admin typed stays, to correct it
    expect(page.get_by_label("Schedule")).to_have_value("0 6 * * *")
    assert stored(app, "google_local") == before

    threshold.fill("not a number")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#setting-google_local_inventory-low_stock_threshold-error")).to_contain_text("Not a valid integer")
    assert stored(app, "google_local") == before

    threshold.fill("5")
    sla = page.locator("#setting-google_local_inventory-pickup_sla")
    sla.select_option("")  # pickup method "buy" needs one: the schema's rule across two settings
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#setting-google_local_inventory-pickup_sla-error")).to_contain_text("needs a pickup_sla")
    expect(page.locator("#setting-google_local_inventory-low_stock_threshold-error")).to_have_count(0)
    assert stored(app, "google_local") == before

    sla.select_option("same day")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    after = stored(app, "google_local")
    assert after["settings"] == {**before["settings"], "low_stock_threshold": 5} and after["schedule"] == "0 6 * * *"


def test_json_settings_and_field_overrides_are_read_and_refused_with_reasons(page: Page, app: Flask) -> None:
    before = stored(app, "google_shopping")
    sign_in(page, "admin")
    page.goto("/channels/google_shopping")
    shipping = page.locator("#setting-google_merchant-shipping")
    assert '"4.95 USD"' in shipping.input_value()
    shipping.fill('[{"country": "US", "price": "free"}]')
    page.get_by_label("Field overrides").fill("title = {brand} outlet {name}\nnothing here")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-field_overrides-error")).to_contain_text("line 2: write 'field = text'")
    assert stored(app, "google_shopping") == before

    page.get_by_label("Field overrides").fill("title = {brand} outlet {name}\nadult := false")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#setting-google_merchant-shipping-error")).to_contain_text("[0].price")
    assert stored(app, "google_shopping") == before

    shipping.fill('[{"country": "US", "price": "0 USD"}]')
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    after = stored(app, "google_shopping")
    assert after["mapping"]["field_overrides"] == {"title": "{brand} outlet {name}", "adult": False}
    assert after["settings"]["shipping"] == [{"country": "US", "price": "0 USD"}]
    assert after["mapping"]["category_map"] == before["mapping"]["category_map"]  # untouched parts stay


def test_an_admin_creates_a_channel_and_deletes_it_after_confirming(page: Page, app: Flask, screenshots: Path) -> None:
    sign_in(page, "admin")
    page.goto("/channels")
    page.get_by_role("link", name="New channel").click()
    expect(page.get_by_role("heading", name="New channel", level=1)).to_be_visible()
    page.get_by_label("Code").fill("outlet tops")
    page.get_by_label("Label (en_US)").fill("Outlet")
    page.get_by_label("Locale").select_option("en_US")
    page.get_by_label("Currency").select_option("USD")
    page.get_by_label("Country").fill("US")
    page.locator("#field-adapter").select_option("meta_catalog")
    expect(page.locator("fieldset.adapter-settings[data-adapter='meta_catalog']")).to_be_visible()
    page.locator("#setting-meta_catalog-condition").select_option("used")
    page.locator("#filter-categories").get_by_label("Tops").check()
    page.screenshot(path=str(screenshots / "channel-new.png"), full_page=True)
    page.get_by_role("button", name="Create channel").click()
    expect(page.locator("#field-code-error")).to_contain_text("letters, digits and underscores")
    assert stored(app, "outlet_tops") is None and stored(app, "outlet tops") is None

    page.get_by_label("Code").fill("meta")  # taken
    page.get_by_role("button", name="Create channel").click()
    expect(page.locator("#field-code-error")).to_contain_text("already exists")

    page.get_by_label("Code").fill("outlet_tops")
    expect(page.locator("#filter-categories").get_by_label("Tops")).to_be_checked()  # kept through the refusals
    page.get_by_role("button", name="Create channel").click()
    expect(page.get_by_role("heading", name="outlet_tops", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Channel outlet_tops created")
    created = stored(app, "outlet_tops")
    assert {k: created[k] for k in ("adapter", "locale", "currency", "country", "labels", "settings", "filter")} == {
        "adapter": "meta_catalog", "locale": "en_US", "currency": "USD", "country": "US", "labels": {"en_US": "Outlet"},
        "settings": {"condition": "used"}, "filter": {"families": [], "categories": ["tops"], "enabled_only": True}}
    assert publish_and_wait(page)["total"] > 0

    page.get_by_role("link", name="Delete outlet_tops…").click()
    expect(page.get_by_role("heading", name="Delete channel outlet_tops?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Its 1 publication")
    page.get_by_role("link", name="Cancel, keep it").click()
    assert stored(app, "outlet_tops") is not None
    page.get_by_role("link", name="Delete outlet_tops…").click()
    page.get_by_role("button", name="Delete outlet_tops").click()
    expect(page.get_by_role("status")).to_contain_text("Channel outlet_tops deleted")
    expect(page.locator("tr[data-channel='outlet_tops']")).to_have_count(0)
    assert stored(app, "outlet_tops") is None


# The diff between the last two publications ----------------------------------------------------

def rename(session: Session, sku: str, name: str) -> None:
    service = ProductService(session, CatalogContext(session), "someone else")
    product = service.get(sku)
    state = copy.deepcopy(service.state(product))  # the state shares its lists with the stored product
    state["values"]["name"] = [v if v["locale"] != "en_US" else {**v, "data": name} for v in state["values"]["name"]]
    service.save(ProductIn().load(state), product)


def disable(session: Session, sku: str) -> None:
    service = ProductService(session, CatalogContext(session), "someone else")
    product = service.get(sku)
    service.save(ProductIn().load({**service.state(product), "enabled": False}), product)


def test_the_diff_shows_a_changed_and_a_removed_product(page: Page, db_session: Session, screenshots: Path) -> None:
    sign_in(page, "admin")
    page.goto("/channels/pinterest/diff")
    expect(page.locator("#diff-reason")).to_contain_text("needs two successful publications; pinterest has none")
    page.goto("/channels/pinterest")
    publish_and_wait(page)
    href = page.locator("table.history tbody tr").first.get_by_role("link", name="CSV").get_attribute("href")
    excluded = {row["sku"] for row in csv.DictReader(io.StringIO(page.request.get(href).text())) if row["severity"] == "error"}
    published = [sku for sku in db_session.scalars(select(Product.sku).where(Product.enabled).order_by(Product.sku))
                 if sku not in excluded]
    changed, removed = published[3], published[7]
    rename(db_session, changed, "Renamed for the diff")
    disable(db_session, removed)
    db_session.commit()

    publish_and_wait(page)
    page.get_by_role("link", name="What changed between the last two successful publications").click()
    expect(page.get_by_role("heading", name="What changed on pinterest")).to_be_visible()
    expect(page.locator("#count-changed")).to_have_text("1")
    expect(page.locator("#count-removed")).to_have_text("1")
    expect(page.locator("#count-added")).to_have_text("0")
    assert int(page.locator("#count-unchanged").inner_text()) == len(published) - 2
    link = page.locator("#diff-changed").get_by_role("link", name=changed)
    expect(link).to_have_attribute("href", f"/products/{changed}")
    expect(page.locator("#diff-removed").get_by_role("link", name=removed)).to_be_visible()
    page.screenshot(path=str(screenshots / "channel-diff.png"), full_page=True)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(changed)


# A channel that is already publishing ----------------------------------------------------------

def test_publishing_a_busy_channel_points_at_the_running_publication(page: Page, app: Flask) -> None:
    publisher = app.extensions["crosscanal"].publisher()
    running = publisher.start("google_shopping", "schedule:test")  # queued, holding the channel's lock
    sign_in(page, "publisher")
    page.goto("/channels/google_shopping")
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(
        rf"google_shopping is already publishing \(publication {running}, (queued|started) \d{{4}}-\d\d-\d\d "
        r"\d\d:\d\d:\d\d UTC\); watch it below\."))
    expect(page.locator("#watch")).to_have_attribute("data-publication", str(running))
    expect(page.locator("table.history tbody tr")).to_have_count(1)  # no second publication was queued

    worker = threading.Thread(target=publisher.run, args=(running,))
    worker.start()
    expect(page.locator("#watch-status")).to_have_text("succeeded", timeout=60_000)  # the live progress follows it
    worker.join()
    expect(page.locator(f"table.history tr[data-publication='{running}'] .status")).to_have_text("succeeded")


# What other roles may not do -------------------------------------------------------------------

@pytest.mark.parametrize("role", ["publisher", "editor", "viewer"])
def test_only_admins_see_and_use_the_configuration_controls(page: Page, app: Flask, role: str) -> None:
    before = stored(app, "meta")
    sign_in(page, role)
    page.goto("/channels")
    expect(page.get_by_role("link", name="New channel")).to_have_count(0)
    page.goto("/channels/meta")
    expect(page.locator("dl.config")).to_contain_text("meta_catalog")
    expect(page.locator("#edit-form")).to_have_count(0)
    for name in ("Save", "Rotate token", "Create channel"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Delete"))).to_have_count(0)
    token = page.locator("meta[name='csrf-token']").get_attribute("content")
    form = {"csrf_token": token, "code": "sneaky", "adapter": "pinterest", "locale": "en_US", "currency": "USD",
            "country": "US", "etag": "x"}
    for path in ("/channels", "/channels/meta", "/channels/meta/delete"):
        assert page.request.post(path, form=form).status == 403, path
    for path in ("/channels/new-channel", "/channels/meta/delete"):
        assert page.request.get(path).status == 403, path
    assert stored(app, "meta") == before and stored(app, "sneaky") is None


# Layout ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("width", [1280, 768])
def test_the_channel_pages_fit_desktop_and_tablet_widths(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800 if width == 1280 else 1024})
    sign_in(page, "admin")
    for path in ("/channels", "/channels/google_shopping", "/channels/new-channel", "/channels/google_shopping/diff",
                 "/channels/google_shopping/delete"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls sideways at {width}px"
    page.goto("/channels/google_shopping")
    page.locator("#setting-google_merchant-condition").focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # visible focus
