"""The audit log: each administrative action, through the real API or the command, leaves exactly
one entry naming its actor, action, subject and changed fields, and never a secret; a refused
change leaves none; only admins read it."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.store.models import ApiToken, AuditEntry, User
from tests.integration.helpers import API, Headers, assert_problem

CHANNEL = {"code": "amazon", "adapter": "bmecat", "locale": "fr_FR", "currency": "EUR", "country": "FR"}


def stored(db_session: Session) -> list[dict[str, Any]]:
    """Every stored entry as its row's columns, oldest first, as committed now."""
    db_session.rollback()
    table = AuditEntry.__table__
    return [dict(row._mapping) for row in db_session.execute(select(table).order_by(table.c.id))]


def serialized(row: dict[str, Any]) -> str:
    return json.dumps(row, default=str)


def admin_token(db_session: Session) -> ApiToken:
    return db_session.scalar(select(ApiToken).where(ApiToken.name == "test admin"))


def only_new(db_session: Session, seen: int) -> dict[str, Any]:
    """The one entry written since ``seen`` entries were stored."""
    rows = stored(db_session)
    assert len(rows) == seen + 1, [(r["action"], r["subject_key"]) for r in rows[seen:]]
    return rows[-1]


def assert_entry(row: dict[str, Any], actor: ApiToken, action: str, subject: tuple[str, str], changes: dict[str, Any]) -> None:
    assert (row["actor_kind"], row["actor_id"], row["actor_name"]) == ("token", actor.id, f"token:{actor.name}")
    assert (row["action"], row["subject_kind"], row["subject_key"]) == (action, *subject)
    assert row["changes"] == changes
    assert row["address"] == "127.0.0.1"
    assert row["at"] is not None and row["at"].utcoffset().total_seconds() == 0


def test_token_create_and_revoke_are_recorded_without_the_token(client: FlaskClient, tokens: dict[str, Headers],
                                                                 db_session: Session) -> None:
    actor = admin_token(db_session)
    assert stored(db_session) == []  # the fixtures' own tokens act for nobody
    created = client.post(f"{API}/tokens", json={"role": "editor", "name": "robot"}, headers=tokens["admin"])
    assert created.status_code == 201
    row = only_new(db_session, 0)
    assert_entry(row, actor, "token.create", ("token", str(created.json["id"])), {"name": "robot", "role": "editor"})
    secret = created.json["token"]
    token_hash = db_session.get(ApiToken, created.json["id"]).token_hash
    assert secret not in serialized(row) and token_hash not in serialized(row)

    assert client.delete(f"{API}/tokens/{created.json['id']}", headers=tokens["admin"]).status_code == 204
    row = only_new(db_session, 1)
    assert_entry(row, actor, "token.revoke", ("token", str(created.json["id"])), {"revoked": True})
    assert client.delete(f"{API}/tokens/{created.json['id']}", headers=tokens["admin"]).status_code == 204
    assert_problem(client.delete(f"{API}/tokens/999999", headers=tokens["admin"]), 404)
    assert len(stored(db_session)) == 2  # revoking a revoked token, or none, changes nothing
    assert all(secret not in serialized(r) for r in stored(db_session))


def test_user_create_is_recorded_without_the_password(client: FlaskClient, tokens: dict[str, Headers],
                                                       db_session: Session) -> None:
    password = "a secret passphrase 42"
    created = client.post(f"{API}/users", json={"email": "li@example.com", "password": password, "role": "editor"},
                          headers=tokens["admin"])
    assert created.status_code == 201
    row = only_new(db_session, 0)
    assert_entry(row, admin_token(db_session), "user.create", ("user", "li@example.com"),
                 {"email": "li@example.com", "role": "editor"})
    password_hash = db_session.scalar(select(User.password_hash).where(User.email == "li@example.com"))
    assert password not in serialized(row) and password_hash not in serialized(row)
    assert "password" not in serialized(row)


