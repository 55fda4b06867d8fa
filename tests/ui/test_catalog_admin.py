"""Family and attribute administration in a real browser: requirements that move completeness,
invalid attributes, refused deletes, stale saves, and what a viewer may not do."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from hub.services.catalog import FamilyService
from hub.services.context import CatalogContext
from schemas.family import FamilyIn
from tests.ui.conftest import sign_in

API = "/api/v1"
SKU = "dark-chocolate-orange-100g-s2"  # a grocery without a short description
Headers = dict[str, dict[str, str]]


def completeness(client: FlaskClient, tokens: Headers, channel: str) -> dict:
    response = client.get(f"{API}/products/{SKU}/completeness", headers=tokens["viewer"])
    assert response.status_code == 200
    return next(row for row in response.json if row["channel"] == channel)


def ratio(page: Page, channel: str) -> int:
    text = page.locator(f"table.completeness tr[data-channel='{channel}'] td.ratio").inner_text()
    return int(text.rstrip("%"))


def test_an_admin_requires_an_attribute_and_completeness_drops(page: Page, client: FlaskClient, tokens: Headers,
                                                               screenshots: Path) -> None:
    before = completeness(client, tokens, "google_local")
    assert before["ratio"] == 1.0 and "short_description" not in before["missing"]
    sign_in(page, "admin")
    page.goto(f"/products/{SKU}")
    assert ratio(page, "google_local") == 100

    page.get_by_role("link", name="Families").click()
    expect(page.locator("tr[data-family='grocery']")).to_contain_text("google_local 2")
    page.get_by_role("link", name="grocery").click()
    expect(page.get_by_role("heading", name="grocery", level=1)).to_be_visible()
    cell = page.get_by_label("short_description required on google_local")
    expect(cell).not_to_be_checked()
    cell.check()
    page.screenshot(path=str(screenshots / "family.png"))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.get_by_label("short_description required on google_local")).to_be_checked()

    after = completeness(client, tokens, "google_local")
    assert after["ratio"] < before["ratio"] and after["missing"] == ["short_description"]
    family = client.get(f"{API}/families/grocery", headers=tokens["viewer"]).json
    assert "short_description" in family["requirements"]["google_local"]
    page.goto(f"/products/{SKU}")
    assert ratio(page, "google_local") < 100
    expect(page.locator("table.completeness tr[data-channel='google_local']")).to_contain_text("short_description")


def test_a_requirement_outside_the_family_is_refused_on_its_row(page: Page, client: FlaskClient, tokens: Headers) -> None:
    before = client.get(f"{API}/families/apparel", headers=tokens["viewer"]).json
    sign_in(page, "admin")
    page.goto("/families/apparel")
    page.get_by_label("net_weight required on shelf_labels").check()  # net_weight is not an apparel attribute
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Not saved")
    expect(page.locator("#row-net_weight-error")).to_contain_text("not among the family's attributes")
    expect(page.get_by_label("net_weight required on shelf_labels")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("net_weight required on shelf_labels")).to_be_checked()  # what was ticked stays
    assert client.get(f"{API}/families/apparel", headers=tokens["viewer"]).json == before

    page.get_by_label("net_weight in family").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    now = client.get(f"{API}/families/apparel", headers=tokens["viewer"]).json
    assert "net_weight" in now["attributes"] and "net_weight" in now["requirements"]["shelf_labels"]


def test_an_invalid_attribute_shows_each_reason_at_its_field_and_stores_nothing(page: Page, client: FlaskClient,
                                                                                 tokens: Headers) -> None:
    count = len(client.get(f"{API}/attributes", query_string={"limit": 1000}, headers=tokens["viewer"]).json["items"])
    sign_in(page, "admin")
    page.get_by_role("link", name="Attributes").click()
    page.get_by_role("link", name="New attribute").click()
    page.get_by_label("Code").fill("bad code!")
    page.get_by_label("Type").select_option("text")
    page.get_by_label("Maximum length").fill("-5")
    page.get_by_label("en_US").fill("Care instructions")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("alert")).to_contain_text("Not created")
    expect(page.locator("#field-code-error")).to_contain_text("letters, digits and underscores")
    expect(page.locator("#field-max_length-error")).to_contain_text("greater than or equal to 1")
    expect(page.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Maximum length")).to_have_value("-5")
    expect(page.get_by_label("en_US")).to_have_value("Care instructions")

    # A type the form does not offer (as a hand-made request would send) is refused at the type.
    page.get_by_label("Code").fill("care")
    page.get_by_label("Maximum length").fill("")
    page.locator("#field-type").evaluate("s => { s.add(new Option('colour', 'colour')); s.value = 'colour'; }")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#field-type-error")).to_contain_text("Must be one of")

    page.get_by_label("Type").select_option("select")
    page.get_by_label("Options").fill("wash_30 | en_US: 30 °C\nwash 40 | en_US: 40 °C")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#field-options-error")).to_contain_text("line 2")
    expect(page.locator("#field-options-error")).to_contain_text("letters, digits and underscores")
    items = client.get(f"{API}/attributes", query_string={"limit": 1000}, headers=tokens["viewer"]).json["items"]
    assert len(items) == count and not any(a["code"] in ("care", "bad code!") for a in items)

    page.get_by_label("Options").fill("wash_30 | en_US: 30 °C | fr_FR: 30 °C\nwash_40 | en_US: 40 °C")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_contain_text("Attribute care created")
    expect(page.get_by_role("heading", name="care", level=1)).to_be_visible()
    created = client.get(f"{API}/attributes/care", headers=tokens["viewer"]).json
    assert created["type"] == "select" and created["labels"] == {"en_US": "Care instructions"}
    assert created["options"] == [{"code": "wash_30", "labels": {"en_US": "30 °C", "fr_FR": "30 °C"}},
                                  {"code": "wash_40", "labels": {"en_US": "40 °C"}}]
    assert created["validation"] == {}


def test_an_attribute_is_edited_within_its_type(page: Page, client: FlaskClient, tokens: Headers) -> None:
    sign_in(page, "admin")
    page.goto("/attributes/rating")
    expect(page.get_by_label("Maximum length")).to_have_count(0)  # a number takes a range, not a length
    expect(page.get_by_label("Locale (localizable)")).to_be_disabled()
    page.get_by_label("Minimum").fill("6")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-max-error")).to_contain_text("min is greater than max")
    assert client.get(f"{API}/attributes/rating", headers=tokens["viewer"]).json["validation"] == {"min": "0", "max": "5"}

    page.get_by_label("Minimum").fill("1")
    page.get_by_label("Whole numbers only").check()
    page.get_by_label("fr_FR").fill("Note client")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    stored = client.get(f"{API}/attributes/rating", headers=tokens["viewer"]).json
    assert stored["validation"] == {"min": "1", "max": "5", "decimals_allowed": False}
    assert stored["labels"] == {"en_US": "Rating", "fr_FR": "Note client"}


def test_a_delete_the_service_refuses_is_explained(page: Page, client: FlaskClient, tokens: Headers) -> None:
    sign_in(page, "admin")
    page.goto("/attributes/brand")
    page.get_by_role("button", name="Delete attribute brand").click()
    expect(page.get_by_role("alert")).to_contain_text("Not deleted: attribute 'brand' is used by families")
    assert client.get(f"{API}/attributes/brand", headers=tokens["viewer"]).status_code == 200

    page.goto("/families/grocery")
    page.get_by_role("button", name="Delete family grocery").click()
    expect(page.get_by_role("alert")).to_contain_text("still has products")
    assert client.get(f"{API}/families/grocery", headers=tokens["viewer"]).status_code == 200

    page.goto("/families/+new")
    page.get_by_label("Code").fill("gifts")
    page.get_by_label("en_US").fill("Gifts")
    page.get_by_label("name in family").check()
    page.get_by_label("name required on marketplace").check()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_contain_text("Family gifts created")
    created = client.get(f"{API}/families/gifts", headers=tokens["viewer"]).json
    assert created["attributes"] == ["name"] and created["requirements"] == {"marketplace": ["name"]}
    page.get_by_role("button", name="Delete family gifts").click()
    expect(page.get_by_role("status")).to_contain_text("Family gifts deleted")
    assert client.get(f"{API}/families/gifts", headers=tokens["viewer"]).status_code == 404


def test_stale_saves_are_refused_and_change_nothing(page: Page, db_session: Session, client: FlaskClient,
                                                    tokens: Headers) -> None:
    sign_in(page, "admin")
    page.goto("/families/liquids")
    page.get_by_label("rating required on esl").check()
    # Meanwhile someone else changes the family through the same service as the API.
    service = FamilyService(db_session, CatalogContext(db_session))
    family = service.get("liquids")
    service.replace(family, FamilyIn().load({**service.state(family), "labels": {"en_US": "Liquids"}}))
    db_session.commit()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("someone changed this family")
    expect(page.get_by_label("rating required on esl")).not_to_be_checked()  # the current family, shown again
    stored = client.get(f"{API}/families/liquids", headers=tokens["viewer"]).json
    assert stored["labels"] == {"en_US": "Liquids"} and "rating" not in stored["requirements"]["esl"]

    page.goto("/attributes/mpn")
    other = client.patch(f"{API}/attributes/mpn", json={"validation": {"max_length": 60}}, headers=tokens["admin"])
    assert other.status_code == 200
    page.get_by_label("Maximum length").fill("80")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("someone changed this attribute")
    expect(page.get_by_label("Maximum length")).to_have_value("60")
    assert client.get(f"{API}/attributes/mpn", headers=tokens["viewer"]).json["validation"] == {"max_length": 60}


def test_a_viewer_reads_the_lists_sees_no_edit_controls_and_cannot_post(page: Page, client: FlaskClient,
                                                                        tokens: Headers) -> None:
    family = client.get(f"{API}/families/grocery", headers=tokens["viewer"]).json
    attribute = client.get(f"{API}/attributes/brand", headers=tokens["viewer"]).json
    sign_in(page, "viewer")
    page.get_by_role("link", name="Attributes").click()
    expect(page.locator("tr[data-attribute='ean']")).to_contain_text("identifier")
    expect(page.get_by_role("link", name="New attribute")).to_have_count(0)
    page.get_by_role("link", name="brand", exact=True).click()
    expect(page.get_by_role("heading", name="Definition")).to_be_visible()
    expect(page.locator("form")).to_have_count(1)  # signing out only
    page.get_by_role("link", name="Families").click()
    expect(page.get_by_role("link", name="New family")).to_have_count(0)
    page.get_by_role("link", name="grocery").click()
    expect(page.locator("tr[data-attribute='net_weight'] [aria-label='required on shelf_labels']")).to_have_count(1)
    expect(page.locator("input[type='checkbox']")).to_have_count(0)
    expect(page.get_by_role("button", name="Save")).to_have_count(0)

    token = page.locator("meta[name='csrf-token']").get_attribute("content")
    posts = {
        "/families/grocery": {"etag": "x", "attribute": "name", "label:en_US": "Hacked"},
        "/families/grocery/delete": {"etag": "x"},
        "/families": {"code": "hacked"},
        "/attributes/brand": {"etag": "x", "label:en_US": "Hacked"},
        "/attributes/brand/delete": {"etag": "x"},
        "/attributes": {"code": "hacked", "type": "text"},
    }
    for path, form in posts.items():
        assert page.request.post(path, form={"csrf_token": token, **form}, max_redirects=0).status == 403, path
    for path in ("/families/+new", "/attributes/+new"):
        assert page.request.get(path, max_redirects=0).status == 403, path
    assert client.get(f"{API}/families/grocery", headers=tokens["viewer"]).json == family
    assert client.get(f"{API}/attributes/brand", headers=tokens["viewer"]).json == attribute
    assert client.get(f"{API}/families/hacked", headers=tokens["viewer"]).status_code == 404


def test_the_pages_fit_a_tablet(page: Page) -> None:
    sign_in(page, "admin")
    page.set_viewport_size({"width": 768, "height": 1024})
    for url in ("/brand-guide", "/attributes", "/attributes/+new", "/attributes/color", "/families", "/families/grocery"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{url} scrolls sideways"


def test_an_attribute_taken_out_of_a_family_leaves_its_products_with_history(
        page: Page, client: FlaskClient, tokens: Headers) -> None:
    product = client.get(f"{API}/products/{SKU}", headers=tokens["viewer"]).json
    assert "organic" in product["values"]
    versions = len(client.get(f"{API}/products/{SKU}/history", headers=tokens["viewer"]).json)
    sign_in(page, "admin")
    page.goto("/families/grocery")
    page.get_by_label("organic in family").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("were removed from")
    expect(page.get_by_label("organic in family")).not_to_be_checked()

    product = client.get(f"{API}/products/{SKU}", headers=tokens["viewer"]).json
    assert "organic" not in product["values"] and "dietary" in product["values"]
    history = client.get(f"{API}/products/{SKU}/history", headers=tokens["viewer"]).json
    assert len(history) == versions + 1
    assert history[-1]["author"].startswith("user:") and [c["field"] for c in history[-1]["changes"]] == ["values.organic"]
    page.goto(f"/products/{SKU}")
    expect(page.locator("#attribute-dietary")).to_have_count(1)  # the form is there...
    expect(page.locator("#attribute-organic")).to_have_count(0)  # ...without the attribute the family dropped

    page.goto("/families/apparel")
    page.get_by_label("size in family").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#form-message")).to_contain_text("Not saved")
    expect(page.get_by_role("alert").filter(has_text="'size' is a variant axis of product model")).to_have_count(1)
    family = client.get(f"{API}/families/apparel", headers=tokens["viewer"]).json
    assert "size" in family["attributes"]
