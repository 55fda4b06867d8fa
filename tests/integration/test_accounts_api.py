"""Admins manage tokens and users through the API; nobody else may."""

from __future__ import annotations

from sqlalchemy import select

from hub.store.models import User


def test_admin_creates_lists_and_revokes_a_token(client, tokens):
    created = client.post("/api/v1/tokens", json={"role": "viewer", "name": "feed robot"}, headers=tokens["admin"])
    assert created.status_code == 201
    raw = created.json["token"]
    robot = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/attributes", headers=robot).status_code == 200

    listed = client.get("/api/v1/tokens", headers=tokens["admin"]).json
    mine = next(t for t in listed if t["name"] == "feed robot")
    assert mine["role"] == "viewer" and "token" not in mine and mine["revoked"] is False

    assert client.delete(f"/api/v1/tokens/{mine['id']}", headers=tokens["admin"]).status_code == 204
    assert client.get("/api/v1/attributes", headers=robot).status_code == 401
    assert client.delete("/api/v1/tokens/999999", headers=tokens["admin"]).status_code == 404


def test_only_admins_manage_tokens_and_users(client, tokens):
    for role in ("viewer", "editor", "publisher"):
        assert client.get("/api/v1/tokens", headers=tokens[role]).status_code == 403
        assert client.post("/api/v1/tokens", json={"role": "admin"}, headers=tokens[role]).status_code == 403
        assert client.post("/api/v1/users", json={"email": "x@example.com", "password": "long enough pw", "role": "admin"},
                           headers=tokens[role]).status_code == 403


def test_admin_creates_a_user_whose_password_is_hashed(client, tokens, db_session):
    created = client.post("/api/v1/users", json={"email": "li@example.com", "password": "a long passphrase", "role": "editor"},
                          headers=tokens["admin"])
    assert created.status_code == 201 and "password" not in created.json
    assert created.json == {"email": "li@example.com", "role": "editor", "created": created.json["created"]}
    stored = db_session.scalar(select(User).where(User.email == "li@example.com"))
    assert stored.password_hash.startswith("$argon2")
    again = client.post("/api/v1/users", json={"email": "LI@example.com", "password": "another passphrase", "role": "viewer"},
                        headers=tokens["admin"])
    assert again.status_code == 409


def test_bad_user_input_names_each_field(client, tokens, db_session):
    answer = client.post("/api/v1/users", json={"email": "not-an-email", "password": "short", "role": "owner"},
                         headers=tokens["admin"])
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"email", "password", "role"}
    assert db_session.scalars(select(User)).all() == []


def test_a_tokens_use_is_recorded_at_most_every_few_minutes(client, tokens, db_session):
    from datetime import timedelta

    from hub.store.models import ApiToken

    def last_used():
        db_session.rollback()
        db_session.expire_all()
        return {t.name: t.last_used for t in db_session.scalars(select(ApiToken))}

    assert all(when is None for when in last_used().values())
    assert client.get("/api/v1/products", headers=tokens["viewer"]).status_code == 200
    first = last_used()
    used = [name for name, when in first.items() if when is not None]
    assert len(used) == 1
    assert client.get("/api/v1/products", headers=tokens["viewer"]).status_code == 200
    assert last_used() == first  # not again within five minutes
    token = db_session.scalar(select(ApiToken).where(ApiToken.name == used[0]))
    token.last_used -= timedelta(minutes=6)
    db_session.commit()
    assert client.get("/api/v1/products", headers=tokens["viewer"]).status_code == 200
    assert last_used()[used[0]] > first[used[0]]
