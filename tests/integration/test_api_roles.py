"""Who may do what: 401 without a valid token, 403 for a role that may not, and feed tokens kept
from those who may not publish."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from hub.store.models import ApiToken, Channel
from tests.factories import value
from tests.integration.helpers import API, Headers, assert_problem, everything, ndjson, tiny_png

WRITES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "create attribute": ("POST", "/attributes", {"json": {"code": "weight", "type": "number"}}),
    "replace family": ("PUT", "/families/drinks", {"json": {"code": "drinks", "attributes": ["name"]}}),
    "patch category": ("PATCH", "/categories/tops", {"json": {"labels": {"en_US": "T-shirts"}}}),
    "delete location": ("DELETE", "/locations/paris", {}),
    "create product model": ("POST", "/product-models",
                             {"json": {"code": "hoodie", "family": "tees", "variant_axes": ["size"]}}),
    "create product": ("POST", "/products", {"json": {"sku": "water", "family": "drinks"}}),
    "replace product": ("PUT", "/products/juice", {"json": {"sku": "juice", "family": "drinks"}}),
    "patch product": ("PATCH", "/products/juice", {"json": {"enabled": False}}),
    "delete product": ("DELETE", "/products/juice", {}),
    "bulk patch products": ("PATCH", "/products", {"data": ndjson({"sku": "water", "family": "drinks"}),
                                                   "content_type": "application/x-ndjson"}),
    "set stock": ("POST", "/stock", {"json": [{"sku": "juice", "location": "wh", "quantity": 0}]}),
    "put brand guide": ("PUT", "/brand-guide", {"json": {"brand_names": []}}),
    "revert product": ("POST", "/products/juice/revert", {"json": {"version": 1}}),
    "upload media": ("POST", "/media", {"data": {"file": (io.BytesIO(b""), "x.png")}, "content_type": "multipart/form-data"}),
}


def _call(client: FlaskClient, method: str, path: str, kwargs: dict[str, Any], headers: Headers) -> Any:
    if "data" in kwargs and isinstance(kwargs["data"], dict):  # a fresh file object for every request
        kwargs = {**kwargs, "data": {"file": (io.BytesIO(tiny_png()), "x.png")}}
    return client.open(API + path, method=method, headers=headers, **kwargs)


@pytest.mark.parametrize("name", list(WRITES))
def test_a_viewer_cannot_write(client: FlaskClient, tokens: dict[str, Headers], seeded: None, name: str) -> None:
    method, path, kwargs = WRITES[name]
    before = everything(client, tokens["admin"])

    response = _call(client, method, path, kwargs, tokens["viewer"])

    problem = assert_problem(response, 403)
    assert "viewer" in problem["detail"]
    assert everything(client, tokens["admin"]) == before


@pytest.mark.parametrize("name", ["create attribute", "patch product", "delete product", "set stock"])
def test_without_a_token_writes_get_401(client: FlaskClient, tokens: dict[str, Headers], seeded: None, name: str) -> None:
    method, path, kwargs = WRITES[name]
    before = everything(client, tokens["admin"])
    response = _call(client, method, path, kwargs, {})
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert everything(client, tokens["admin"]) == before


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer cc_this-token-was-never-issued"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"Authorization": "cc_token-without-a-scheme"},
], ids=["none", "unknown", "empty", "basic", "no scheme"])
@pytest.mark.parametrize("path", ["/products", "/products/juice", "/attributes", "/channels/web", "/brand-guide",
                                  "/products/juice/resolved/web"])
def test_reads_without_a_valid_token_get_401(
    client: FlaskClient, seeded: None, headers: Headers, path: str
) -> None:
    response = client.get(API + path, headers=headers)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="crosscanal"'
    assert set(response.json) <= {"type", "title", "status", "detail", "instance"}
    assert "Orange juice" not in response.get_data(as_text=True)


def test_a_revoked_token_gets_401(client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None) -> None:
    assert client.get(f"{API}/products", headers=tokens["editor"]).status_code == 200
    db_session.execute(update(ApiToken).where(ApiToken.role == "editor").values(revoked=True))
    db_session.commit()
    assert_problem(client.get(f"{API}/products", headers=tokens["editor"]), 401)
    assert client.get(f"{API}/products", headers=tokens["viewer"]).status_code == 200


@pytest.mark.parametrize("role", ["viewer", "editor", "publisher", "admin"])
def test_every_role_reads(client: FlaskClient, tokens: dict[str, Headers], seeded: None, role: str) -> None:
    for path in ("/products", "/products/juice", "/products/juice/history", "/products/juice/completeness",
                 "/products/juice/resolved/store", "/attributes", "/channels", "/brand-guide"):
        assert client.get(API + path, headers=tokens[role]).status_code == 200, (role, path)


@pytest.mark.parametrize("role", ["editor", "publisher", "admin"])
def test_editors_and_above_write_catalog_data(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, role: str
) -> None:
    created = client.post(f"{API}/products", json={"sku": f"water-{role}", "family": "drinks",
                                                   "values": {"name": value("Water", "en_US")}}, headers=tokens[role])
    assert created.status_code == 201, created.json
    assert client.post(f"{API}/stock", json=[{"sku": f"water-{role}", "location": "wh", "quantity": 2}],
                       headers=tokens[role]).json == {"updated": 1}


CHANNEL = {"code": "amazon", "adapter": "bmecat", "locale": "en_US", "currency": "USD", "country": "US"}


@pytest.mark.parametrize("role", ["editor", "publisher"])
@pytest.mark.parametrize("method, path, body", [
    ("POST", "/channels", CHANNEL),
    ("PUT", "/channels/web", {**CHANNEL, "code": "web"}),
    ("PATCH", "/channels/web", {"country": "CA"}),
    ("DELETE", "/channels/store", None),
    ("POST", "/channels/web/feed-token", None),
    ("POST", "/locales", {"code": "de_DE"}),
    ("POST", "/currencies", {"code": "GBP"}),
    ("DELETE", "/currencies/USD", None),
])
def test_only_an_admin_manages_channels_locales_and_currencies(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, role: str, method: str, path: str, body: Any
) -> None:
    before = everything(client, tokens["admin"])
    response = client.open(API + path, method=method, json=body, headers=tokens[role])
    problem = assert_problem(response, 403)
    assert "admin" in problem["detail"]
    assert everything(client, tokens["admin"]) == before


def test_an_admin_creates_a_channel(client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None) -> None:
    response = client.post(f"{API}/channels", json=CHANNEL, headers=tokens["admin"])
    assert response.status_code == 201, response.json
    assert response.json["feed_token"]
    db_session.rollback()
    db_session.expire_all()
    stored = db_session.query(Channel).filter_by(code="amazon").one()
    assert stored.feed_token == response.json["feed_token"]


@pytest.mark.parametrize("role, sees", [("viewer", False), ("editor", False), ("publisher", True), ("admin", True)])
def test_only_publishers_and_admins_see_feed_tokens(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None, role: str, sees: bool
) -> None:
    db_session.rollback()
    db_session.expire_all()
    secret = db_session.query(Channel).filter_by(code="web").one().feed_token
    assert secret

    one = client.get(f"{API}/channels/web", headers=tokens[role])
    listed = client.get(f"{API}/channels", headers=tokens[role]).json["items"]

    assert one.status_code == 200 and one.json["code"] == "web"
    assert ("feed_token" in one.json) is sees
    assert all(("feed_token" in item) is sees for item in listed) and len(listed) == 2
    if sees:
        assert one.json["feed_token"] == secret
    else:
        assert secret not in one.get_data(as_text=True)
        assert secret not in client.get(f"{API}/channels", headers=tokens[role]).get_data(as_text=True)


def test_the_etag_does_not_leak_the_feed_token_and_is_the_same_for_every_role(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    tags = {client.get(f"{API}/channels/web", headers=tokens[role]).headers["ETag"] for role in tokens}
    assert len(tags) == 1
    before = client.get(f"{API}/channels/web", headers=tokens["admin"])
    rotated = client.post(f"{API}/channels/web/feed-token", headers=tokens["admin"])
    assert rotated.status_code == 200 and rotated.json["feed_token"] != before.json["feed_token"]