def test_channel_create_update_rotate_and_delete_are_recorded(client: FlaskClient, tokens: dict[str, Headers],
                                                              db_session: Session, seeded: None) -> None:
    actor, admin = admin_token(db_session), tokens["admin"]
    seen = len(stored(db_session))
    created = client.post(f"{API}/channels", json=CHANNEL, headers=admin)
    assert created.status_code == 201
    row = only_new(db_session, seen)
    state = {k: v for k, v in created.json.items() if k not in ("feed_token", "feed_urls")}
    assert_entry(row, actor, "channel.create", ("channel", "amazon"), state)
    assert created.json["feed_token"] not in serialized(row)

    patched = client.patch(f"{API}/channels/amazon", json={"schedule": "0 3 * * *", "labels": {"en_US": "Amazon"}},
                           headers={**admin, "If-Match": created.headers["ETag"]})
    assert patched.status_code == 200, patched.json
    assert_entry(only_new(db_session, seen + 1), actor, "channel.update", ("channel", "amazon"),
                 {"schedule": "0 3 * * *", "labels": {"en_US": "Amazon"}})

    body = {**CHANNEL, "schedule": "0 3 * * *", "labels": {"en_US": "Amazon"}, "country": "BE"}
    assert client.put(f"{API}/channels/amazon", json=body, headers=admin).status_code == 200
    assert_entry(only_new(db_session, seen + 2), actor, "channel.update", ("channel", "amazon"), {"country": "BE"})
    assert client.put(f"{API}/channels/amazon", json=body, headers=admin).status_code == 200
    assert len(stored(db_session)) == seen + 3  # a save that changes nothing is no action

    old_token = client.get(f"{API}/channels/amazon", headers=admin).json["feed_token"]
    rotated = client.post(f"{API}/channels/amazon/feed-token", headers=admin)
    assert rotated.status_code == 200
    row = only_new(db_session, seen + 3)
    assert_entry(row, actor, "channel.rotate_token", ("channel", "amazon"), {"feed_token": "(secret, not recorded)"})
    assert old_token not in serialized(row) and rotated.json["feed_token"] not in serialized(row)

    assert client.delete(f"{API}/channels/amazon", headers=admin).status_code == 204
    assert_entry(only_new(db_session, seen + 4), actor, "channel.delete", ("channel", "amazon"), {})
    every = " ".join(serialized(r) for r in stored(db_session))
    assert old_token not in every and rotated.json["feed_token"] not in every and created.json["feed_token"] not in every


def test_locales_currencies_and_the_brand_guide_are_recorded(client: FlaskClient, tokens: dict[str, Headers],
                                                             db_session: Session, seeded: None) -> None:
    actor = admin_token(db_session)
    seen = len(stored(db_session))
    assert client.post(f"{API}/locales", json={"code": "de_DE", "label": "Deutsch"}, headers=tokens["admin"]).status_code == 201
    assert_entry(only_new(db_session, seen), actor, "locale.create", ("locale", "de_DE"), {"code": "de_DE", "label": "Deutsch"})
    assert client.delete(f"{API}/currencies/USD", headers=tokens["admin"]).status_code == 409  # web uses it
    assert len(stored(db_session)) == seen + 1

    guide = client.get(f"{API}/brand-guide", headers=tokens["editor"])
    changed = client.put(f"{API}/brand-guide", json={**guide.json, "banned_words": ["cheap", "free"]},
                         headers={**tokens["editor"], "If-Match": guide.headers["ETag"]})
    assert changed.status_code == 200
    row = only_new(db_session, seen + 1)
    editor = db_session.scalar(select(ApiToken).where(ApiToken.name == "test editor"))
    assert (row["actor_kind"], row["actor_id"], row["action"]) == ("token", editor.id, "brand_guide.update")
    assert (row["subject_kind"], row["subject_key"], row["changes"]) == ("brand_guide", "brand_guide",
                                                                         {"banned_words": ["cheap", "free"]})


def test_a_refused_change_leaves_no_entry(client: FlaskClient, tokens: dict[str, Headers], db_session: Session,
                                          seeded: None) -> None:
    admin = tokens["admin"]
    seen = len(stored(db_session))
    assert_problem(client.post(f"{API}/channels", json={**CHANNEL, "locale": "xx_XX"}, headers=admin), 422, "locale")
    assert_problem(client.post(f"{API}/channels", json={**CHANNEL, "code": "web"}, headers=admin), 409)
    assert_problem(client.post(f"{API}/channels", json={**CHANNEL, "schedule": "every day"}, headers=admin), 422, "schedule")
    assert_problem(client.patch(f"{API}/channels/web", json={"country": "DE"}, headers={**admin, "If-Match": '"stale"'}), 412)
    assert_problem(client.put(f"{API}/channels/web", json={**CHANNEL, "code": "web"}, headers={**admin, "If-Match": '"stale"'}), 412)
    assert_problem(client.delete(f"{API}/channels/web", headers={**admin, "If-Match": '"stale"'}), 412)
    assert_problem(client.post(f"{API}/channels/web/feed-token", headers={**admin, "If-Match": '"stale"'}), 412)
    assert_problem(client.post(f"{API}/users", json={"email": "x@example.com", "password": "short", "role": "admin"},
                               headers=admin), 422, "password")
    assert_problem(client.post(f"{API}/tokens", json={"role": "owner"}, headers=admin), 422, "role")
    guide = client.get(f"{API}/brand-guide", headers=admin).json
    assert_problem(client.put(f"{API}/brand-guide", json={**guide, "banned_words": ["x"]},
                              headers={**admin, "If-Match": '"stale"'}), 412)
    assert_problem(client.put(f"{API}/brand-guide", json={**guide, "title_template": 3}, headers=admin), 422, "title_template")
    assert len(stored(db_session)) == seen


