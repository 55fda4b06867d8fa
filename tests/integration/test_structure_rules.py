"""Rules about the catalog's shape: the category tree has no loops; variants differ on their axes."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import value
from tests.integration.helpers import API, Headers, assert_problem, everything


def tree(client: FlaskClient, headers: Headers) -> dict[str, Any]:
    items = client.get(f"{API}/categories", query_string={"limit": 1000}, headers=headers).json["items"]
    return {c["code"]: c["parent"] for c in items}


@pytest.mark.parametrize("method, code, body", [
    ("PATCH", "apparel", {"parent": "tops"}),  # a child would become its parent's parent
    ("PATCH", "apparel", {"parent": "apparel"}),  # its own parent
    ("PUT", "tops", {"code": "tops", "parent": "tops"}),
])
def test_a_category_cannot_become_its_own_descendant(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, method: str, code: str, body: dict[str, Any]
) -> None:
    before = everything(client, tokens["admin"])
    response = client.open(f"{API}/categories/{code}", method=method, json=body, headers=tokens["editor"])
    assert_problem(response, 422, "parent", "loop")
    assert everything(client, tokens["admin"]) == before


def test_a_loop_through_several_levels_is_refused(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    for code, parent in (("shirts", "tops"), ("oxford", "shirts")):
        assert client.post(f"{API}/categories", json={"code": code, "parent": parent}, headers=tokens["editor"]).status_code == 201
    before = tree(client, tokens["viewer"])

    response = client.patch(f"{API}/categories/apparel", json={"parent": "oxford"}, headers=tokens["editor"])

    assert_problem(response, 422, "parent", "loop")
    assert tree(client, tokens["viewer"]) == before == {
        "apparel": None, "grocery": None, "oxford": "shirts", "shirts": "tops", "tops": "apparel"}


def test_moving_a_category_elsewhere_in_the_tree_is_allowed(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    response = client.patch(f"{API}/categories/tops", json={"parent": "grocery"}, headers=tokens["editor"])
    assert response.status_code == 200 and response.json["parent"] == "grocery"
    assert client.patch(f"{API}/categories/tops", json={"parent": None}, headers=tokens["editor"]).json["parent"] is None


def test_a_second_variant_with_the_same_axis_values_gets_422(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    before = everything(client, tokens["admin"])
    body = {"sku": "tee-red-s-again", "parent": "tee", "values": {"color": value("red"), "size": value("s")}}

    response = client.post(f"{API}/products", json=body, headers=tokens["editor"])

    assert_problem(response, 422, "values", "tee-red-s", "color=red", "size=s")
    assert everything(client, tokens["admin"]) == before


def test_changing_a_variant_onto_a_siblings_axis_values_gets_422(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    created = client.post(f"{API}/products", json={"sku": "tee-red-m", "parent": "tee",
                                                   "values": {"color": value("red"), "size": value("m")}},
                          headers=tokens["editor"])
    assert created.status_code == 201, created.json
    before = everything(client, tokens["admin"])

    response = client.patch(f"{API}/products/tee-red-m", json={"values": {"size": value("s")}}, headers=tokens["editor"])

    assert_problem(response, 422, "values", "tee-red-s")
    assert everything(client, tokens["admin"]) == before


def test_a_variant_may_save_its_own_axis_values_again(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    response = client.patch(f"{API}/products/tee-red-s", json={"values": {"brand": value("Acme Kids")}},
                            headers=tokens["editor"])
    assert response.status_code == 200, response.json


@pytest.mark.parametrize("values, missing", [
    ({"color": value("blue")}, "size"),
    ({"size": value("m")}, "color"),
    ({}, "color"),
])
def test_a_variant_without_its_axis_value_gets_422(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, values: dict[str, Any], missing: str
) -> None:
    before = everything(client, tokens["admin"])
    response = client.post(f"{API}/products", json={"sku": "tee-x", "parent": "tee", "values": values},
                           headers=tokens["editor"])
    assert_problem(response, 422, f"values.{missing}", "axis", missing)
    assert everything(client, tokens["admin"]) == before


def test_removing_a_variants_axis_value_gets_422(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    before = everything(client, tokens["admin"])
    response = client.patch(f"{API}/products/tee-red-s", json={"values": {"size": None}}, headers=tokens["editor"])
    assert_problem(response, 422, "values.size", "axis")
    assert everything(client, tokens["admin"]) == before


def test_a_variant_belongs_to_its_models_family(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    body = {"sku": "tee-blue-s", "parent": "tee", "family": "drinks", "values": {"color": value("blue"), "size": value("s")}}
    assert_problem(client.post(f"{API}/products", json=body, headers=tokens["editor"]), 422, "family", "tees")
    unknown = {"sku": "tee-blue-s", "parent": "sweater", "values": {"color": value("blue"), "size": value("s")}}
    assert_problem(client.post(f"{API}/products", json=unknown, headers=tokens["editor"]), 422, "parent", "sweater")


def test_a_models_axes_cannot_change_while_it_has_variants(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    before = everything(client, tokens["admin"])
    response = client.patch(f"{API}/product-models/tee", json={"variant_axes": ["color"]}, headers=tokens["editor"])
    assert_problem(response, 422, "variant_axes", "variants")
    duplicate = client.post(f"{API}/product-models", json={"code": "polo", "family": "tees", "variant_axes": ["size", "size"]},
                            headers=tokens["editor"])
    assert_problem(duplicate, 422, "variant_axes", "twice")
    assert everything(client, tokens["admin"]) == before
