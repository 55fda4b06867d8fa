"""The product grid and the product page in a real browser: find, edit, see errors and previews."""

from __future__ import annotations


from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from hub.services.completeness import completeness
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.repos import ProductRepo
from schemas.product import ProductIn
from tests.ui.conftest import open_incomplete_product, sign_in, submit


def ratio(page: Page, channel: str) -> int:
    text = page.locator(f"table.completeness tr[data-channel='{channel}'] td.ratio").inner_text()
    return int(text.rstrip("%"))


def test_the_grid_searches_filters_and_pages(page: Page) -> None:
    sign_in(page, "viewer")
    page.get_by_role("link", name="Products").click()
    rows = page.locator("table.grid tbody tr")
    expect(rows).to_have_count(50)
    first_page_last = rows.nth(49).locator("td").first.inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Next page").click()
    assert rows.first.locator("td").first.inner_text() > first_page_last

    page.goto("/products")
    page.get_by_label("Name contains").fill("CHOCOLAT")  # any locale's name, any case
    submit(page, "Search")
    names = rows.locator("td:nth-child(2)").all_inner_texts()
    assert names and all("chocolate" in name.lower() for name in names)  # shown in en_US

    page.get_by_label("Name contains").fill("")
    page.get_by_label("SKU starts with").fill("dark-chocolate")
    page.get_by_label("Family").select_option("grocery")
    page.get_by_label("Enabled").select_option("yes")
    submit(page, "Search")
    skus = rows.locator("td:first-child").all_inner_texts()
    assert skus and all(sku.startswith("dark-chocolate") for sku in skus)
    assert set(rows.locator("td:nth-child(3)").all_inner_texts()) == {"grocery"}
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name=skus[0], level=1)).to_be_visible()


