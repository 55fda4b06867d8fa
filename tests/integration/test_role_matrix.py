"""Every operation of the served OpenAPI document, and every route of the UI, against every kind
of caller, as the design's roles say: viewers read; editors write catalog data; publishers also publish; admins also manage
channels, locales, currencies, users and tokens, and read the audit log. A caller without a valid API token (none, a
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
    ("GET", r"/(users|tokens|audit-log)", "admin"),
    ("GET", r".*", "viewer"),
    ("POST", r"/channels/\{code\}/publications", "publisher"),
    ("POST", r"/exports", "viewer"),
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


UI_RULES: list[tuple[str, str, str]] = [  # the UI's routes, as RULES: (methods, path pattern, least role)
    ("GET", r"/(channels/new-channel|channels/<code>/delete|audit-log)", "admin"),
    ("GET", r"/(attributes|families)/\+new|/products/<sku>/history/<int:version>/revert", "editor"),
    ("GET", r".*", "viewer"),
    ("POST", r"/channels(/<code>(/delete|/feed-token)?)?", "admin"),
    ("POST", r"/channels/<code>/publications", "publisher"),
    ("POST", r"/exports", "viewer"),
    ("POST", r"/(attributes|families)(/<code>(/delete)?)?|/brand-guide|/bulk-edits|/imports(/uploads/<token>)?"
             r"|/products/<sku>(/media|/history/<int:version>/revert)?", "editor"),
]
UI_PARAMETERS = {"code": "nothing", "sku": "nothing", "channel": "nothing", "token": "nothing", "filename": "x.pdf",
                 "kind": "products", "fmt": "csv", "job_id": "999999", "publication_id": "999999", "version": "1"}
OUTSIDE = {"ui.sign_in", "ui.sign_out", "ui.static"}  # public, or ending the session the test walks with


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


def signed_in(app, role: str | None) -> tuple[FlaskClient, str]:
    """A client signed in to the UI with ``role`` (None: signed out), and its form token."""
    client = app.test_client()
    token = csrf(client.get("/sign-in").get_data(as_text=True))
    if role is not None:
        answer = client.post("/sign-in", data={"email": f"{role}@example.com", "password": "a long password",
                                               "csrf_token": token})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
        token = csrf(client.get("/").get_data(as_text=True))
    return client, token


def test_every_ui_route_answers_each_role_as_the_roles_say(app, db_session: Session, seeded: None) -> None:
    from hub.services.accounts import create_user

    for role in ROLES:
        create_user(db_session, f"{role}@example.com", "a long password", role)
    db_session.commit()
    callers = {role: signed_in(app, role) for role in (None, *ROLES)}
    routes = [(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("ui.")
              and rule.endpoint not in OUTSIDE for method in sorted(rule.methods & {"GET", "POST"})]
    assert len(routes) > 45
    for method, route in routes:
        needed = next((role for methods, pattern, role in UI_RULES
                       if method in methods.split() and re.fullmatch(pattern, route)), None)
        assert needed is not None, f"no rule says who may {method} {route}: add one to UI_RULES"
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: UI_PARAMETERS[m.group(1)], route)
        for role, (client, token) in callers.items():
            answer = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            if role is None:
                assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"], (method, route)
            elif ROLES.index(role) < ROLES.index(needed):
                assert answer.status_code == 403, (method, route, role, answer.status_code)
                assert needed in answer.get_data(as_text=True), (method, route, role)
            else:
                assert answer.status_code not in (403, 500) and "/sign-in" not in answer.headers.get("Location", ""), \
                    (method, route, role, answer.status_code, answer.get_data(as_text=True)[:300])
            answer.close()
