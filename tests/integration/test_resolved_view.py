"""The resolved view (GET /products/<sku>/resolved/<channel>?at=): inheritance, value precedence,
the channel's offer and sale, availability from warehouse stock, and labels in the channel's locale."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests import factories
from tests.factories import value
from tests.integration.helpers import API, Headers, assert_problem

BEFORE_SALE, SALE_START, DURING_SALE, SALE_END, AFTER_SALE = (
    "2030-01-05T12:00:00+00:00", "2030-01-10T00:00:00+00:00", "2030-01-15T12:00:00+00:00",
    "2030-01-20T00:00:00+00:00", "2030-01-25T12:00:00+00:00",
)


@pytest.fixture
def tees(db_session: Session) -> None:
    """The catalog and the model ``tee`` (name en_US "Classic tee", brand "Acme", category tops)."""
    factories.catalog(db_session)
    factories.product_model(db_session, categories=["tops"])


def create(client: FlaskClient, headers: Headers, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{API}/products", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def variant(client: FlaskClient, headers: Headers, sku: str, color: str, size: str, **fields: Any) -> dict[str, Any]:
    values = {"color": value(color), "size": value(size), **fields.pop("values", {})}
    return create(client, headers, {"sku": sku, "parent": "tee", "values": values, **fields})


def resolved(client: FlaskClient, headers: Headers, sku: str, channel: str, at: str | None = None) -> dict[str, Any]:
    response = client.get(f"{API}/products/{sku}/resolved/{channel}", query_string={"at": at} if at else {}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def test_a_variant_shows_the_values_it_inherits(client: FlaskClient, tokens: dict[str, Headers], tees: None) -> None:
    variant(client, tokens["editor"], "tee-red-s", "red", "s")

    view = resolved(client, tokens["viewer"], "tee-red-s", "web")

    assert view["sku"] == "tee-red-s" and view["channel"] == "web" and view["locale"] == "en_US"
    assert view["values"] == {"name": "Classic tee", "brand": "Acme", "color": "red", "size": "s"}
    assert view["group"] == "tee" and view["variant_axes"] == ["color", "size"] and view["family"] == "tees"
    assert view["categories"] == [{"code": "tops", "path": ["Apparel", "Tops"]}]


def test_a_variants_own_value_overrides_the_models(client: FlaskClient, tokens: dict[str, Headers], tees: None) -> None:
    variant(client, tokens["editor"], "tee-red-s", "red", "s",
            values={"brand": value("Acme Kids"), "name": value("Little red tee", "en_US")})
    variant(client, tokens["editor"], "tee-red-m", "red", "m")

    mine = resolved(client, tokens["viewer"], "tee-red-s", "web")
    sibling = resolved(client, tokens["viewer"], "tee-red-m", "web")

    assert mine["values"]["brand"] == "Acme Kids" and mine["values"]["name"] == "Little red tee"
    assert sibling["values"]["brand"] == "Acme" and sibling["values"]["name"] == "Classic tee"
    model = client.get(f"{API}/product-models/tee", headers=tokens["viewer"]).json
    assert model["values"]["brand"] == value("Acme")


def test_a_variant_inherits_only_the_locales_it_does_not_set(
    client: FlaskClient, tokens: dict[str, Headers], tees: None
) -> None:
    patched = client.patch(f"{API}/product-models/tee", json={"values": {"name": value("Tee classique", "fr_FR")}},
                           headers=tokens["editor"])
    assert patched.status_code == 200
    variant(client, tokens["editor"], "tee-red-s", "red", "s", values={"name": value("Tee rouge", "fr_FR")})

    assert resolved(client, tokens["viewer"], "tee-red-s", "web")["values"]["name"] == "Classic tee"
    assert resolved(client, tokens["viewer"], "tee-red-s", "store")["values"]["name"] == "Tee rouge"


def test_a_localizable_scopable_value_is_picked_for_the_channel_and_its_locale(
    client: FlaskClient, tokens: dict[str, Headers], tees: None
) -> None:
    variant(client, tokens["editor"], "tee-red-s", "red", "s", values={"description": (
        value("Web, English", "en_US", "web") + value("Web, French", "fr_FR", "web")
        + value("Store, English", "en_US", "store") + value("Store, French", "fr_FR", "store")
    )})

    assert resolved(client, tokens["viewer"], "tee-red-s", "web")["values"]["description"] == "Web, English"
    assert resolved(client, tokens["viewer"], "tee-red-s", "store")["values"]["description"] == "Store, French"


def test_a_value_for_another_channel_or_locale_is_not_used(
    client: FlaskClient, tokens: dict[str, Headers], tees: None
) -> None:
    variant(client, tokens["editor"], "tee-red-s", "red", "s", values={"description": (
        value("Web, French", "fr_FR", "web") + value("Store, English", "en_US", "store")
    )})

    assert "description" not in resolved(client, tokens["viewer"], "tee-red-s", "web")["values"]
    assert "description" not in resolved(client, tokens["viewer"], "tee-red-s", "store")["values"]


def test_value_precedence_is_channel_and_locale_then_locale_then_channel_then_global(
    client: FlaskClient, tokens: dict[str, Headers], tees: None
) -> None:
    """DESIGN.md's precedence, for a localizable and scopable attribute holding values at every level."""
    for code, locale in (("shop", "en_US"), ("kiosk", "fr_FR")):
        channel = {"code": code, "adapter": "google_merchant", "locale": locale, "currency": "EUR", "country": "FR"}
        assert client.post(f"{API}/channels", json=channel, headers=tokens["admin"]).status_code == 201
    variant(client, tokens["editor"], "tee-red-s", "red", "s", values={"description": (
        value("channel and locale", "en_US", "web") + value("locale", "en_US", None)
        + value("channel", None, "store") + value("global", None, None)
    )})

    assert resolved(client, tokens["viewer"], "tee-red-s", "web")["values"]["description"] == "channel and locale"
    assert resolved(client, tokens["viewer"], "tee-red-s", "shop")["values"]["description"] == "locale"
    assert resolved(client, tokens["viewer"], "tee-red-s", "store")["values"]["description"] == "channel"
    assert resolved(client, tokens["viewer"], "tee-red-s", "kiosk")["values"]["description"] == "global"