def test_an_incomplete_product_is_fixed_from_the_dashboard(page: Page, db_session: Session) -> None:
    sign_in(page, "editor")
    sku, missing = open_incomplete_product(page, "marketplace", "description")
    before = ratio(page, "marketplace")
    assert before < 100

    missing.get_by_role("link", name="description").click()  # jumps to the field
    field = page.get_by_label("Description (fr_FR)")
    expect(field).to_be_focused()
    field.fill("x" * 5001)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Not saved")
    expect(page.locator("#field-description-fr_FR-error")).to_contain_text("5000")
    expect(page.get_by_label("Description (fr_FR)")).to_have_attribute("aria-invalid", "true")
    assert ratio(page, "marketplace") == before
    revision = ProductRepo(db_session).by_sku(sku).revision

    page.get_by_label("Description (fr_FR)").fill("Un chocolat noir intense à l'écorce d'orange confite.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    assert ratio(page, "marketplace") > before
    db_session.rollback()  # a fresh transaction sees the server's commits
    stored = ProductRepo(db_session).by_sku(sku)
    assert stored.revision == revision + 1
    assert {"locale": "fr_FR", "scope": None, "data": "Un chocolat noir intense à l'écorce d'orange confite."} in stored.values["description"]
    expect(page.locator("ol.history li").first).to_contain_text("user:editor@crosscanal.example")


def test_a_stale_save_is_refused_and_changes_nothing(page: Page, db_session: Session) -> None:
    sign_in(page, "editor")
    page.goto("/products/dark-chocolate-orange-100g-s2")
    page.get_by_label("Name (en_US)").fill("Mine")
    # Meanwhile someone else saves the product through the same service as the API.
    service = ProductService(db_session, CatalogContext(db_session), "someone else")
    product = service.get("dark-chocolate-orange-100g-s2")
    state = service.state(product)
    service.save(ProductIn().load({**state, "enabled": not state["enabled"]}), product)
    db_session.commit()
    revision = product.revision

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("someone changed this product")
    db_session.rollback()  # a fresh transaction sees the server's commits
    stored = ProductRepo(db_session).by_sku("dark-chocolate-orange-100g-s2")
    assert stored.revision == revision
    assert all(entry["data"] != "Mine" for entry in stored.values["name"])


def test_channel_previews_show_side_by_side(page: Page) -> None:
    sign_in(page, "viewer")
    page.goto("/products/dark-chocolate-orange-100g-s2")
    previews = page.locator("article.preview")
    expect(previews).to_have_count(8)
    for channel in ("google_shopping", "shelf_labels", "marketplace", "meta"):
        card = page.locator(f"article.preview[data-channel='{channel}']")
        expect(card.locator("dl.item-fields dt").first).to_be_visible()
    marketplace = page.locator("article.preview[data-channel='marketplace']")
    expect(marketplace.locator("ul.diagnostics")).to_contain_text("description")  # missing, so excluded
    expect(marketplace).to_contain_text("excluded")
    boxes = [previews.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]


def test_inherited_values_are_marked(page: Page, db_session: Session) -> None:
    variant = next(p for p in ProductRepo(db_session).page(None, 500) if p.parent is not None)
    sign_in(page, "viewer")
    page.goto(f"/products/{variant.sku}")
    inherited = page.locator("table.values tr.inherited")
    expect(inherited.first).to_contain_text(f"inherited from {variant.parent.code}")


def test_a_viewer_sees_no_edit_controls_and_cannot_post(page: Page, new_page, db_session: Session) -> None:
    sku = "dark-chocolate-orange-100g-s2"
    revision = ProductRepo(db_session).by_sku(sku).revision
    sign_in(page, "viewer")
    page.goto(f"/products/{sku}")
    expect(page.get_by_role("heading", name="Completeness")).to_be_visible()
    expect(page.locator("form#edit-form")).to_have_count(0)
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.locator("textarea, input[name^='value:']")).to_have_count(0)

    token = page.locator("meta[name='csrf-token']").get_attribute("content")
    form = {"csrf_token": token, "etag": "anything", "value:name:en_US": "Hacked", "enabled": "on"}
    as_viewer = page.request.post(f"/products/{sku}", form=form, max_redirects=0)
    assert as_viewer.status == 403

    stranger = new_page()
    anonymous = stranger.request.post(f"/products/{sku}", form=form, max_redirects=0)
    assert anonymous.status in (400, 302) and "Hacked" not in anonymous.text()
    anonymous_no_token = stranger.request.post(f"/products/{sku}", form={"value:name:en_US": "Hacked"}, max_redirects=0)
    assert anonymous_no_token.status == 400

    db_session.rollback()  # a fresh transaction sees the server's commits
    assert ProductRepo(db_session).by_sku(sku).revision == revision


def test_a_variant_links_to_its_model_page_with_every_variant_and_its_completeness(page: Page, db_session: Session) -> None:
    sign_in(page, "viewer")
    db_session.rollback()
    products = ProductRepo(db_session)
    variant = next(p for p in products.page(None, 200) if p.parent is not None)
    model = variant.parent
    siblings = sorted(p.sku for p in products.variants(model.id))
    page.goto(f"/products/{variant.sku}")
    page.get_by_role("link", name=model.code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(model.code)
    rows = page.locator("table.variants tbody tr")
    assert rows.locator("th").all_inner_texts() == siblings
    row = page.locator(f"table.variants tr[data-sku='{variant.sku}']")
    axes = [str(v) for v in (variant.values[axis][0]["data"] for axis in model.variant_axes)]
    cells = row.locator("td").all_inner_texts()
    assert cells[:len(axes)] == axes
    channels = sorted(CatalogContext(db_session).channels)
    header = page.locator("table.variants thead th").all_inner_texts()
    assert header[-len(channels):] == channels
    shown = dict(zip(channels, cells[-len(channels):]))
    for result in completeness(variant, CatalogContext(db_session).channels.values()):
        if shown[result.channel] != "·":  # the channel does not carry it
            assert shown[result.channel] == f"{result.ratio * 100:.0f}%"
    assert any(text.endswith("%") for text in shown.values())
    name = next(e["data"] for e in model.values["name"] if e["locale"] == "en_US")
    expect(page.locator("table.values")).to_contain_text(name)
    row.get_by_role("link", name=variant.sku).click()
    expect(page.get_by_role("heading", name=variant.sku, level=1)).to_be_visible()
