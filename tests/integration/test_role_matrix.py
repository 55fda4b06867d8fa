"""Every operation of the served OpenAPI document against every kind of caller, as the design's
roles say: viewers read; editors write catalog data; publishers also publish; admins also manage
channels, locales, currencies, users and tokens. A caller without a valid API token (none, a
channel's feed token, a revoked token) gets 401, a role below the operation's 403, and any role
at or above it gets past both. An operation no rule below covers fails the test, so a new route
comes with its rule."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from hub.store.models import ApiToken
from tests.integration.helpers import API, Headers, assert_problem

ROLES = ("viewer", "editor", "publisher", "admin")
ADMIN = r"/(channels(/\{key\}(/feed-token)?)?|locales(/\{key\})?|currencies(/\{key\})?|users|tokens(/\{token_id\})?)"
RULES: list[tuple[str, str, str]] = [  # (methods, path pattern after /api/v1, least role); the first match decides
    ("GET", r"/(users|tokens)", "admin"),
    ("GET", r".*", "viewer"),
    ("POST", r"/channels/\{code\}/publications", "publisher"),
    ("POST PUT PATCH DELETE", ADMIN, "admin"),
    ("POST PUT PATCH DELETE", r"/(attributes|families|categories|locations|products|product-models)(/\{key\}(/revert)?)?", "editor"),
    ("POST PUT DELETE", r"/(stock|brand-guide|media|bulk-edits|imports|column-mappings/\{name\})", "editor"),
]
PARAMETERS = {"key": "nothing", "code": "nothing", "channel": "nothing", "sku": "nothing", "name": "nothing",
              "token_id": "999999", "job_id": "999999", "publication_id": "999999", "number": "1",
              "kind": "products", "fmt": "csv"}


def operations(client: FlaskClient) -> list[tuple[str, str]]:
    spec = client.get(f"{API}/openapi.json").json
    return [(method.upper(), path.removeprefix(API)) for path, item in spec["paths"].items()
            for method in item if method in ("get", "post", "put", "patch", "delete")]


def least_role(method: str, path: str) -> str:
    for methods, pattern, role in RULES:
        if method in methods.split() and re.fullmatch(pattern, path):
            return role
    raise AssertionError(f"no rule says who may {method} {path}: add one to RULES")


def test_every_operation_answers_each_caller_as_the_roles_say(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    feed_token = client.get(f"{API}/channels/web", headers=tokens["admin"]).json["feed_token"]
    revoked = client.post(f"{API}/tokens", json={"role": "admin", "name": "gone"}, headers=tokens["admin"]).json
    db_session.execute(update(ApiToken).where(ApiToken.id == revoked["id"]).values(revoked=True))
    db_session.commit()
    outsiders = {"no token": {}, "feed token": {"Authorization": f"Bearer {feed_token}"},
                 "revoked token": {"Authorization": f"Bearer {revoked['token']}"}}
    found = operations(client)
    assert len(found) > 80
    checked = 0
    for method, path in found:
        url = API + re.sub(r"\{(\w+)\}", lambda m: PARAMETERS[m.group(1)], path)
        needed = least_role(method, path)
        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        for who, headers in outsiders.items():
            assert_problem(client.open(url, method=method, headers=headers, **body), 401)
            checked += 1
        for role in ROLES:
            answer = client.open(url, method=method, headers=tokens[role], **body)
            if ROLES.index(role) < ROLES.index(needed):
                problem = assert_problem(answer, 403)
                assert needed in problem["detail"], (method, path, role, problem)
            else:
                assert answer.status_code not in (401, 403), (method, path, role, answer.get_data(as_text=True)[:300])
            answer.close()
            checked += 1
    assert checked == len(found) * 7


@pytest.mark.parametrize("path", ["/feeds/web/web.xml", "/feeds/store/store.csv"])
def test_a_feed_token_opens_only_its_own_channels_feeds(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, path: str
) -> None:
    web_token = client.get(f"{API}/channels/web", headers=tokens["admin"]).json["feed_token"]
    answer = client.get(path, query_string={"token": web_token})
    if path.startswith("/feeds/web/"):
        assert answer.status_code == 404  # its own channel: let in, nothing published yet
    else:
        assert_problem(answer, 401)