def test_a_localizable_value_is_read_in_the_channels_locale(
    client: FlaskClient, tokens: dict[str, Headers], tees: None
) -> None:
    create(client, tokens["editor"], {"sku": "juice", "family": "drinks", "values": {
        "name": value("Orange juice", "en_US") + value("Jus d'orange", "fr_FR"),
        "net_content": value({"amount": "0.75", "unit": "LITER"}), "organic": value(True)}})

    web, store = (resolved(client, tokens["viewer"], "juice", c) for c in ("web", "store"))

    assert web["values"]["name"] == web["labels"]["name"] == "Orange juice"
    assert store["values"]["name"] == store["labels"]["name"] == "Jus d'orange"
    assert web["values"]["net_content"] == {"amount": "0.75", "unit": "LITER"}
    assert web["labels"]["net_content"] == "0.75 l"
    assert web["labels"]["organic"] == "yes"


def test_option_labels_are_in_the_channels_locale(client: FlaskClient, tokens: dict[str, Headers], tees: None) -> None:
    variant(client, tokens["editor"], "tee-red-s", "red", "s")
    variant(client, tokens["editor"], "tee-blue-s", "blue", "s")

    red_web, red_store = (resolved(client, tokens["viewer"], "tee-red-s", c) for c in ("web", "store"))
    blue_web, blue_store = (resolved(client, tokens["viewer"], "tee-blue-s", c) for c in ("web", "store"))

    assert red_web["values"]["color"] == red_store["values"]["color"] == "red"
    assert red_web["labels"]["color"] == "Red"
    assert red_store["labels"]["color"] == "Rouge"
    assert blue_web["labels"]["color"] == "Blue"
    assert blue_store["labels"]["color"] == "blue"  # no French label: the option code stands in
    assert red_web["labels"]["size"] == "s"


