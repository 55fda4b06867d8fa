"""The product page's edit form in a real browser: the right input for each attribute type, per
locale and channel, media alt texts, offers and categories; reasons placed on the exact input
with nothing stored; completeness links to per-channel inputs; and what the API then holds.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import event
from sqlalchemy.orm import Session

from channel_adapters.base.identifiers import gs1_check_digit
from hub.store.repos import ProductRepo
from tests.ui.conftest import api_product, change, sign_in

SKU = "dark-chocolate-orange-100g-s2"  # a grocery product of the demo: net weight, organic, dietary, one image


def ratio(page: Page, channel: str) -> int:
    return int(page.locator(f"table.completeness tr[data-channel='{channel}'] td.ratio").inner_text().rstrip("%"))


def canonical(offer: dict[str, Any]) -> str:
    return json.dumps(offer, sort_keys=True)


def offer_index(offers: list[dict[str, Any]], currency: str) -> int:
    """Where a currency's offer for every channel and store is listed (offers are sorted)."""
    return next(i for i, o in enumerate(offers) if o["currency"] == currency and not o["channel"] and not o["location"])


def stored_revision(db_session: Session, sku: str) -> int:
    db_session.rollback()
    return ProductRepo(db_session).by_sku(sku).revision


def test_every_kind_of_input_stores_exactly_what_was_typed(page: Page, db_session: Session, tokens: dict) -> None:
    before = api_product(page, tokens, SKU)
    kept_offers = [o for o in before["offers"] if o["channel"] or o["location"]]  # shown, left alone
    sign_in(page, "editor")
    page.goto(f"/products/{SKU}")

    page.get_by_label("Rating", exact=True).fill("3.75")
    organic = page.get_by_label("Organic", exact=True)
    expect(organic.locator("option")).to_have_text(["not set", "yes", "no"])  # tri-state
    organic.select_option("no")
    page.get_by_label("Net weight", exact=True).fill("0.250")
    unit = page.get_by_label("Net weight unit")
    expect(unit.locator("option")).to_have_count(3)  # mg, g, kg: the units of a mass
    unit.select_option("KILOGRAM")
    page.get_by_label("Fair trade").uncheck()
    page.get_by_label("Release date").fill("2024-02-29")
    expect(page.get_by_label("Release date")).to_have_attribute("type", "date")
    expect(page.get_by_label("Product page")).to_have_attribute("type", "url")
    expect(page.get_by_label("Rating", exact=True)).to_have_attribute("inputmode", "decimal")
    per_channel = page.get_by_label("Short description (en_US, google_shopping)")
    expect(per_channel).to_be_hidden()  # folded away until asked for
    page.get_by_text("Short description (en_US) per channel").click()
    per_channel.fill("Ships in 24 hours")
    page.get_by_label("Short description (fr_FR, all channels)").fill("Expédié sous 24 h")

    first = page.get_by_role("group", name="Offer 1", exact=True)
    expect(first.get_by_label("Currency")).to_have_value("EUR")
    expect(first.get_by_label("Price", exact=True)).to_have_value(before["offers"][0]["price"])
    first.get_by_label("Sale price").fill("2.49")
    first.get_by_label("Sale start (UTC)").fill("2030-01-01T09:00")
    first.get_by_label("Sale end (UTC)").fill("2030-01-31T18:30")
    usd = page.locator("fieldset.offer").filter(has=page.locator("select[name$='-currency'] option[value='USD']:checked"))
    usd.get_by_label("Remove offer").check()
    page.get_by_label("Image 1 alt text (fr_FR)").fill("Tablette de chocolat noir à l'orange")
    page.get_by_label("Sweets").uncheck()
    page.get_by_label("Pantry").check()

    # "Add offer" only redraws the form with one more row: what was typed stays, nothing is saved.
    page.get_by_role("button", name="Add offer").click()
    expect(page.get_by_role("status")).to_contain_text("empty offer row was added")
    rows = page.locator("fieldset.offer")
    expect(rows).to_have_count(len(before["offers"]) + 1)
    added = rows.last
    expect(added.get_by_label("Currency")).to_be_focused()
    expect(page.get_by_label("Rating", exact=True)).to_have_value("3.75")
    expect(page.get_by_label("Short description (en_US, google_shopping)")).to_have_value("Ships in 24 hours")
    expect(page.get_by_label("Pantry")).to_be_checked()
    assert api_product(page, tokens, SKU)["revision"] == before["revision"]
    added.get_by_label("Currency").select_option("EUR")
    added.get_by_label("Channel").select_option("shelf_labels")
    added.get_by_label("Price", exact=True).fill("2.79")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")

    after = api_product(page, tokens, SKU)
    assert after["revision"] == before["revision"] + 1
    values = after["values"]
    assert values["rating"] == [{"locale": None, "scope": None, "data": "3.75"}]
    assert values["organic"] == [{"locale": None, "scope": None, "data": False}]
    # The typed decimal went to the service as typed; the service stores its canonical form.
    assert values["net_weight"] == [{"locale": None, "scope": None, "data": {"amount": "0.25", "unit": "KILOGRAM"}}]
    assert values["dietary"][0]["data"] == sorted(set(before["values"]["dietary"][0]["data"]) - {"fair_trade"})
    assert values["release_date"] == [{"locale": None, "scope": None, "data": "2024-02-29"}]
    assert values["short_description"] == [
        {"locale": "en_US", "scope": "google_shopping", "data": "Ships in 24 hours"},
        {"locale": "fr_FR", "scope": None, "data": "Expédié sous 24 h"},
    ]
    for untouched in ("name", "description", "brand", "ean", "mpn", "main_image", "product_url"):
        assert values[untouched] == before["values"][untouched]
    assert after["categories"] == ["pantry"]
    assert after["media"] == [{**before["media"][0], "alt": {**before["media"][0]["alt"], "fr_FR": "Tablette de chocolat noir à l'orange"}}]
    sale = next(o for o in after["offers"] if o["currency"] == "EUR" and not o["channel"] and not o["location"])
    assert (sale["price"], sale["sale_price"]) == (before["offers"][0]["price"], "2.49")
    assert datetime.fromisoformat(sale["sale_start"]) == datetime(2030, 1, 1, 9, 0, tzinfo=timezone.utc)
    assert datetime.fromisoformat(sale["sale_end"]) == datetime(2030, 1, 31, 18, 30, tzinfo=timezone.utc)
    shelf = {"currency": "EUR", "price": "2.79", "channel": "shelf_labels", "location": None, "sale_price": None,
             "sale_start": None, "sale_end": None}
    assert sorted(after["offers"], key=canonical) == sorted([sale, shelf, *kept_offers], key=canonical)  # USD removed

    # The page shows what was stored: the exact decimal, the unit, the per-channel value unfolded.
    expect(page.get_by_label("Net weight", exact=True)).to_have_value("0.25")
    expect(page.get_by_label("Net weight unit")).to_have_value("KILOGRAM")
    expect(page.get_by_label("Short description (en_US, google_shopping)")).to_be_visible()
    expect(page.get_by_label("Organic", exact=True)).to_have_value("no")


