"""The diff between a channel's last two good publications: real pipeline, real database, real
fingerprint files under the data dir."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from channel_adapters.base.registry import load_adapters
from hub.config import Settings
from hub.publishing import item_fingerprints
from hub.publishing.item_diff import compare_last_two
from hub.publishing.pipeline import ChannelBusy, Publisher
from hub.services.catalog import ChannelService
from hub.services.context import CatalogContext
from tests import factories

API = "/api/v1"


@pytest.fixture
def shop(acme: None, app: Flask, db_session: Session, client: FlaskClient, tokens: dict[str, Any]) -> None:
    """Channel 'acme' (the third-party CSV adapter: sku, title, price) carrying juice-0 to juice-4."""
    factories.catalog(db_session)
    channel = {"code": "acme", "adapter": "acme", "locale": "en_US", "currency": "EUR", "country": "FR"}
    assert client.post(f"{API}/channels", json=channel, headers=tokens["admin"]).status_code == 201
    for index in range(5):
        factories.product(db_session, f"juice-{index}", values={"name": factories.value(f"Juice {index}", "en_US")},
                          offers=[{"currency": "EUR", "price": f"{2 + index}.50"}])


def publisher(settings: Settings, app: Flask) -> Publisher:
    return Publisher(settings, app.extensions["crosscanal"].writers, load_adapters())  # as the hub gives it


def compare(app: Flask, settings: Settings) -> Any:
    with app.extensions["crosscanal"].sessions() as session:
        channel = ChannelService(session, CatalogContext(session)).get("acme")
        return compare_last_two(session, settings.data_dir, channel)


def test_added_removed_and_changed_items_between_two_publications(shop, settings, app, client, tokens, db_session):
    first = publisher(settings, app).publish("acme", "test")
    assert first.status == "succeeded", first.error
    editor = tokens["editor"]
    assert client.patch(f"{API}/products/juice-1", json={"values": {"name": factories.value("Juice one, now fresher", "en_US")}},
                        headers=editor).status_code == 200
    assert client.patch(f"{API}/products/juice-2", json={"enabled": False}, headers=editor).status_code == 200
    assert client.patch(f"{API}/products/juice-3", json={"offers": []}, headers=editor).status_code == 200  # now excluded
    factories.product(db_session, "juice-5", values={"name": factories.value("Juice 5", "en_US")},
                      offers=[{"currency": "EUR", "price": "9.00"}])
    # A change the feed does not show (a locale the channel does not use) is no change of the item.
    assert client.patch(f"{API}/products/juice-4", json={"values": {"name": factories.value("Jus 4", "fr_FR")}},
                        headers=editor).status_code == 200

    second = publisher(settings, app).publish("acme", "test")
    assert second.status == "succeeded", second.error

    found = compare(app, settings)
    assert (found.older.id, found.newer.id, found.reason) == (first.id, second.id, None)
    diff = found.diff
    assert (diff.added.count, diff.added.first) == (1, ["juice-5"])
    assert (diff.removed.count, diff.removed.first) == (2, ["juice-2", "juice-3"])
    assert (diff.changed.count, diff.changed.first) == (1, ["juice-1"])
    assert diff.unchanged == 2  # juice-0 and juice-4
    assert found.products == {"juice-1", "juice-2", "juice-3", "juice-5"}

    answer = client.get(f"{API}/channels/acme/diff", headers=tokens["viewer"])
    assert answer.status_code == 200, answer.json
    assert answer.json == {"older": first.id, "newer": second.id, "reason": None, "unchanged": 2,
                           "added": {"count": 1, "first": ["juice-5"]}, "removed": {"count": 2, "first": ["juice-2", "juice-3"]},
                           "changed": {"count": 1, "first": ["juice-1"]}}


def test_the_api_says_why_there_is_no_diff_yet(shop, client, tokens):
    answer = client.get(f"{API}/channels/acme/diff", headers=tokens["viewer"])
    assert answer.status_code == 200
    assert answer.json["added"] is None and "two successful publications" in answer.json["reason"]
    assert client.get(f"{API}/channels/nowhere/diff", headers=tokens["viewer"]).status_code == 404


def test_a_channel_being_published_cannot_be_deleted(shop, settings, app, client, tokens):
    publication_id = publisher(settings, app).start("acme", "test")  # takes the channel's lock
    refused = client.delete(f"{API}/channels/acme", headers=tokens["admin"])
    assert refused.status_code == 409 and "being published" in refused.json["detail"]
    publisher(settings, app).run(publication_id)
    assert client.delete(f"{API}/channels/acme", headers=tokens["admin"]).status_code == 204


def test_a_republish_without_changes_changes_nothing_and_old_records_are_pruned(shop, settings, app):
    pipeline = publisher(settings, app)
    ids = [pipeline.publish("acme", "test").id for _ in range(3)]
    found = compare(app, settings)
    assert (found.older.id, found.newer.id) == (ids[1], ids[2])
    assert (found.diff.added.count, found.diff.removed.count, found.diff.changed.count, found.diff.unchanged) == (0, 0, 0, 5)
    assert sorted(item_fingerprints.recorded(settings.data_dir)) == ids[1:], "only the last two good ones are kept"


def test_a_failed_publication_is_not_compared_and_keeps_no_record(shop, settings, app, client, tokens, db_session):
    pipeline = publisher(settings, app)
    good = pipeline.publish("acme", "test").id
    patch = {"settings": {"fail_after": 2}}
    assert client.patch(f"{API}/channels/acme", json=patch, headers=tokens["admin"]).status_code == 200
    failed = pipeline.publish("acme", "test")
    assert failed.status == "failed"
    assert not item_fingerprints.path_for(settings.data_dir, failed.id).exists()
    found = compare(app, settings)
    assert found.diff is None and found.newer.id == good and "one so far" in found.reason

    assert client.patch(f"{API}/channels/acme", json={"settings": {"fail_after": None}}, headers=tokens["admin"]).status_code == 200
    newer = pipeline.publish("acme", "test").id
    found = compare(app, settings)
    assert (found.older.id, found.newer.id) == (good, newer)


def test_a_publication_without_its_record_says_why_it_cannot_compare(shop, settings, app):
    pipeline = publisher(settings, app)
    first = pipeline.publish("acme", "test").id
    pipeline.publish("acme", "test")
    item_fingerprints.discard(settings.data_dir, first)  # as if made before records were kept
    found = compare(app, settings)
    assert found.diff is None and f"publication {first} has no item record" in found.reason


def test_records_of_deleted_channels_are_pruned(shop, settings, app, client, tokens):
    pipeline = publisher(settings, app)
    other = {"code": "acme2", "adapter": "acme", "locale": "en_US", "currency": "EUR", "country": "FR"}
    assert client.post(f"{API}/channels", json=other, headers=tokens["admin"]).status_code == 201
    gone = pipeline.publish("acme", "test").id
    kept = [pipeline.publish("acme2", "test").id]
    assert client.delete(f"{API}/channels/acme", headers=tokens["admin"]).status_code == 204
    kept.append(pipeline.publish("acme2", "test").id)
    assert sorted(item_fingerprints.recorded(settings.data_dir)) == kept and gone not in kept


def test_a_busy_channel_names_the_running_publication(shop, settings, app):
    pipeline = publisher(settings, app)
    running = pipeline.start("acme", "test")
    with pytest.raises(ChannelBusy) as refused:
        pipeline.start("acme", "test")
    assert refused.value.publication_id == running and f"publication {running}" in refused.value.detail
    assert pipeline.run(running).status == "succeeded"
