"""The product page's channel previews in a real browser: each channel's item drawn as the channel
shows it, loaded one channel at a time, following the product's changes, and the label's PDF."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy.orm import Session

from hub.store.models import Channel
from tests.ui.conftest import VIEWPORT, sign_in

SKU = "dark-chocolate-orange-100g-s2"  # a demo grocery product: GTIN, net weight, priced in every store
CHANNELS = ("esl", "google_local", "google_shopping", "marketplace", "meta", "pinterest", "shelf_labels", "tiktok")


def card(page: Page, channel: str) -> Any:
    """A channel's card, once its preview has loaded into it."""
    found = page.locator(f"article.preview[data-channel='{channel}']")
    expect(found.locator(".preview-body")).to_be_visible()
    return found


def api_preview(page: Page, headers: dict[str, str], channel: str) -> dict[str, Any]:
    """The same preview through the API: what the adapter made, to compare the drawings with."""
    response = page.request.get(f"/api/v1/products/{SKU}/preview/{channel}", headers=headers)
    assert response.ok, response.text()
    return response.json()


def euros(amount: str) -> str:
    """A decimal string as the French shelf label words it: 2.95 -> 2,95 €."""
    return amount.replace(".", ",") + " €"


def patch_product(page: Page, headers: dict[str, str], body: dict[str, Any]) -> None:
    response = page.request.patch(f"/api/v1/products/{SKU}", data=body, headers=headers)
    assert response.ok, response.text()


def test_the_page_lays_out_placeholders_and_each_preview_loads_on_its_own(page: Page) -> None:
    sign_in(page, "viewer")
    html = page.request.get(f"/products/{SKU}").text()
    assert html.count("data-preview-url=") == len(CHANNELS)
    assert "preview-body" not in html and "shelf-label" not in html  # nothing rendered by the page itself

    page.goto(f"/products/{SKU}")
    expect(page.locator("article.preview .preview-body")).to_have_count(len(CHANNELS))
    assert page.locator("article.preview").evaluate_all("cards => cards.map(c => c.dataset.channel)") == list(CHANNELS)
    expect(page.locator("article.preview[aria-busy='true']")).to_have_count(0)
    boxes = [page.locator("article.preview").nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]  # side by side


