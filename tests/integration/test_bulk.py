"""Bulk upsert (PATCH /products with NDJSON): one result line per input line; a bad line alone is rolled back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.store.models import Product, Version
from tests.factories import value
from tests.integration.conftest import BAD_EAN, GOOD_EAN
from tests.integration.helpers import (
    API, Headers, assert_problem, everything, ndjson, racing_writer, read_ndjson, row_count,
)

NDJSON = "application/x-ndjson"


def bulk(client: FlaskClient, headers: Headers, body: str, content_type: str = NDJSON) -> Any:
    return client.patch(f"{API}/products", data=body, content_type=content_type, headers=headers)


def stored(db_session: Session) -> dict[str, Product]:
    # rollback() expires nothing when no transaction is open; the bulk wrote through another session.
    db_session.rollback()
    db_session.expire_all()
    return {p.sku: p for p in db_session.scalars(select(Product))}


def test_each_line_gets_its_own_result_and_a_bad_line_does_not_undo_the_good_ones(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    body = ndjson(
        {"sku": "water", "family": "drinks", "values": {"name": value("Water", "en_US"), "ean": value(GOOD_EAN)}},
        {"sku": "juice", "enabled": False, "values": {"brand": value("Acme")}},
        {"sku": "soda", "family": "drinks", "values": {"ean": value(BAD_EAN)}, "offers": [{"currency": "GBP", "price": "1"}]},
        '{"sku": "broken", ',
        {"sku": "milk", "family": "drinks", "offers": [{"currency": "EUR", "price": "1.10"}]},
    )

    response = bulk(client, tokens["editor"], body)

    assert response.status_code == 200
    assert response.mimetype == NDJSON
    results = read_ndjson(response)
    assert [(r["line"], r["sku"], r["status"]) for r in results] == [
        (1, "water", 201), (2, "juice", 204), (3, "soda", 422), (4, None, 422), (5, "milk", 201)]
    assert results[0]["errors"] == results[1]["errors"] == results[4]["errors"] == {}
    assert set(results[2]["errors"]) == {"values.ean[0].data", "offers[0].currency"}
    assert "check digit" in " ".join(results[2]["errors"]["values.ean[0].data"])
    assert "malformed JSON" in " ".join(results[3]["errors"]["body"])

    products = stored(db_session)
    assert set(products) == {"juice", "tee-red-s", "water", "milk"}
    assert products["water"].values["ean"] == value(GOOD_EAN)
    assert products["juice"].enabled is False
    assert products["juice"].values["brand"] == value("Acme")
    assert products["juice"].values["ean"] == value(GOOD_EAN)  # a line merges into the stored product
    assert [str(o.price) for o in products["milk"].offers] in (["1.10"], ["1.1"], ["1.1000"])


def test_bulk_records_history_and_an_unchanged_line_records_nothing(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    versions = row_count(db_session, Version)
    results = read_ndjson(bulk(client, tokens["editor"], ndjson(
        {"sku": "juice", "values": {"brand": value("Acme")}},
        {"sku": "juice", "values": {"brand": value("Acme")}},
    )))
    assert [r["status"] for r in results] == [204, 204]
    assert row_count(db_session, Version) == versions + 1
    history = client.get(f"{API}/products/juice/history", headers=tokens["viewer"]).json
    assert history[-1]["author"] == "token:test editor"
    assert history[-1]["changes"] == [{"field": "values.brand", "old": None, "new": "Acme"}]


def test_a_line_that_is_not_an_object_or_lacks_a_family_is_refused(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    before = everything(client, tokens["admin"])
    results = read_ndjson(bulk(client, tokens["editor"], ndjson(
        [1, 2], '"juice"', {"sku": "water"}, {"family": "drinks"}, {"sku": "water", "family": "drinks", "colour": "blue"},
    )))
    assert [(r["line"], r["status"]) for r in results] == [(1, 422), (2, 422), (3, 422), (4, 422), (5, 422)]
    assert "family" in results[2]["errors"]
    assert "sku" in results[3]["errors"]
    assert "colour" in results[4]["errors"]
    assert everything(client, tokens["admin"]) == before


def test_a_variant_line_follows_the_variant_rules(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    results = read_ndjson(bulk(client, tokens["editor"], ndjson(
        {"sku": "tee-red-m", "parent": "tee", "values": {"color": value("red"), "size": value("m")}},
        {"sku": "tee-red-m2", "parent": "tee", "values": {"color": value("red"), "size": value("m")}},
        {"sku": "tee-blue", "parent": "tee", "values": {"color": value("blue")}},
    )))
    assert [r["status"] for r in results] == [201, 422, 422]
    assert "values" in results[1]["errors"]
    assert "values.size" in results[2]["errors"]
    assert set(stored(db_session)) == {"juice", "tee-red-s", "tee-red-m"}


def test_many_lines_are_all_answered_and_stored(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    lines = [{"sku": f"bottle-{n:03d}", "family": "drinks", "values": {"name": value(f"Bottle {n}", "en_US")}}
             for n in range(250)]
    lines[120] = {"sku": "bottle-120", "family": "drinks", "values": {"rating": value("9")}}

    results = read_ndjson(bulk(client, tokens["editor"], ndjson(*lines)))

    assert [r["line"] for r in results] == list(range(1, 251))
    assert [r["status"] for r in results].count(201) == 249
    assert results[120]["line"] == 121 and results[120]["status"] == 422
    assert "values.rating[0].data" in results[120]["errors"]
    skus = {sku for sku in stored(db_session) if sku.startswith("bottle-")}
    assert len(skus) == 249 and "bottle-120" not in skus


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/merge-patch+json"])
def test_bulk_in_another_content_type_gets_415(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, content_type: str
) -> None:
    before = everything(client, tokens["admin"])
    response = bulk(client, tokens["editor"], json.dumps({"sku": "water", "family": "drinks"}), content_type)
    problem = assert_problem(response, 415)
    assert "ndjson" in problem["detail"]
    assert everything(client, tokens["admin"]) == before


def test_a_batch_the_database_refuses_is_saved_again_line_by_line(
        client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None) -> None:
    """Lines are written together, a batch at a time. Another writer creates 'lemonade' just before
    each flush that would insert it (in the same transaction, as a race on the SKU would look to
    the database): that line alone is refused, with the database's reason, and the others are
    stored once."""
    with racing_writer(db_session, "lemonade", "drinks") as races:
        results = read_ndjson(bulk(client, tokens["editor"], ndjson(
            {"sku": "cola", "family": "drinks"},
            {"sku": "lemonade", "family": "drinks"},
            {"sku": "juice", "enabled": False},
        )))

    assert len(races) == 2  # the batch's bulk insert, then the lemonade line's own savepoint
    assert [(r["line"], r["sku"], r["status"]) for r in results] == [(1, "cola", 201), (2, "lemonade", 422), (3, "juice", 204)]
    assert results[1]["errors"]["body"][0].startswith("the database refused the line: ")
    products = stored(db_session)
    assert "lemonade" not in products and "cola" in products and products["juice"].enabled is False
    assert db_session.scalar(select(func.count()).select_from(Version).where(Version.entity_key == "cola")) == 1


def test_a_later_line_for_the_same_sku_patches_what_the_earlier_line_stored(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    results = read_ndjson(bulk(client, tokens["editor"], ndjson(
        {"sku": "pear", "family": "drinks", "values": {"brand": value("Acme")}},
        {"sku": "juice", "values": {"brand": value("Juicy")}},
        {"sku": "pear", "enabled": False},
        {"sku": "juice", "values": {"brand": value("Juicy")}},
    )))
    assert [(r["line"], r["status"]) for r in results] == [(1, 201), (2, 204), (3, 204), (4, 204)]
    products = stored(db_session)
    assert products["pear"].enabled is False and products["pear"].values["brand"] == value("Acme")
    assert products["pear"].revision == 2 and products["juice"].values["brand"] == value("Juicy")
    assert db_session.scalar(select(func.count()).select_from(Version).where(Version.entity_key == "pear")) == 2