def test_a_variant_overrides_an_inherited_select_and_falls_back_again(page: Page, db_session: Session, tokens: dict) -> None:
    variant = next(p for p in ProductRepo(db_session).page(None, 500) if p.parent is not None)
    sku, model = variant.sku, variant.parent.code
    before = api_product(page, tokens, sku)
    labels = {"female": "Women", "male": "Men", "unisex": "Unisex"}
    inherited = before["inherited_values"]["gender"][0]["data"]
    assert "gender" not in before["values"]
    sign_in(page, "editor")
    page.goto(f"/products/{sku}")

    gender = page.get_by_label("Gender", exact=True)
    expect(gender).to_have_value("")
    expect(gender.locator("option")).to_have_text([f"not set (inherited: {labels[inherited]})", "Women", "Men", "Unisex"])
    expect(page.locator("#field-gender-all-hint")).to_have_text(f"Inherited from {model} while not set.")
    name = page.get_by_label("Name (en_US)")
    expect(name).to_have_value("")
    expect(name).to_have_attribute("placeholder", f"inherited: {before['inherited_values']['name'][0]['data']}")
    colour = page.get_by_label("Colour (variant axis)")
    expect(colour).to_have_attribute("readonly", "")
    assert colour.get_attribute("name") is None  # never posted: the model fixes it

    chosen = "male" if inherited != "male" else "female"
    gender.select_option(label=labels[chosen])
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    after = api_product(page, tokens, sku)
    assert after["values"]["gender"] == [{"locale": None, "scope": None, "data": chosen}]
    assert "gender" not in after["inherited_values"]
    assert after["values"]["color"] == before["values"]["color"] and after["values"]["size"] == before["values"]["size"]

    page.get_by_label("Gender", exact=True).select_option("")  # "not set": inherit again
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    again = api_product(page, tokens, sku)
    assert "gender" not in again["values"] and again["inherited_values"]["gender"] == before["inherited_values"]["gender"]
    assert again["values"] == before["values"]

    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet: the form fits, nothing sideways
    fits = "e => e.scrollWidth <= e.clientWidth && e.getBoundingClientRect().right <= window.innerWidth"
    assert page.locator("section.edit").evaluate(fits)
    assert all(page.locator(f"section.edit {part}").first.evaluate(fits) for part in ("fieldset.attribute", "fieldset.offer"))