def test_the_channels_own_offer_beats_the_default_one(client: FlaskClient, tokens: dict[str, Headers], tees: None) -> None:
    variant(client, tokens["editor"], "tee-red-s", "red", "s", offers=[
        {"currency": "EUR", "price": "20.00"}, {"currency": "EUR", "price": "18.00", "channel": "store"},
        {"currency": "USD", "price": "25.00"}, {"currency": "USD", "price": "99.00", "channel": "store"},
    ])

    store, web = (resolved(client, tokens["viewer"], "tee-red-s", c)["offer"] for c in ("store", "web"))

    assert store["currency"] == "EUR" and Decimal(store["price"]) == Decimal("18")
    assert Decimal(store["current_price"]) == Decimal("18")
    assert web["currency"] == "USD" and Decimal(web["price"]) == Decimal("25")

    patched = client.patch(f"{API}/products/tee-red-s", json={"offers": [
        {"currency": "USD", "price": "25.00"}, {"currency": "USD", "price": "22.00", "channel": "web"}]},
        headers=tokens["editor"])
    assert patched.status_code == 200, patched.json
    assert Decimal(resolved(client, tokens["viewer"], "tee-red-s", "web")["offer"]["price"]) == Decimal("22")
    assert resolved(client, tokens["viewer"], "tee-red-s", "store")["offer"] is None  # no EUR offer any more


def test_an_offer_in_another_currency_is_not_the_channels(client: FlaskClient, tokens: dict[str, Headers], tees: None) -> None:
    variant(client, tokens["editor"], "tee-red-s", "red", "s", offers=[{"currency": "EUR", "price": "20"}])
    assert resolved(client, tokens["viewer"], "tee-red-s", "web")["offer"] is None
    assert Decimal(resolved(client, tokens["viewer"], "tee-red-s", "store")["offer"]["price"]) == Decimal("20")


@pytest.mark.parametrize("at, on_sale, current, announced", [
    (BEFORE_SALE, False, "30", True),
    (SALE_START, True, "20", True),
    (DURING_SALE, True, "20", True),
    (SALE_END, False, "30", False),
    (AFTER_SALE, False, "30", False),
], ids=["before", "at the start", "during", "at the end", "after"])
def test_the_sale_price_applies_only_inside_its_dates(
    client: FlaskClient, tokens: dict[str, Headers], tees: None, at: str, on_sale: bool, current: str, announced: bool
) -> None:
    variant(client, tokens["editor"], "tee-red-s", "red", "s", offers=[
        {"currency": "USD", "price": "30.00", "sale_price": "20.00", "sale_start": SALE_START, "sale_end": SALE_END}])

    offer = resolved(client, tokens["viewer"], "tee-red-s", "web", at)["offer"]

    assert offer["on_sale"] is on_sale
    assert Decimal(offer["current_price"]) == Decimal(current)
    assert Decimal(offer["price"]) == Decimal("30")
    if announced:  # a sale that has not ended is still shown, so channels can announce it
        assert Decimal(offer["sale_price"]) == Decimal("20")
    else:
        assert offer["sale_price"] is None and offer["sale_end"] is None


def test_an_open_ended_sale_runs_from_its_start(client: FlaskClient, tokens: dict[str, Headers], tees: None) -> None:
    variant(client, tokens["editor"], "tee-red-s", "red", "s", offers=[
        {"currency": "USD", "price": "30", "sale_price": "25", "sale_start": SALE_START}])
    assert resolved(client, tokens["viewer"], "tee-red-s", "web", BEFORE_SALE)["offer"]["on_sale"] is False
    assert resolved(client, tokens["viewer"], "tee-red-s", "web", "2099-01-01T00:00:00+00:00")["offer"]["on_sale"] is True


