"""A family that drops an attribute takes its values off the family's products and models,
with a version each, so they can be saved again; an attribute that is a variant axis of one of
the family's models cannot be dropped. Through the API, against the real database."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.integration.helpers import API, Headers, assert_problem, everything, read
from tests.integration.test_product_index import assert_cache_agrees


def without(client: FlaskClient, headers: Headers, family: str, attribute: str) -> Any:
    """PUT the family back without ``attribute`` (and without requiring it)."""
    status, body, etag = read(client, f"{API}/families/{family}", headers)
    assert status == 200
    body = {
        "code": body["code"], "labels": body["labels"],
        "attributes": [a for a in body["attributes"] if a != attribute],
        "requirements": {channel: [a for a in codes if a != attribute] for channel, codes in body["requirements"].items()},
    }
    return client.put(f"{API}/families/{family}", json=body, headers={**headers, "If-Match": etag or ""})


def test_dropping_an_attribute_removes_its_values_with_a_version_and_products_save_again(
        app: Flask, client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    editor = tokens["editor"]
    _, juice, _ = read(client, f"{API}/products/juice", editor)
    assert "ean" in juice["values"]
    before = len(read(client, f"{API}/products/juice/history", editor)[1])
    assert before == 1  # so the drop is the version that stores the creation's state

    response = without(client, editor, "drinks", "ean")
    assert response.status_code == 200, response.get_data(as_text=True)

    _, juice, etag = read(client, f"{API}/products/juice", editor)
    assert "ean" not in juice["values"] and set(juice["values"]) == {"name", "net_content"}
    _, versions, _ = read(client, f"{API}/products/juice/history", editor)
    assert len(versions) == before + 1
    latest = versions[-1]
    assert latest["author"] == "token:test editor"  # who changed the family, not the product's creator
    assert [change["field"] for change in latest["changes"]] == ["values.ean"], latest["changes"]
    assert "ean" in read(client, f"{API}/products/juice/history/1", editor)[1]["values"]
    assert assert_cache_agrees(app)[("juice", "web")][1] == []  # nothing missing: ean is no longer required

    state = {k: juice[k] for k in ("sku", "family", "parent", "enabled", "categories", "values", "offers", "media")}
    saved = client.put(f"{API}/products/juice", json={**state, "enabled": False}, headers={**editor, "If-Match": etag})
    assert saved.status_code == 200, saved.get_data(as_text=True)


def test_a_model_loses_the_value_and_its_variants_no_longer_inherit_it(
        app: Flask, client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    editor = tokens["editor"]
    _, variant, _ = read(client, f"{API}/products/tee-red-s", editor)
    assert "brand" in variant["inherited_values"]

    assert without(client, editor, "tees", "brand").status_code == 200

    _, model, _ = read(client, f"{API}/product-models/tee", editor)
    assert "brand" not in model["values"] and "name" in model["values"]
    _, versions, _ = read(client, f"{API}/product-models/tee/history", editor)
    assert [c["field"] for c in versions[-1]["changes"]] == ["values.brand"]
    _, variant, _ = read(client, f"{API}/products/tee-red-s", editor)
    assert "brand" not in variant["inherited_values"]
    assert len(read(client, f"{API}/products/tee-red-s/history", editor)[1]) == 1  # its own values did not change
    assert_cache_agrees(app)


def test_a_variant_axis_cannot_leave_its_family_and_nothing_changes(
        client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    before = everything(client, tokens["admin"])
    assert_problem(without(client, tokens["editor"], "tees", "size"), 422, "attributes",
                   "'size'", "variant axis", "'tee'")
    assert everything(client, tokens["admin"]) == before
