"""The routes every collection shares: create, read, replace, merge-patch and delete."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.store.category_members import CategoryMember
from hub.store.completeness import ProductCompleteness
from hub.store.documents import ProductDocument, ProductDocumentBody
from hub.store.models import Attribute, Category, Channel, Family, Product
from tests.factories import value
from tests.integration.helpers import API, Headers, assert_problem, everything, read, row_count

# collection -> (key field, a new record's body, the role that writes it)
NEW: dict[str, tuple[str, dict[str, Any], str]] = {
    "attributes": ("code", {"code": "weight", "type": "measurement", "unit": "KILOGRAM", "labels": {"en_US": "Weight"}},
                   "editor"),
    "families": ("code", {"code": "shoes", "attributes": ["name", "size"], "requirements": {"store": ["name"]}}, "editor"),
    "categories": ("code", {"code": "shirts", "parent": "tops", "labels": {"fr_FR": "Chemises"}}, "editor"),
    "locations": ("code", {"code": "lyon", "type": "store", "name": "Lyon", "country": "FR",
                           "address": {"city": "Lyon", "postal_code": "69001"}}, "editor"),
    "channels": ("code", {"code": "amazon", "adapter": "bmecat", "locale": "fr_FR", "currency": "EUR", "country": "FR",
                          "schedule": "0 3 * * *"}, "admin"),
    "locales": ("code", {"code": "de_DE", "label": "Deutsch"}, "admin"),
    "currencies": ("code", {"code": "GBP", "label": "Pound sterling"}, "admin"),
    "product-models": ("code", {"code": "hoodie", "family": "tees", "variant_axes": ["size"],
                                "values": {"brand": value("Acme")}}, "editor"),
    "products": ("sku", {"sku": "water", "family": "drinks", "values": {"name": value("Water", "en_US")},
                         "offers": [{"currency": "EUR", "price": "0.90"}]}, "editor"),
}
EXISTING: dict[str, str] = {
    "attributes": "brand", "families": "drinks", "categories": "grocery", "locations": "paris", "channels": "store",
    "locales": "fr_FR", "currencies": "USD", "product-models": "tee", "products": "juice",
}


def contains(whole: dict[str, Any], part: dict[str, Any]) -> bool:
    return all(whole.get(k) == v for k, v in part.items() if k not in ("offers", "schedule"))


@pytest.mark.parametrize("collection", list(NEW))
def test_post_creates_and_answers_201_with_location_and_etag(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, collection: str
) -> None:
    key, body, role = NEW[collection]

    response = client.post(f"{API}/{collection}", json=body, headers=tokens[role])

    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith(f"/api/v1/{collection}/{body[key]}")
    assert response.headers["ETag"]
    assert contains(response.json, body)
    status, again, etag = read(client, response.headers["Location"], tokens["admin"])
    assert status == 200 and again == response.json and etag == response.headers["ETag"]


@pytest.mark.parametrize("collection", list(NEW))
def test_post_of_an_existing_key_gets_409_and_changes_nothing(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, collection: str
) -> None:
    key, body, role = NEW[collection]
    existing = client.get(f"{API}/{collection}/{EXISTING[collection]}", headers=tokens["admin"]).json
    before = everything(client, tokens["admin"])
    duplicate = {**body, key: EXISTING[collection]}
    if collection == "product-models":
        duplicate["variant_axes"] = ["color", "size"]

    response = client.post(f"{API}/{collection}", json=duplicate, headers=tokens[role])

    problem = assert_problem(response, 409)
    assert EXISTING[collection] in problem["detail"]
    assert everything(client, tokens["admin"]) == before
    assert client.get(f"{API}/{collection}/{EXISTING[collection]}", headers=tokens["admin"]).json == existing


@pytest.mark.parametrize("collection", list(NEW))
def test_put_creates_with_201_then_replaces_with_200(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, collection: str
) -> None:
    key, body, role = NEW[collection]
    url = f"{API}/{collection}/{body[key]}"

    created = client.put(url, json=body, headers=tokens[role])
    assert created.status_code == 201, created.json
    assert created.headers["Location"].endswith(url) and created.headers["ETag"]

    replaced_body = {**body, **({"labels": {"en_US": "Replaced"}} if collection in (
        "attributes", "families", "categories", "channels") else {})}
    if collection in ("locales", "currencies"):
        replaced_body["label"] = "Replaced"
    if collection == "locations":
        replaced_body["name"] = "Replaced"
    if collection in ("product-models", "products"):
        replaced_body["values"] = {"brand": value("Replaced")}
    replaced = client.put(url, json=replaced_body, headers=tokens[role])

    assert replaced.status_code == 200, replaced.json
    assert "Location" not in replaced.headers
    assert replaced.headers["ETag"] != created.headers["ETag"]
    assert contains(replaced.json, replaced_body)
    assert read(client, url, tokens["admin"])[1] == replaced.json


def test_put_replaces_the_whole_product(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    response = client.put(f"{API}/products/juice", json={"sku": "juice", "family": "drinks",
                                                          "values": {"brand": value("Acme")}}, headers=tokens["editor"])
    assert response.status_code == 200
    assert response.json["values"] == {"brand": value("Acme")}  # names, EAN and litre are gone
    assert response.json["offers"] == []


def test_put_to_a_url_naming_another_key_gets_422(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    response = client.put(f"{API}/attributes/weight", json={"code": "mass", "type": "number"}, headers=tokens["editor"])
    assert_problem(response, 422, "code", "mass", "weight")
    assert read(client, f"{API}/attributes/weight", tokens["viewer"])[0] == 404
    assert read(client, f"{API}/attributes/mass", tokens["viewer"])[0] == 404


def test_patch_merges_values_per_attribute_locale_and_scope(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    response = client.patch(f"{API}/products/juice", json={"values": {"name": value("Jus d'orange frais", "fr_FR")}},
                            headers=tokens["editor"])

    assert response.status_code == 200, response.json
    names = {e["locale"]: e["data"] for e in response.json["values"]["name"]}
    assert names == {"en_US": "Orange juice", "fr_FR": "Jus d'orange frais"}
    assert response.json["values"]["ean"] and response.json["values"]["net_content"]  # untouched attributes stay
    assert response.json["offers"][0]["currency"] == "EUR"  # untouched fields stay


def test_patch_merges_scoped_values_per_channel(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    first = client.patch(f"{API}/products/tee-red-s", json={"values": {"description": (
        value("web en", "en_US", "web") + value("store en", "en_US", "store") + value("web fr", "fr_FR", "web"))}},
        headers=tokens["editor"])
    assert first.status_code == 200, first.json

    second = client.patch(f"{API}/products/tee-red-s", json={"values": {"description": value("new web en", "en_US", "web")}},
                          headers=tokens["editor"])

    stored = {(e["locale"], e["scope"]): e["data"] for e in second.json["values"]["description"]}
    assert stored == {("en_US", "web"): "new web en", ("en_US", "store"): "store en", ("fr_FR", "web"): "web fr"}


def test_patch_with_null_data_removes_one_value_and_null_removes_the_attribute(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    one = client.patch(f"{API}/products/juice", json={"values": {"name": value(None, "fr_FR")}},
                       headers=tokens["editor"])
    assert one.status_code == 200
    assert one.json["values"]["name"] == value("Orange juice", "en_US")

    every = client.patch(f"{API}/products/juice", json={"values": {"name": None}}, headers=tokens["editor"],
                         content_type="application/merge-patch+json")
    assert every.status_code == 200
    assert "name" not in every.json["values"] and "ean" in every.json["values"]


def test_patch_replaces_lists_and_resets_nulled_fields(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    client.patch(f"{API}/products/juice", json={"categories": ["grocery"]}, headers=tokens["editor"])
    response = client.patch(f"{API}/products/juice", json={"offers": [{"currency": "USD", "price": "3"}], "categories": None},
                            headers=tokens["editor"])
    assert response.status_code == 200, response.json
    assert [o["currency"] for o in response.json["offers"]] == ["USD"]
    assert response.json["categories"] == []


def test_patch_merges_nested_objects(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    first = client.patch(f"{API}/channels/web", json={"mapping": {"category_map": {"tops": "212"}}}, headers=tokens["admin"])
    assert first.status_code == 200, first.json
    second = client.patch(f"{API}/channels/web", json={"mapping": {"title_template": "{name}"}}, headers=tokens["admin"])
    assert second.status_code == 200
    assert second.json["mapping"]["category_map"] == {"tops": "212"}
    assert second.json["mapping"]["title_template"] == "{name}"
    assert second.json["locale"] == "en_US"


def test_patch_that_is_not_an_object_gets_422(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    before = read(client, f"{API}/products/juice", tokens["viewer"])
    assert_problem(client.patch(f"{API}/products/juice", json=["enabled"], headers=tokens["editor"]), 422, "body")
    assert read(client, f"{API}/products/juice", tokens["viewer"]) == before


@pytest.mark.parametrize("collection", list(NEW))
def test_delete_answers_204_and_the_resource_is_gone(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, collection: str
) -> None:
    key, body, role = NEW[collection]
    assert client.post(f"{API}/{collection}", json=body, headers=tokens[role]).status_code == 201
    url = f"{API}/{collection}/{body[key]}"

    response = client.delete(url, headers=tokens[role])

    assert response.status_code == 204 and response.data == b""
    assert_problem(client.get(url, headers=tokens["admin"]), 404)
    assert_problem(client.delete(url, headers=tokens[role]), 404)
    listed = client.get(f"{API}/{collection}", query_string={"limit": 1000}, headers=tokens["admin"]).json["items"]
    assert body[key] not in [item[key] for item in listed]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_unknown_key_is_404(client: FlaskClient, tokens: dict[str, Headers], seeded: None, method: str) -> None:
    for collection in NEW:
        response = client.open(f"{API}/{collection}/ghost", method=method, json={} if method == "PATCH" else None,
                               headers=tokens["admin"])
        assert_problem(response, 404)


def test_deleting_an_attribute_a_family_uses_gets_409(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    attributes = row_count(db_session, Attribute)
    problem = assert_problem(client.delete(f"{API}/attributes/ean", headers=tokens["editor"]), 409)
    assert "tees" in problem["detail"] and "drinks" in problem["detail"]
    assert row_count(db_session, Attribute) == attributes
    assert read(client, f"{API}/attributes/ean", tokens["viewer"])[0] == 200
    assert client.get(f"{API}/families/drinks", headers=tokens["viewer"]).json["attributes"].count("ean") == 1


def test_an_attribute_can_be_deleted_once_no_family_uses_it(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    family = client.get(f"{API}/families/drinks", headers=tokens["editor"]).json
    without = [a for a in family["attributes"] if a != "url"]
    assert client.patch(f"{API}/families/drinks", json={"attributes": without}, headers=tokens["editor"]).status_code == 200
    assert client.delete(f"{API}/attributes/url", headers=tokens["editor"]).status_code == 204


@pytest.mark.parametrize("path, role, mentions", [
    ("/families/drinks", "editor", "products"),
    ("/categories/apparel", "editor", "subcategories"),
    ("/product-models/tee", "editor", "variants"),
    ("/locales/fr_FR", "admin", "store"),
    ("/currencies/USD", "admin", "web"),
])
def test_deleting_something_still_in_use_gets_409(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, path: str, role: str, mentions: str
) -> None:
    before = everything(client, tokens["admin"])
    problem = assert_problem(client.delete(API + path, headers=tokens[role]), 409)
    assert mentions in problem["detail"]
    assert everything(client, tokens["admin"]) == before


def test_deleting_a_category_that_classifies_a_product_gets_409(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    assert client.patch(f"{API}/products/juice", json={"categories": ["grocery"]}, headers=tokens["editor"]).status_code == 200
    categories = row_count(db_session, Category)
    assert_problem(client.delete(f"{API}/categories/grocery", headers=tokens["editor"]), 409)
    assert row_count(db_session, Category) == categories


def test_deleting_a_product_keeps_its_family_and_model(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    families, products = row_count(db_session, Family), row_count(db_session, Product)
    assert client.delete(f"{API}/products/tee-red-s", headers=tokens["editor"]).status_code == 204
    assert row_count(db_session, Product) == products - 1 and row_count(db_session, Family) == families
    assert client.delete(f"{API}/product-models/tee", headers=tokens["editor"]).status_code == 204
    assert_problem(client.get(f"{API}/products/tee-red-s/history", headers=tokens["viewer"]), 404)


def test_deleting_a_product_or_a_channel_leaves_none_of_its_derived_rows(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    """The derived tables have no foreign keys to cascade (migration 0014): the services delete their rows."""
    product = db_session.scalar(select(Product.id).where(Product.sku == "juice"))
    channel = db_session.scalar(select(Channel.id).where(Channel.code == "store"))

    def held() -> dict[str, int]:
        db_session.rollback()  # read what the requests committed
        counts = {table.__tablename__: db_session.scalar(select(func.count()).select_from(table).where(table.product_id == product))
                  for table in (ProductCompleteness, CategoryMember, ProductDocument, ProductDocumentBody)}
        counts["channel's completeness"] = db_session.scalar(
            select(func.count()).select_from(ProductCompleteness).where(ProductCompleteness.channel_id == channel))
        return counts

    filed = client.patch(f"{API}/products/juice", json={"categories": ["tops"]}, headers=tokens["editor"])
    assert filed.status_code == 200, filed.json
    assert all(held().values())
    assert client.delete(f"{API}/products/juice", headers=tokens["editor"]).status_code == 204
    assert client.delete(f"{API}/channels/store", headers=tokens["admin"]).status_code == 204

    left = held()
    assert left == dict.fromkeys(left, 0)


def test_patch_merges_a_nested_object_named_values_like_any_other(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    """Only a product's top-level ``values`` merge per (attribute, locale, scope); elsewhere RFC 7396 applies."""
    first = client.patch(f"{API}/channels/web", json={"mapping": {"field_overrides": {"values": {"a": 1}}}},
                         headers=tokens["admin"])
    assert first.status_code == 200, first.json

    second = client.patch(f"{API}/channels/web", json={"mapping": {"field_overrides": {"values": {"b": 2}}}},
                          headers=tokens["admin"])

    assert second.status_code == 200, second.get_data(as_text=True)
    assert second.json["mapping"]["field_overrides"] == {"values": {"a": 1, "b": 2}}


def test_a_store_holding_its_own_prices_stays_a_store(client: FlaskClient, tokens: dict[str, Headers], seeded: None):
    """As a warehouse, the products holding its prices could not be read (the list answered 500)."""
    _, juice, etag = read(client, f"{API}/products/juice", tokens["editor"])
    offers = [*juice["offers"], {"currency": "EUR", "price": "2.20", "location": "paris"}]
    assert client.patch(f"{API}/products/juice", json={"offers": offers}, headers={**tokens["editor"], "If-Match": etag}).status_code == 200
    before = everything(client, tokens["admin"])

    body = {"code": "paris", "type": "warehouse", "name": "Paris", "country": "FR"}
    refused = client.put(f"{API}/locations/paris", json=body, headers=tokens["admin"])

    assert_problem(refused, 422, "type")
    assert "1 offers are this store's own prices" in refused.get_json()["errors"]["type"][0]
    assert everything(client, tokens["admin"]) == before
    assert client.get(f"{API}/products", headers=tokens["viewer"]).status_code == 200