def test_availability_comes_from_warehouse_stock(client: FlaskClient, tokens: dict[str, Headers], tees: None) -> None:
    created = variant(client, tokens["editor"], "tee-red-s", "red", "s")
    history = client.get(f"{API}/products/tee-red-s/history", headers=tokens["viewer"]).json
    assert resolved(client, tokens["viewer"], "tee-red-s", "web")["availability"] == "out_of_stock"

    def post_stock(lines: list[dict[str, Any]]) -> None:
        response = client.post(f"{API}/stock", json=lines, headers=tokens["editor"])
        assert response.status_code == 200 and response.json == {"updated": len(lines)}, response.json

    post_stock([{"sku": "tee-red-s", "location": "paris", "quantity": 5}, {"sku": "tee-red-s", "location": "wh", "quantity": 0}])
    view = resolved(client, tokens["viewer"], "tee-red-s", "web")
    assert view["availability"] == "out_of_stock"  # store shelves do not make it available online
    assert sorted((s["location"], s["type"], s["quantity"]) for s in view["stock"]) == [
        ("paris", "store", 5), ("wh", "warehouse", 0)]

    post_stock([{"sku": "tee-red-s", "location": "wh", "quantity": 3}])
    assert resolved(client, tokens["viewer"], "tee-red-s", "web")["availability"] == "in_stock"

    post_stock([{"sku": "tee-red-s", "location": "wh", "quantity": 0}])
    assert resolved(client, tokens["viewer"], "tee-red-s", "web")["availability"] == "out_of_stock"

    product = client.get(f"{API}/products/tee-red-s", headers=tokens["viewer"]).json
    assert sorted((s["location"], s["quantity"]) for s in product["stock"]) == [("paris", 5), ("wh", 0)]
    assert product["revision"] == created["revision"]  # stock is not part of the product's history
    assert client.get(f"{API}/products/tee-red-s/history", headers=tokens["viewer"]).json == history


def test_the_channels_category_map_and_title_template_apply(
    client: FlaskClient, tokens: dict[str, Headers], tees: None
) -> None:
    variant(client, tokens["editor"], "tee-red-s", "red", "s")
    guide = client.put(f"{API}/brand-guide", json={"brand_names": ["Acme"], "title_template": "{brand} {name}"},
                       headers=tokens["editor"])
    assert guide.status_code == 200
    assert resolved(client, tokens["viewer"], "tee-red-s", "web")["title"] == "Acme Classic tee"
    assert resolved(client, tokens["viewer"], "tee-red-s", "web")["mapped_category"] is None

    mapping = {"mapping": {"category_map": {"apparel": "1604"}, "title_template": "{name} - {color}"}}
    assert client.patch(f"{API}/channels/web", json=mapping, headers=tokens["admin"]).status_code == 200

    view = resolved(client, tokens["viewer"], "tee-red-s", "web")
    assert view["mapped_category"] == "1604"  # found by walking up from tops to apparel
    assert view["title"] == "Classic tee - Red"
    assert resolved(client, tokens["viewer"], "tee-red-s", "store")["title"] == "Acme"  # no French name: no gap left


def test_the_resolved_view_answers_404_and_422_for_what_it_cannot_resolve(
    client: FlaskClient, tokens: dict[str, Headers], tees: None
) -> None:
    variant(client, tokens["editor"], "tee-red-s", "red", "s")
    assert_problem(client.get(f"{API}/products/ghost/resolved/web", headers=tokens["viewer"]), 404)
    assert_problem(client.get(f"{API}/products/tee-red-s/resolved/amazon", headers=tokens["viewer"]), 404)
    assert_problem(client.get(f"{API}/products/tee-red-s/resolved/web", query_string={"at": "2030-01-15T12:00:00"},
                              headers=tokens["viewer"]), 422, "at")
    assert_problem(client.get(f"{API}/products/tee-red-s/resolved/web", query_string={"at": "next tuesday"},
                              headers=tokens["viewer"]), 422, "at")