def test_bad_values_are_refused_on_their_inputs_then_fixed(page: Page, db_session: Session, tokens: dict) -> None:
    state = change(db_session, SKU)
    state = change(db_session, SKU, values={k: v for k, v in state["values"].items() if k != "ean"})
    usd = offer_index(state["offers"], "USD")
    revision = stored_revision(db_session, SKU)
    body = "376999000123"
    good = body + str(gs1_check_digit(body))
    bad = body + str((gs1_check_digit(body) + 1) % 10)
    sign_in(page, "editor")
    page.goto(f"/products/{SKU}")
    before = ratio(page, "esl")
    assert before < 100

    # Values the catalog services refuse: each reason sits on its input, with a link above.
    page.get_by_label("EAN / GTIN").fill(bad)
    page.get_by_label("Rating", exact=True).fill("7")
    page.get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Not saved")
    expect(page.locator("#field-ean-all-error")).to_contain_text("bad GTIN check digit")
    expect(page.locator("#field-rating-all-error")).to_contain_text("7 is above the maximum of 5")
    expect(page.get_by_label("EAN / GTIN")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("EAN / GTIN")).to_have_value(bad)  # what was typed stays
    alert.get_by_role("link", name="Rating").click()
    expect(page.get_by_label("Rating", exact=True)).to_be_focused()
    assert stored_revision(db_session, SKU) == revision
    assert ratio(page, "esl") == before

    # Offers and media the input contract refuses: the reason names the exact field.
    page.get_by_label("EAN / GTIN").fill(good)
    page.get_by_label("Rating", exact=True).fill("4.5")
    first = page.get_by_role("group", name="Offer 1", exact=True)
    first.get_by_label("Sale price").fill("99")
    page.get_by_role("group", name=f"Offer {usd + 1}", exact=True).get_by_label("Price", exact=True).fill("abc")
    page.get_by_label("Image 1 alt text (en_US)").fill("x" * 501)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Not saved")
    expect(page.locator("#offers-0-sale_price-error")).to_contain_text("a sale price must be lower than the price")
    expect(page.locator(f"#offers-{usd}-price-error")).to_contain_text("Not a valid number")
    expect(page.locator("#media-0-alt-en_US-error")).to_contain_text("500")
    expect(page.get_by_label("EAN / GTIN")).to_have_value(good)
    stored = api_product(page, tokens, SKU)
    assert stored["revision"] == revision and "ean" not in stored["values"] and stored["offers"] == state["offers"]
    assert stored["media"] == state["media"]

    first.get_by_label("Sale price").fill("")
    page.get_by_role("group", name=f"Offer {usd + 1}", exact=True).get_by_label("Price", exact=True).fill("3.15")
    page.get_by_label("Image 1 alt text (en_US)").fill("A bar of dark chocolate with orange")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert ratio(page, "esl") > before
    stored = api_product(page, tokens, SKU)
    assert stored["values"]["ean"] == [{"locale": None, "scope": None, "data": good}]
    assert stored["values"]["rating"] == [{"locale": None, "scope": None, "data": "4.5"}]
    assert [o["price"] for o in stored["offers"] if o["currency"] == "USD"] == ["3.15"]
    assert stored["media"][0]["alt"]["en_US"] == "A bar of dark chocolate with orange"


