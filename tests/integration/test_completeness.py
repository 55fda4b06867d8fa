"""Completeness per channel and locale, counting values a variant inherits from its model."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.factories import value
from tests.integration.conftest import GOOD_EAN
from tests.integration.helpers import API, Headers, assert_problem


def completeness(client: FlaskClient, headers: Headers, sku: str) -> dict[str, dict[str, Any]]:
    response = client.get(f"{API}/products/{sku}/completeness", headers=headers)
    assert response.status_code == 200, response.json
    return {row["channel"]: row for row in response.json}


def assert_agrees_with_resolved_view(client: FlaskClient, headers: Headers, sku: str, required: dict[str, list[str]]) -> None:
    """What completeness calls missing is exactly what the channel's resolved view lacks."""
    rows = completeness(client, headers, sku)
    for channel, attributes in required.items():
        values = client.get(f"{API}/products/{sku}/resolved/{channel}", headers=headers).json["values"]
        assert rows[channel]["missing"] == sorted(a for a in attributes if a not in values), channel


def test_a_variant_counts_inherited_values_and_names_what_is_missing(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    rows = completeness(client, tokens["viewer"], "tee-red-s")

    assert rows["web"] == {"channel": "web", "locale": "en_US", "ratio": round(2 / 3, 4), "required": 3, "missing": ["ean"]}
    assert rows["store"] == {"channel": "store", "locale": "fr_FR", "ratio": 0.0, "required": 1, "missing": ["name"]}
    assert_agrees_with_resolved_view(client, tokens["viewer"], "tee-red-s",
                                     {"web": ["name", "ean", "color"], "store": ["name"]})


def test_filling_values_on_the_variant_or_the_model_completes_it(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    assert client.patch(f"{API}/products/tee-red-s", json={"values": {"ean": value(GOOD_EAN)}},
                        headers=tokens["editor"]).status_code == 200
    assert completeness(client, tokens["viewer"], "tee-red-s")["web"]["ratio"] == 1.0

    assert client.patch(f"{API}/product-models/tee", json={"values": {"name": value("Tee classique", "fr_FR")}},
                        headers=tokens["editor"]).status_code == 200

    rows = completeness(client, tokens["viewer"], "tee-red-s")
    assert rows["store"]["ratio"] == 1.0 and rows["store"]["missing"] == []
    assert_agrees_with_resolved_view(client, tokens["viewer"], "tee-red-s",
                                     {"web": ["name", "ean", "color"], "store": ["name"]})


def test_a_value_in_another_locale_does_not_count(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    created = client.post(f"{API}/products", json={"sku": "water", "family": "drinks", "values": {
        "name": value("Eau", "fr_FR"), "ean": value(GOOD_EAN), "net_content": value({"amount": "1.5"})}},
        headers=tokens["editor"])
    assert created.status_code == 201, created.json

    rows = completeness(client, tokens["viewer"], "water")

    assert rows["web"]["missing"] == ["name"] and rows["web"]["ratio"] == round(2 / 3, 4)
    assert rows["store"] == {"channel": "store", "locale": "fr_FR", "ratio": 1.0, "required": 0, "missing": []}


def test_removing_a_required_value_makes_it_missing_again(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    assert completeness(client, tokens["viewer"], "juice")["web"]["ratio"] == 1.0
    assert client.patch(f"{API}/products/juice", json={"values": {"ean": None}}, headers=tokens["editor"]).status_code == 200
    assert completeness(client, tokens["viewer"], "juice")["web"]["missing"] == ["ean"]


def test_completeness_of_an_unknown_product_is_404(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    assert_problem(client.get(f"{API}/products/ghost/completeness", headers=tokens["viewer"]), 404)
