"""Entity tags and conditional writes: a write with a stale ``If-Match`` answers 412 and changes nothing."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hub.store.models import Attribute, Product, Version
from tests.factories import value
from tests.integration.helpers import API, Headers, assert_problem, everything, read, row_count


def with_etag(headers: Headers, etag: str) -> Headers:
    return {**headers, "If-Match": etag}


def test_every_single_resource_carries_an_etag_that_matches_its_reads(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    for path in ("/attributes/name", "/families/tees", "/categories/tops", "/locations/wh", "/channels/web",
                 "/locales/en_US", "/currencies/EUR", "/product-models/tee", "/products/juice", "/brand-guide"):
        status, _, first = read(client, API + path, tokens["viewer"])
        _, _, second = read(client, API + path, tokens["viewer"])
        assert status == 200 and first, path
        assert first.startswith('"') and first.endswith('"'), first
        assert first == second, path


def test_two_clients_put_the_same_product_and_the_second_gets_412(
    app: Flask, client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    alice, bob = client, app.test_client()
    _, seen_by_alice, etag_alice = read(alice, f"{API}/products/juice", tokens["editor"])
    _, seen_by_bob, etag_bob = read(bob, f"{API}/products/juice", tokens["editor"])
    assert etag_alice == etag_bob and seen_by_alice == seen_by_bob

    alice_body = {**seen_by_alice, "enabled": False}
    first = alice.put(f"{API}/products/juice", json=alice_body, headers=with_etag(tokens["editor"], etag_alice))
    assert first.status_code == 200, first.json
    assert first.headers["ETag"] != etag_alice
    versions = row_count(db_session, Version)

    bob_body = {**seen_by_bob, "values": {**seen_by_bob["values"], "brand": value("Zest")}}
    second = bob.put(f"{API}/products/juice", json=bob_body, headers=with_etag(tokens["editor"], etag_bob))

    assert_problem(second, 412)
    _, now, etag_now = read(client, f"{API}/products/juice", tokens["viewer"])
    assert etag_now == first.headers["ETag"]
    assert now["enabled"] is False and "brand" not in now["values"]
    assert now["revision"] == seen_by_alice["revision"] + 1
    assert row_count(db_session, Version) == versions


def test_two_clients_patch_the_same_product_and_the_second_gets_412(
    app: Flask, client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    alice, bob = client, app.test_client()
    _, _, etag = read(alice, f"{API}/products/juice", tokens["editor"])
    assert read(bob, f"{API}/products/juice", tokens["editor"])[2] == etag

    first = alice.patch(f"{API}/products/juice", json={"values": {"name": value("Juice", "en_US")}},
                        headers=with_etag(tokens["editor"], etag))
    assert first.status_code == 200, first.json
    after_first = everything(client, tokens["admin"])

    second = bob.patch(f"{API}/products/juice", json={"values": {"name": value("OJ", "en_US")}},
                       headers=with_etag(tokens["editor"], etag))

    assert_problem(second, 412)
    assert everything(client, tokens["admin"]) == after_first
    names = {e["locale"]: e["data"] for e in after_first["products"][0]["values"]["name"]}
    assert names == {"en_US": "Juice", "fr_FR": "Jus d'orange"}


def test_two_clients_patch_the_same_attribute_and_the_second_gets_412(
    app: Flask, client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    alice, bob = client, app.test_client()
    _, _, etag = read(alice, f"{API}/attributes/brand", tokens["editor"])

    first = alice.patch(f"{API}/attributes/brand", json={"labels": {"en_US": "Brand"}},
                        headers=with_etag(tokens["editor"], etag))
    assert first.status_code == 200 and first.json["labels"] == {"en_US": "Brand"}

    second = bob.patch(f"{API}/attributes/brand", json={"labels": {"fr_FR": "Marque"}},
                       headers=with_etag(tokens["editor"], etag))

    assert_problem(second, 412)
    _, now, etag_now = read(client, f"{API}/attributes/brand", tokens["viewer"])
    assert now["labels"] == {"en_US": "Brand"}
    assert etag_now == first.headers["ETag"] != etag


def test_a_stale_put_on_a_family_gets_412(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    _, family, etag = read(client, f"{API}/families/drinks", tokens["editor"])
    fresh = client.put(f"{API}/families/drinks", json={**family, "labels": {"en_US": "Drinks"}},
                       headers=with_etag(tokens["editor"], etag))
    assert fresh.status_code == 200

    stale = client.put(f"{API}/families/drinks", json={**family, "labels": {"en_US": "Beverages"}},
                       headers=with_etag(tokens["editor"], etag))

    assert_problem(stale, 412)
    assert read(client, f"{API}/families/drinks", tokens["viewer"])[1]["labels"] == {"en_US": "Drinks"}


def test_delete_with_a_stale_if_match_gets_412_and_keeps_the_resource(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    _, _, etag = read(client, f"{API}/products/juice", tokens["editor"])
    assert client.patch(f"{API}/products/juice", json={"enabled": False}, headers=tokens["editor"]).status_code == 200
    products = row_count(db_session, Product)

    response = client.delete(f"{API}/products/juice", headers=with_etag(tokens["editor"], etag))

    assert_problem(response, 412)
    assert row_count(db_session, Product) == products
    status, body, current = read(client, f"{API}/products/juice", tokens["viewer"])
    assert status == 200 and body["enabled"] is False
    assert client.delete(f"{API}/products/juice", headers=with_etag(tokens["editor"], current)).status_code == 204


def test_delete_of_an_attribute_with_a_stale_if_match_gets_412(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    created = client.post(f"{API}/attributes", json={"code": "weight", "type": "number"}, headers=tokens["editor"])
    etag = created.headers["ETag"]
    assert client.patch(f"{API}/attributes/weight", json={"labels": {"en_US": "Weight"}},
                        headers=tokens["editor"]).status_code == 200

    assert_problem(client.delete(f"{API}/attributes/weight", headers=with_etag(tokens["editor"], etag)), 412)
    assert read(client, f"{API}/attributes/weight", tokens["viewer"])[0] == 200


def test_if_match_on_a_put_to_a_missing_product_gets_412_and_creates_nothing(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    products = row_count(db_session, Product)
    for tag in ('"0123456789abcdef0123456789abcdef"', "*"):
        response = client.put(f"{API}/products/water", json={"sku": "water", "family": "drinks"},
                              headers=with_etag(tokens["editor"], tag))
        assert_problem(response, 412)
    assert row_count(db_session, Product) == products
    assert read(client, f"{API}/products/water", tokens["viewer"])[0] == 404


def test_if_match_on_a_put_to_a_missing_attribute_gets_412_and_creates_nothing(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    attributes = row_count(db_session, Attribute)
    response = client.put(f"{API}/attributes/weight", json={"code": "weight", "type": "number"},
                          headers=with_etag(tokens["editor"], '"anything"'))
    assert_problem(response, 412)
    assert row_count(db_session, Attribute) == attributes


def test_the_current_etag_or_a_star_lets_the_write_through(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    _, _, etag = read(client, f"{API}/products/juice", tokens["editor"])
    listed = f'"not-this-one", {etag}'
    response = client.patch(f"{API}/products/juice", json={"enabled": False}, headers=with_etag(tokens["editor"], listed))
    assert response.status_code == 200
    assert response.headers["ETag"] == read(client, f"{API}/products/juice", tokens["viewer"])[2] != etag

    star = client.patch(f"{API}/products/juice", json={"enabled": True}, headers=with_etag(tokens["editor"], "*"))
    assert star.status_code == 200 and star.json["enabled"] is True


def test_a_save_that_changes_nothing_keeps_the_etag(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    _, body, etag = read(client, f"{API}/products/juice", tokens["editor"])
    again = client.put(f"{API}/products/juice", json=body, headers=with_etag(tokens["editor"], etag))
    assert again.status_code == 200
    assert again.headers["ETag"] == etag


def test_a_stale_brand_guide_put_gets_412(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    _, guide, etag = read(client, f"{API}/brand-guide", tokens["editor"])
    fresh = client.put(f"{API}/brand-guide", json={**guide, "banned_words": ["cheap", "free"]},
                       headers=with_etag(tokens["editor"], etag))
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag

    stale = client.put(f"{API}/brand-guide", json={**guide, "brand_names": []}, headers=with_etag(tokens["editor"], etag))

    assert_problem(stale, 412)
    _, now, _ = read(client, f"{API}/brand-guide", tokens["viewer"])
    assert now["brand_names"] == ["Acme"] and now["banned_words"] == ["cheap", "free"]


def test_a_stale_patch_on_a_product_model_gets_412(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    _, _, etag = read(client, f"{API}/product-models/tee", tokens["editor"])
    assert client.patch(f"{API}/product-models/tee", json={"values": {"brand": value("Zest")}},
                        headers=with_etag(tokens["editor"], etag)).status_code == 200

    stale = client.patch(f"{API}/product-models/tee", json={"values": {"brand": value("Other")}},
                         headers=with_etag(tokens["editor"], etag))

    assert_problem(stale, 412)
    assert read(client, f"{API}/product-models/tee", tokens["viewer"])[1]["values"]["brand"] == value("Zest")


def test_a_stale_revert_gets_412(client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None) -> None:
    _, _, etag = read(client, f"{API}/products/juice", tokens["editor"])
    assert client.patch(f"{API}/products/juice", json={"enabled": False}, headers=tokens["editor"]).status_code == 200
    versions = row_count(db_session, Version)

    response = client.post(f"{API}/products/juice/revert", json={"version": 1}, headers=with_etag(tokens["editor"], etag))

    assert_problem(response, 412)
    assert read(client, f"{API}/products/juice", tokens["viewer"])[1]["enabled"] is False
    assert row_count(db_session, Version) == versions
