"""Failed sign-ins are counted per client address as well as per account: one address spraying
passwords over many accounts is stopped, with a 429 that says for how long, while the accounts
and the other addresses go on as before."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy.orm import Session

from hub.services.accounts import create_user
from hub.services.sign_in import MAX_ADDRESS_FAILURES
from hub.store.repos import AccountRepo

PASSWORD = "a long password"


def attempt(app: Flask, address: str, email: str, password: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").get_data(as_text=True)).group(1)
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def test_an_address_spraying_many_accounts_is_stopped_for_a_while(app: Flask, db_session: Session) -> None:
    create_user(db_session, "ada@example.com", PASSWORD, "editor")
    db_session.commit()
    for n in range(MAX_ADDRESS_FAILURES):
        assert attempt(app, "203.0.113.7", f"user{n}@example.com", "guess").status_code == 401

    refused = attempt(app, "203.0.113.7", "ada@example.com", PASSWORD)  # the right password, from that address

    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 15 * 60
    assert "Too many failed sign-ins from your address: try again in 15 minutes" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert AccountRepo(db_session).user_by_email("ada@example.com").failed_logins == 0  # the account is not blamed
    assert attempt(app, "198.51.100.4", "ada@example.com", PASSWORD).status_code == 302  # another address signs in


def test_failures_below_the_limit_do_not_stop_an_address(app: Flask, db_session: Session) -> None:
    create_user(db_session, "ada@example.com", PASSWORD, "editor")
    db_session.commit()
    for n in range(MAX_ADDRESS_FAILURES - 1):
        attempt(app, "203.0.113.8", f"user{n}@example.com", "guess")
    assert attempt(app, "203.0.113.8", "ada@example.com", PASSWORD).status_code == 302
