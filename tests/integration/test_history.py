"""Product history: a version per real change, field-level changes, reading and reverting versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.services.history import diff
from hub.store.models import Version
from tests import factories
from tests.factories import value
from tests.integration.helpers import API, Headers, assert_problem, row_count

FIRST = {"sku": "juice", "family": "drinks", "categories": ["grocery"],
         "values": {"name": value("Orange juice", "en_US") + value("Jus d'orange", "fr_FR"), "brand": value("Acme")},
         "offers": [{"currency": "EUR", "price": "2.50"}]}


@pytest.fixture
def juice(client: FlaskClient, db_session: Session, tokens: dict[str, Headers]) -> dict[str, Any]:
    """The catalog and product ``juice`` created through the API by the editor token."""
    factories.catalog(db_session)
    response = client.post(f"{API}/products", json=FIRST, headers=tokens["editor"])
    assert response.status_code == 201, response.json
    return response.json


def history(client: FlaskClient, headers: Headers, sku: str = "juice") -> list[dict[str, Any]]:
    response = client.get(f"{API}/products/{sku}/history", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def changes_of(version: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {c["field"]: (c["old"], c["new"]) for c in version["changes"]}


def test_creating_a_product_records_version_1(client: FlaskClient, tokens: dict[str, Headers], juice: dict[str, Any]) -> None:
    assert juice["revision"] == 1
    [first] = history(client, tokens["viewer"])
    assert first["version"] == 1
    assert first["author"] == "token:test editor"
    assert datetime.fromisoformat(first["at"]).tzinfo is not None
    changes = changes_of(first)
    assert changes["sku"] == (None, "juice")
    assert changes["values.name-en_US"] == (None, "Orange juice")
    assert changes["values.name-fr_FR"] == (None, "Jus d'orange")
    assert changes["values.brand"] == (None, "Acme")
    assert changes["categories"] == (None, ["grocery"])
    assert changes["offers.EUR"][0] is None and changes["offers.EUR"][1]["price"] == "2.50"


def test_a_creation_stores_no_state_until_the_next_version_stores_it_for_it(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], juice: dict[str, Any],
) -> None:
    """Version 1 stores neither changes nor snapshot while the record holds its state: reading it
    derives both from the product and writes nothing back. The next save stores the state it
    replaced as version 1's snapshot, so version 1 still reads as created."""
    def stored() -> tuple[Any, Any]:
        db_session.rollback()  # end the read snapshot, to see what the requests committed
        return db_session.execute(select(Version.changes, Version.snapshot)
                                  .where(Version.entity_key == "juice", Version.version == 1)).one()

    assert tuple(stored()) == ([], None)
    [first] = history(client, tokens["viewer"])
    as_created = client.get(f"{API}/products/juice/history/1", headers=tokens["viewer"]).json
    assert as_created["values"]["brand"] == value("Acme") and as_created["sku"] == "juice"
    assert first["changes"] == [{"field": c["field"], "old": c["old"], "new": c["new"]} for c in diff(None, as_created)]
    assert len(first["changes"]) >= 6
    assert tuple(stored()) == ([], None)

    patched = client.patch(f"{API}/products/juice", json={"values": {"brand": value("Zest")}}, headers=tokens["editor"])
    assert patched.status_code == 200, patched.json

    assert stored()[1] == as_created
    assert history(client, tokens["viewer"])[0]["changes"] == first["changes"]
    assert client.get(f"{API}/products/juice/history/1", headers=tokens["viewer"]).json == as_created


def test_a_save_that_changes_nothing_records_no_version(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], juice: dict[str, Any]
) -> None:
    versions = row_count(db_session, Version)

    put = client.put(f"{API}/products/juice", json=FIRST, headers=tokens["editor"])
    patch = client.patch(f"{API}/products/juice", json={"values": {"brand": value("Acme")}}, headers=tokens["editor"])
    round_trip = client.put(f"{API}/products/juice", json=juice, headers=tokens["editor"])  # read-only fields included

    for response in (put, patch, round_trip):
        assert response.status_code == 200, response.json
        assert response.json["revision"] == 1
        assert response.json["updated"] == juice["updated"]
    assert row_count(db_session, Version) == versions
    assert len(history(client, tokens["viewer"])) == 1


def test_a_change_records_only_the_fields_that_changed(
    client: FlaskClient, tokens: dict[str, Headers], juice: dict[str, Any]
) -> None:
    patched = client.patch(f"{API}/products/juice", json={
        "enabled": False, "values": {"name": value("Fresh orange juice", "en_US"), "organic": value(True)}},
        headers=tokens["publisher"])
    assert patched.status_code == 200 and patched.json["revision"] == 2

    versions = history(client, tokens["viewer"])

    assert [v["version"] for v in versions] == [1, 2]
    second = versions[1]
    assert second["author"] == "token:test publisher"
    assert changes_of(second) == {
        "enabled": (True, False),
        "values.name-en_US": ("Orange juice", "Fresh orange juice"),
        "values.organic": (None, True),
    }


def test_removing_a_value_and_an_offer_is_recorded_as_a_change_to_nothing(
    client: FlaskClient, tokens: dict[str, Headers], juice: dict[str, Any]
) -> None:
    patched = client.patch(f"{API}/products/juice", json={
        "values": {"name": [{"locale": "fr_FR", "scope": None, "data": None}]}, "offers": [
            {"currency": "USD", "price": "3.00"}]}, headers=tokens["editor"])
    assert patched.status_code == 200, patched.json

    changes = changes_of(history(client, tokens["viewer"])[-1])

    assert changes["values.name-fr_FR"] == ("Jus d'orange", None)
    assert changes["offers.EUR"][1] is None and changes["offers.USD"][0] is None
    assert "values.name-en_US" not in changes