def test_a_user_created_twice_is_recorded_once(client: FlaskClient, tokens: dict[str, Headers], db_session: Session) -> None:
    body = {"email": "li@example.com", "password": "a long passphrase", "role": "viewer"}
    assert client.post(f"{API}/users", json=body, headers=tokens["admin"]).status_code == 201
    assert_problem(client.post(f"{API}/users", json=body, headers=tokens["admin"]), 409)
    assert [row["action"] for row in stored(db_session)] == ["user.create"]



def test_the_command_records_its_token_and_user_creations_as_cli(run, db_session: Session) -> None:
    result = run("token", "create", "--role", "publisher", "--name", "ci")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    token = db_session.scalar(select(ApiToken).where(ApiToken.name == "ci"))
    row = only_new(db_session, 0)
    assert (row["actor_kind"], row["actor_id"], row["actor_name"], row["address"]) == ("cli", None, "cli", None)
    assert (row["action"], row["subject_kind"], row["subject_key"]) == ("token.create", "token", str(token.id))
    assert row["changes"] == {"name": "ci", "role": "publisher"}
    assert secret not in serialized(row) and token.token_hash not in serialized(row)

    password = "correct horse battery"
    result = run("user", "create", "ana@example.com", "--role", "admin", stdin=f"{password}\n")
    assert result.exit_code == 0, result.output
    row = only_new(db_session, 1)
    assert (row["actor_kind"], row["actor_name"], row["action"]) == ("cli", "cli", "user.create")
    assert (row["subject_kind"], row["subject_key"], row["changes"]) == ("user", "ana@example.com",
                                                                         {"email": "ana@example.com", "role": "admin"})
    password_hash = db_session.scalar(select(User.password_hash).where(User.email == "ana@example.com"))
    assert password not in serialized(row) and password_hash not in serialized(row)

    assert run("user", "create", "bo@example.com", "--role", "viewer", stdin="short\n").exit_code == 2
    assert len(stored(db_session)) == 2


def test_admins_read_the_log_newest_first_a_page_at_a_time_and_filtered(client: FlaskClient, tokens: dict[str, Headers],
                                                                        db_session: Session, seeded: None) -> None:
    admin = tokens["admin"]
    for code in ("de_DE", "it_IT", "es_ES"):
        assert client.post(f"{API}/locales", json={"code": code}, headers=admin).status_code == 201
    assert client.post(f"{API}/tokens", json={"role": "viewer", "name": "robot"}, headers=admin).status_code == 201

    first = client.get(f"{API}/audit-log", query_string={"limit": 2}, headers=admin)
    assert first.status_code == 200
    assert [e["action"] for e in first.json["items"]] == ["token.create", "locale.create"]
    entry = first.json["items"][1]
    actor = admin_token(db_session)
    assert entry["actor"] == {"kind": "token", "id": actor.id, "name": "token:test admin"}
    assert entry["subject"] == {"kind": "locale", "key": "es_ES"} and entry["changes"] == {"code": "es_ES", "label": ""}
    assert entry["address"] == "127.0.0.1" and entry["at"].endswith("+00:00")
    second = client.get(f"{API}/audit-log", query_string={"limit": 2, "after": first.json["next"]}, headers=admin).json
    assert [e["subject"]["key"] for e in second["items"]] == ["it_IT", "de_DE"] and second["next"] is None

    locales = client.get(f"{API}/audit-log", query_string={"action": "locale.create"}, headers=admin).json
    assert [e["subject"]["key"] for e in locales["items"]] == ["es_ES", "it_IT", "de_DE"]
    one = client.get(f"{API}/audit-log", query_string={"subject_kind": "locale", "subject_key": "it_IT"}, headers=admin).json
    assert [(e["action"], e["subject"]["key"]) for e in one["items"]] == [("locale.create", "it_IT")]
    assert client.get(f"{API}/audit-log", query_string={"action": "user.create"}, headers=admin).json["items"] == []

    assert_problem(client.get(f"{API}/audit-log", query_string={"after": "bm9wZQ"}, headers=admin), 400)
    assert_problem(client.get(f"{API}/audit-log", query_string={"limit": 0}, headers=admin), 422, "limit")
    assert_problem(client.get(f"{API}/audit-log", query_string={"action": "x" * 65}, headers=admin), 422, "action")


def test_only_admins_read_the_log(client: FlaskClient, tokens: dict[str, Headers]) -> None:
    for role in ("viewer", "editor", "publisher"):
        problem = assert_problem(client.get(f"{API}/audit-log", headers=tokens[role]), 403)
        assert "admin" in problem["detail"]
    assert_problem(client.get(f"{API}/audit-log"), 401)
    assert client.get(f"{API}/audit-log", headers=tokens["admin"]).status_code == 200


def test_the_log_is_documented_as_an_admins_list(client: FlaskClient) -> None:
    spec = client.get(f"{API}/openapi.json").json
    operation = spec["paths"][f"{API}/audit-log"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"limit", "after", "action", "subject_kind", "subject_key"}
    assert "200" in operation["responses"]
