"""Cursor pages: ``limit`` and ``after`` walk a collection with no duplicates or gaps."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests import factories
from tests.factories import value
from tests.integration.helpers import API, Headers, assert_problem

SKUS = [f"sku-{n:02d}" for n in range(11)]


@pytest.fixture
def eleven_products(db_session: Session) -> None:
    factories.catalog(db_session)
    for sku in reversed(SKUS):  # stored in the opposite order to the one pages come in
        factories.product(db_session, sku, values={"name": value(f"Product {sku}", "en_US")})


def walk(client: FlaskClient, headers: Headers, collection: str, limit: int, key: str) -> list[list[str]]:
    """Every page's keys, following ``next`` until it is null."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        query = {"limit": limit, **({"after": cursor} if cursor else {})}
        response = client.get(f"{API}/{collection}", query_string=query, headers=headers)
        assert response.status_code == 200, response.json
        assert set(response.json) == {"items", "next"}
        pages.append([item[key] for item in response.json["items"]])
        cursor = response.json["next"]
        if cursor is None:
            return pages
        assert isinstance(cursor, str) and cursor
        assert len(pages) <= 100, "the cursor never ends"


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 10, 11, 12, 1000])
def test_pages_of_products_cover_every_product_once(
    client: FlaskClient, tokens: dict[str, Headers], eleven_products: None, limit: int
) -> None:
    pages = walk(client, tokens["viewer"], "products", limit, "sku")
    seen = [sku for page in pages for sku in page]
    assert seen == SKUS  # in key order, with no duplicates or gaps
    assert all(len(page) == limit for page in pages[:-1])
    assert 1 <= len(pages[-1]) <= limit
    assert len(pages) == -(-len(SKUS) // limit)


@pytest.mark.parametrize("collection, key", [
    ("attributes", "code"), ("categories", "code"), ("channels", "code"), ("locations", "code"),
    ("families", "code"), ("locales", "code"), ("currencies", "code"),
])
def test_every_collection_pages_the_same_way(
    client: FlaskClient, tokens: dict[str, Headers], eleven_products: None, collection: str, key: str
) -> None:
    everything = client.get(f"{API}/{collection}", query_string={"limit": 1000}, headers=tokens["viewer"]).json
    assert everything["next"] is None
    codes = [item[key] for item in everything["items"]]
    assert codes == sorted(codes) and len(codes) >= 2

    pages = walk(client, tokens["viewer"], collection, 1, key)

    assert [code for page in pages for code in page] == codes


def test_the_default_limit_is_100(client: FlaskClient, tokens: dict[str, Headers], db_session: Session) -> None:
    factories.catalog(db_session)
    for n in range(101):
        created = client.post(f"{API}/products", json={"sku": f"p{n:03d}", "family": "drinks"}, headers=tokens["editor"])
        assert created.status_code == 201
    first = client.get(f"{API}/products", headers=tokens["viewer"]).json
    assert len(first["items"]) == 100 and first["next"]
    rest = client.get(f"{API}/products", query_string={"after": first["next"]}, headers=tokens["viewer"]).json
    assert [item["sku"] for item in rest["items"]] == ["p100"] and rest["next"] is None


def test_a_page_walk_survives_an_insert_behind_the_cursor(
    client: FlaskClient, tokens: dict[str, Headers], eleven_products: None
) -> None:
    first = client.get(f"{API}/products", query_string={"limit": 4}, headers=tokens["viewer"]).json
    assert client.post(f"{API}/products", json={"sku": "sku-00a", "family": "drinks"}, headers=tokens["editor"]).status_code == 201
    second = client.get(f"{API}/products", query_string={"limit": 4, "after": first["next"]}, headers=tokens["viewer"]).json
    assert [p["sku"] for p in first["items"]] == SKUS[:4]
    assert [p["sku"] for p in second["items"]] == SKUS[4:8]


def test_an_empty_collection_is_one_empty_page(client: FlaskClient, tokens: dict[str, Headers]) -> None:
    assert client.get(f"{API}/products", headers=tokens["viewer"]).json == {"items": [], "next": None}


@pytest.mark.parametrize("cursor", ["bogus", "not a cursor!", "sku-03", "!!!"])
def test_a_cursor_the_api_never_gave_gets_400(
    client: FlaskClient, tokens: dict[str, Headers], eleven_products: None, cursor: str
) -> None:
    response = client.get(f"{API}/products", query_string={"limit": 3, "after": cursor}, headers=tokens["viewer"])
    assert_problem(response, 400, "after")


@pytest.mark.parametrize("limit", ["0", "-1", "1001", "ten"])
def test_a_limit_out_of_range_gets_422(
    client: FlaskClient, tokens: dict[str, Headers], eleven_products: None, limit: str
) -> None:
    response = client.get(f"{API}/products", query_string={"limit": limit}, headers=tokens["viewer"])
    assert_problem(response, 422, "limit")