def test_each_channel_is_drawn_as_it_shows_the_product(page: Page, tokens: dict[str, dict[str, str]]) -> None:
    sign_in(page, "viewer")
    page.goto(f"/products/{SKU}")
    viewer = tokens["viewer"]

    # The shelf label as it prints: name, the price big, the EU unit price, the barcode's digits.
    shelf = api_preview(page, viewer, "shelf_labels")["item"]
    store = shelf["stores"]["PAR01"]
    label = card(page, "shelf_labels").locator(".shelf-label").first
    expect(label.locator(".sl-name")).to_have_text(shelf["name"])
    expect(label.locator(".sl-price")).to_have_text(euros(store["price"]))
    expect(label.locator(".sl-unit")).to_have_text(f"{euros(store['unit_price'])} / {store['unit_price_unit']}")
    assert store["unit_price_unit"] == "kg"
    expect(label.locator("svg.barcode")).to_have_attribute("aria-label", f"EAN barcode {shelf['barcode']}")
    assert "".join(label.locator("svg.barcode text").all_text_contents()) == shelf["barcode"]
    expect(card(page, "shelf_labels").locator("figcaption")).to_contain_text("PAR01")

    # The electronic label: the payload the ESL server loads, and the display it drives.
    esl = card(page, "esl")
    expect(esl.locator(".esl-screen .esl-price").first).to_have_text(euros(store["price"]))
    expect(esl.locator("pre.record-text")).to_contain_text(f'"unit_price": "{store["unit_price"]}"')
    expect(esl.locator("pre.record-text")).to_contain_text(f'"sku": "{SKU}"')

    # Meta and TikTok carry only apparel (their filter): the card says so, and still draws the post.
    expect(card(page, "meta").locator(".preview-status")).to_contain_text("not carried")
    expect(card(page, "meta").locator(".preview-status")).to_contain_text("families: apparel")
    expect(card(page, "pinterest").locator(".preview-status")).to_contain_text("published")

    # Social posts: the catalog's title, price and brand, and its link.
    for channel in ("meta", "pinterest", "tiktok"):
        item = api_preview(page, viewer, channel)["item"]
        post = card(page, channel).locator(".social-card")
        expect(post.locator(".social-title")).to_have_text(item["title"])
        expect(post.locator(".social-price")).to_contain_text(item["price"])
        expect(post.locator(".social-brand")).to_have_text(item["brand"])
        expect(post.get_by_role("link", name="Shop now")).to_have_attribute("href", item["link"])

    # The web feed's item as a shopping result, and the item as the XML feed carries it.
    google = api_preview(page, viewer, "google_shopping")["item"]
    result = card(page, "google_shopping")
    expect(result.locator(".shop-title")).to_have_text(google["title"])
    expect(result.locator(".shop-price")).to_have_text(google["price"])
    expect(result.locator(".shop-availability")).to_have_text("In stock")
    result.locator("details.record summary", has_text="products.xml").click()
    # Whatever prefix the writer gives Google's namespace, the item carries the SKU as its id.
    expect(result.locator("pre.record-text").first).to_contain_text(re.compile(rf"<(\w+:)?id\b[^>]*>{SKU}</(\w+:)?id>"))

    # In-store availability: one row per store.
    expect(card(page, "google_local").locator("table.local-rows tbody tr")).to_have_count(3)

    # The marketplace record: incomplete (no French description), so excluded, and the diagnostic says how to fix it.
    market = card(page, "marketplace")
    expect(market.locator(".preview-status")).to_contain_text("excluded")
    diagnostic = market.locator("ul.diagnostics li.sev-error").filter(has_text="incomplete")
    expect(diagnostic).to_contain_text("description is required on marketplace (fr_FR)")
    expect(diagnostic).to_contain_text("Fix: fill description for fr_FR")
    record = market.locator("pre.record-text")
    expect(record).to_contain_text(f"<SUPPLIER_PID>{SKU}</SUPPLIER_PID>")
    expect(record).to_contain_text("<PRICE_AMOUNT>")
    expect(market.locator("details.record summary")).to_contain_text("draft")

    # Every card lists its findings (or says there are none) and the item's fields.
    for channel in CHANNELS:
        found = card(page, channel)
        expect(found.locator("ul.diagnostics, .no-diagnostics")).to_have_count(1)
        expect(found.locator("dl.item-fields dt").first).to_be_visible()


def test_the_previews_follow_a_change_to_the_product(page: Page, tokens: dict[str, dict[str, str]]) -> None:
    sign_in(page, "viewer")
    page.goto(f"/products/{SKU}")
    expect(card(page, "marketplace").locator(".preview-status")).to_contain_text("excluded")
    expect(card(page, "shelf_labels").locator(".sl-was")).to_have_count(0)
    now = datetime.now(timezone.utc)
    start, end = now - timedelta(days=1), (now + timedelta(days=7)).replace(hour=18, minute=0, second=0, microsecond=0)
    sale = {"sale_start": start.isoformat(), "sale_end": end.isoformat()}

    patch_product(page, tokens["editor"], {
        "values": {
            "name": [{"locale": "fr_FR", "scope": None, "data": "Chocolat noir à l'orange confite"},
                     {"locale": "en_US", "scope": None, "data": "Dark chocolate with candied orange"}],
            "description": [{"locale": "fr_FR", "scope": None, "data": "Un chocolat noir intense à l'orange confite."}],
        },
        "offers": [{"currency": "EUR", "price": "3.40", "sale_price": "2.72", **sale},
                   {"currency": "USD", "price": "3.19", "sale_price": "2.49", **sale}],
    })
    page.reload()

    # The label now prints the sale: its price big, the regular one struck, its last day, the unit price of the sale.
    label = card(page, "shelf_labels").locator(".shelf-label").first
    expect(label.locator(".sl-name")).to_have_text("Chocolat noir à l'orange confite")
    expect(label.locator(".sl-price")).to_have_text("2,72 €")
    expect(label.locator(".sl-was")).to_have_text("au lieu de 3,40 €")
    expect(label.locator(".sl-was s")).to_have_text("3,40 €")
    expect(label.locator(".sl-sale")).to_have_text(f"Promo jusqu'au {end:%d/%m/%Y} 18:00")
    expect(label.locator(".sl-unit")).to_have_text("27,20 € / kg")  # 100 g at 2.72
    expect(card(page, "esl").locator(".esl-screen.esl-sale .esl-price").first).to_have_text("2,72 €")
    google = card(page, "google_shopping")
    expect(google.locator(".shop-title")).to_contain_text("Dark chocolate with candied orange")
    expect(google.locator(".shop-price strong")).to_have_text("2.49 USD")
    expect(google.locator(".shop-price s")).to_have_text("3.19 USD")
    expect(card(page, "pinterest").locator(".social-title")).to_contain_text("Dark chocolate with candied orange")
    market = card(page, "marketplace")
    expect(market.locator(".preview-status")).to_contain_text("published")
    expect(market.locator("ul.diagnostics li.sev-error")).to_have_count(0)
    expect(market.locator("pre.record-text")).to_contain_text("Un chocolat noir intense à l'orange confite.")
    expect(market.locator("pre.record-text")).to_contain_text("<PRICE_AMOUNT>2.72</PRICE_AMOUNT>")
    expect(market.locator("details.record summary")).not_to_contain_text("draft")


