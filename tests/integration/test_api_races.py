"""Real concurrent clients racing conditional writes on one resource: each round, every client
reads the same ETag, then all write at once with it. Exactly one may win; every other answer is
412 (the contract's "read it again"), never a 409 or a 500, and nothing of a loser is stored."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.store.models import Version
from tests.factories import value
from tests.integration.helpers import API, Headers, read

CLIENTS = 6
ROUNDS = 8


def race(app: Flask, url: str, headers: Headers, write: Callable[[FlaskClient, int, int, dict[str, str]], Any]
         ) -> list[list[tuple[int, int]]]:
    """``ROUNDS`` rounds of ``CLIENTS`` threads, each with its own client: all read ``url``'s
    ETag, wait for one another, then call ``write(client, round, client number, headers with
    If-Match)``. Answers each round's (client number, status) pairs."""
    barrier = threading.Barrier(CLIENTS)
    rounds: list[list[tuple[int, int]]] = []

    def one(number: int, round_: int) -> tuple[int, int]:
        client = app.test_client()
        status, _, etag = read(client, url, headers)
        assert status == 200 and etag
        barrier.wait(timeout=30)
        response = write(client, round_, number, {**headers, "If-Match": etag})
        return number, response.status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        for round_ in range(ROUNDS):
            rounds.append(list(pool.map(lambda n, r=round_: one(n, r), range(CLIENTS))))
    return rounds


def winners(rounds: list[list[tuple[int, int]]]) -> list[int]:
    """Each round's winning client, checked to be the only 200 among 412s."""
    found = []
    for answers in rounds:
        statuses = sorted(status for _, status in answers)
        assert statuses == [200] + [412] * (CLIENTS - 1), statuses
        found.append(next(number for number, status in answers if status == 200))
    return found


def test_clients_racing_patches_on_one_product_get_one_200_and_412s(
    app: Flask, client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    url = f"{API}/products/juice"
    before = read(client, url, tokens["viewer"])[1]

    def patch(c: FlaskClient, round_: int, number: int, headers: Headers) -> Any:
        return c.patch(url, json={"values": {"name": value(f"round {round_} client {number}", "en_US")}}, headers=headers)

    won = winners(race(app, url, tokens["editor"], patch))

    _, now, _ = read(client, url, tokens["viewer"])
    assert now["revision"] == before["revision"] + ROUNDS
    names = {entry["locale"]: entry["data"] for entry in now["values"]["name"]}
    assert names["en_US"] == f"round {ROUNDS - 1} client {won[-1]}"
    db_session.rollback()
    versions = db_session.scalars(select(Version).where(Version.entity_key == "juice").order_by(Version.version)).all()
    assert [v.version for v in versions][-ROUNDS:] == list(range(before["revision"] + 1, before["revision"] + ROUNDS + 1))
    history = client.get(f"{API}/products/juice/history", headers=tokens["viewer"]).json
    said = [change["new"] for entry in history for change in entry["changes"] if change["field"] == "values.name-en_US"]
    assert all(f"round {r} client {won[r]}" in said for r in range(ROUNDS)), said


@pytest.mark.parametrize(("path", "field", "shaped"), [
    ("/attributes/brand", "labels", lambda tag: {"en_US": tag}),
    ("/brand-guide", "banned_words", lambda tag: [tag]),
], ids=["attribute", "brand guide"])
def test_clients_racing_puts_get_one_200_and_412s(
    app: Flask, client: FlaskClient, tokens: dict[str, Headers], seeded: None, path: str, field: str,
    shaped: Callable[[str], Any],
) -> None:
    """Resources without a revision of their own: before their row was locked, every racing PUT
    on PostgreSQL answered 200, each overwriting the last."""
    url = API + path
    body = read(client, url, tokens["viewer"])[1]

    def put(c: FlaskClient, round_: int, number: int, headers: Headers) -> Any:
        return c.put(url, json={**body, field: shaped(f"round{round_}client{number}")}, headers=headers)

    won = winners(race(app, url, tokens["editor"], put))

    assert read(client, url, tokens["viewer"])[1][field] == shaped(f"round{ROUNDS - 1}client{won[-1]}")