def test_a_missing_per_channel_value_links_to_its_input(page: Page, tokens: dict) -> None:
    family = page.request.get("/api/v1/families/grocery", headers=tokens["viewer"]).json()
    requirements = {**family["requirements"], "marketplace": [*family["requirements"]["marketplace"], "short_description"]}
    patched = page.request.patch("/api/v1/families/grocery", data={"requirements": requirements},
                                 headers={**tokens["admin"], "Content-Type": "application/merge-patch+json"})
    assert patched.ok, patched.text()
    sign_in(page, "editor")
    page.goto(f"/products/{SKU}")
    before = ratio(page, "marketplace")
    missing = page.locator("table.completeness tr[data-channel='marketplace'] td").last
    link = missing.get_by_role("link", name="short_description")
    expect(link).to_have_attribute("href", "#field-short_description-fr_FR-marketplace")
    field = page.get_by_label("Short description (fr_FR, marketplace)")
    expect(field).to_be_hidden()

    link.click()  # unfolds the per-channel group and focuses the input
    expect(field).to_be_focused()
    field.fill("Livraison en 24 h")
    field.press("Enter")  # Enter saves: Save is the form's first button, before "Add offer"
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert ratio(page, "marketplace") > before
    expect(missing).not_to_contain_text("short_description")
    stored = api_product(page, tokens, SKU)
    assert stored["values"]["short_description"] == [{"locale": "fr_FR", "scope": "marketplace", "data": "Livraison en 24 h"}]


def test_a_save_after_add_offer_is_still_refused_when_stale(page: Page, db_session: Session, tokens: dict) -> None:
    sign_in(page, "editor")
    page.goto(f"/products/{SKU}")
    page.get_by_label("Rating", exact=True).fill("1")
    theirs = change(db_session, SKU, enabled=False)  # someone else saves meanwhile
    page.get_by_role("button", name="Add offer").click()
    expect(page.get_by_role("status")).to_contain_text("empty offer row was added")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("someone changed this product")
    stored = api_product(page, tokens, SKU)
    assert stored["enabled"] is False and stored["values"] == theirs["values"]
    expect(page.get_by_label("Enabled")).not_to_be_checked()  # the page shows the current version


def test_the_page_reads_the_same_however_much_the_product_holds(page: Page, app: Flask, db_session: Session) -> None:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    sign_in(page, "editor")
    engine = app.extensions["crosscanal"].engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        def reads() -> int:
            statements.clear()
            answer = page.request.get(f"/products/{SKU}")  # the page alone, not its images or previews
            assert answer.ok
            return len(statements)

        reads()
        small = reads()
        channels = ("esl", "google_local", "google_shopping", "marketplace", "meta", "pinterest", "shelf_labels", "tiktok")
        state = change(db_session, SKU)
        change(
            db_session, SKU,
            values={**state["values"], "short_description": [
                {"locale": locale, "scope": channel, "data": f"{locale} {channel}"}
                for locale in ("en_US", "fr_FR") for channel in channels]},
            offers=[*state["offers"], *({"currency": "EUR", "price": "3.00", "channel": c} for c in channels if c != "marketplace")],
            categories=["food", "pantry", "sweets", "drinks", "juices", "care"],
        )
        large = reads()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert large == small, f"{small} statements for the product, {large} once it holds more"