def test_the_label_pdf_is_the_adapters_own(page: Page, new_page, tokens: dict[str, dict[str, str]]) -> None:
    sign_in(page, "viewer")
    page.goto(f"/products/{SKU}")
    shelf = card(page, "shelf_labels")
    download = shelf.get_by_role("link", name="Download labels-BDX01.pdf")
    href = download.get_attribute("href")
    assert href == f"/products/{SKU}/previews/shelf_labels/labels-BDX01.pdf"

    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    store = api_preview(page, tokens["viewer"], "shelf_labels")["item"]["stores"]["BDX01"]
    assert euros(store["price"]) in text and euros(store["unit_price"]) in text and SKU in text

    shelf.get_by_text("The printed sheet (labels-BDX01.pdf)").click()  # the PDF is embedded once asked for
    expect(shelf.locator("object.pdf")).to_have_attribute("data", href)

    assert page.request.get(f"/products/{SKU}/previews/shelf_labels/labels-NOWHERE.pdf").status == 404
    esl = page.request.get(f"/products/{SKU}/previews/esl/esl-PAR01.json")
    assert esl.status == 200 and esl.json()["labels"][0]["sku"] == SKU
    signed_out = new_page().request.get(href, max_redirects=0)
    assert signed_out.status == 302 and "/sign-in" in signed_out.headers["location"]


def test_without_javascript_each_preview_opens_as_a_page(browser: Browser, live_url: str) -> None:
    context = browser.new_context(base_url=live_url, viewport=VIEWPORT, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "viewer")
        page.goto(f"/products/{SKU}")
        expect(page.locator("article.preview .preview-body")).to_have_count(0)
        page.get_by_role("link", name="Open the shelf_labels preview").click()
        expect(page.get_by_role("heading", name="shelf_labels preview", level=1)).to_be_visible()
        expect(page.locator(".shelf-label .sl-price")).to_have_text("2,95 €")
        expect(page.locator("object.pdf")).to_have_attribute("data", f"/products/{SKU}/previews/shelf_labels/labels-BDX01.pdf")
        page.get_by_role("link", name=SKU).click()
        expect(page.get_by_role("heading", name=SKU, level=1)).to_be_visible()
    finally:
        context.close()


def test_a_channel_that_cannot_render_says_why_in_its_card(page: Page, db_session: Session) -> None:
    channel = db_session.query(Channel).filter_by(code="pinterest").one()
    channel.adapter = "retired_adapter"  # as if its package had been uninstalled
    db_session.commit()
    sign_in(page, "viewer")
    page.goto(f"/products/{SKU}")
    expect(card(page, "pinterest").locator(".error")).to_contain_text("adapter 'retired_adapter', which is not installed")
    expect(card(page, "meta").locator(".social-card")).to_be_visible()  # the others still load
    assert page.request.get(f"/products/{SKU}/previews/nowhere").status == 404
    assert page.request.get(f"/products/no-such-sku/previews/meta").status == 404


def test_previews_fit_a_tablet(page: Page) -> None:
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, "viewer")
    page.goto(f"/products/{SKU}")
    for channel in ("shelf_labels", "esl", "meta", "marketplace"):
        found = card(page, channel)
        box = found.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 768
        drawing = found.locator(".shelf-label, .esl-screen, .social-card, .market-card").first
        inner = drawing.bounding_box()
        assert box["x"] <= inner["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"]