def test_an_earlier_version_can_be_read(client: FlaskClient, tokens: dict[str, Headers], juice: dict[str, Any]) -> None:
    client.patch(f"{API}/products/juice", json={"values": {"brand": value("Zest")}, "categories": []}, headers=tokens["editor"])

    first = client.get(f"{API}/products/juice/history/1", headers=tokens["viewer"])
    second = client.get(f"{API}/products/juice/history/2", headers=tokens["viewer"])

    assert first.status_code == second.status_code == 200
    assert first.json["values"]["brand"] == value("Acme") and first.json["categories"] == ["grocery"]
    assert second.json["values"]["brand"] == value("Zest") and second.json["categories"] == []
    assert_problem(client.get(f"{API}/products/juice/history/3", headers=tokens["viewer"]), 404)


def test_revert_restores_a_version_and_records_a_new_one(
    client: FlaskClient, tokens: dict[str, Headers], juice: dict[str, Any]
) -> None:
    client.patch(f"{API}/products/juice", json={"values": {"brand": value("Zest")}, "enabled": False}, headers=tokens["editor"])
    client.patch(f"{API}/products/juice", json={"offers": [{"currency": "EUR", "price": "3.10"}]}, headers=tokens["editor"])

    reverted = client.post(f"{API}/products/juice/revert", json={"version": 1}, headers=tokens["editor"])

    assert reverted.status_code == 200, reverted.json
    assert reverted.json["revision"] == 4
    assert reverted.headers["ETag"] == client.get(f"{API}/products/juice", headers=tokens["viewer"]).headers["ETag"]
    now = client.get(f"{API}/products/juice", headers=tokens["viewer"]).json
    assert now["values"]["brand"] == value("Acme") and now["enabled"] is True
    assert now["offers"][0]["price"] == "2.50"
    assert now["values"] == client.get(f"{API}/products/juice/history/1", headers=tokens["viewer"]).json["values"]
    versions = history(client, tokens["viewer"])
    assert [v["version"] for v in versions] == [1, 2, 3, 4]
    assert changes_of(versions[-1])["values.brand"] == ("Zest", "Acme")
    assert changes_of(versions[-1])["enabled"] == (False, True)


def test_reverting_to_the_current_state_records_nothing(
    client: FlaskClient, tokens: dict[str, Headers], juice: dict[str, Any]
) -> None:
    reverted = client.post(f"{API}/products/juice/revert", json={"version": 1}, headers=tokens["editor"])
    assert reverted.status_code == 200 and reverted.json["revision"] == 1
    assert len(history(client, tokens["viewer"])) == 1


@pytest.mark.parametrize("body, status, field", [
    ({"version": 9}, 404, None),
    ({"version": 0}, 422, "version"),
    ({"version": "1"}, 422, "version"),
    ({}, 422, "version"),
])
def test_revert_to_a_version_that_does_not_exist_changes_nothing(
    client: FlaskClient, tokens: dict[str, Headers], juice: dict[str, Any], body: dict[str, Any], status: int,
    field: str | None,
) -> None:
    client.patch(f"{API}/products/juice", json={"enabled": False}, headers=tokens["editor"])
    before = client.get(f"{API}/products/juice", headers=tokens["viewer"])

    assert_problem(client.post(f"{API}/products/juice/revert", json=body, headers=tokens["editor"]), status, field)

    after = client.get(f"{API}/products/juice", headers=tokens["viewer"])
    assert after.json == before.json and len(history(client, tokens["viewer"])) == 2


def test_history_of_an_unknown_product_is_404(client: FlaskClient, tokens: dict[str, Headers], juice: dict[str, Any]) -> None:
    assert_problem(client.get(f"{API}/products/ghost/history", headers=tokens["viewer"]), 404)
    assert_problem(client.post(f"{API}/products/ghost/revert", json={"version": 1}, headers=tokens["editor"]), 404)


def test_a_deleted_and_recreated_product_starts_a_new_history(
    client: FlaskClient, tokens: dict[str, Headers], juice: dict[str, Any]
) -> None:
    client.patch(f"{API}/products/juice", json={"enabled": False}, headers=tokens["editor"])
    assert client.delete(f"{API}/products/juice", headers=tokens["editor"]).status_code == 204
    again = client.post(f"{API}/products", json=FIRST, headers=tokens["editor"])
    assert again.status_code == 201 and again.json["revision"] == 1
    assert [v["version"] for v in history(client, tokens["viewer"])] == [1]


def test_product_models_keep_a_history_too(client: FlaskClient, tokens: dict[str, Headers], juice: dict[str, Any]) -> None:
    created = client.post(f"{API}/product-models", json={"code": "tee", "family": "tees", "variant_axes": ["size"],
                                                          "values": {"brand": value("Acme")}}, headers=tokens["editor"])
    assert created.status_code == 201
    client.patch(f"{API}/product-models/tee", json={"values": {"brand": value("Zest")}}, headers=tokens["editor"])
    client.patch(f"{API}/product-models/tee", json={"values": {"brand": value("Zest")}}, headers=tokens["editor"])

    versions = client.get(f"{API}/product-models/tee/history", headers=tokens["viewer"]).json

    assert [v["version"] for v in versions] == [1, 2]
    assert changes_of(versions[1]) == {"values.brand": ("Acme", "Zest")}
    assert client.get(f"{API}/product-models/tee/history/1", headers=tokens["viewer"]).json["values"]["brand"] == value("Acme")
