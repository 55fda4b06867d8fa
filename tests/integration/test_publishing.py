"""The publishing pipeline end to end: real database, real adapters, files on a real destination."""

from __future__ import annotations

import gzip
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from channel_adapters.base.registry import load_adapters
from hub.config import Settings
from hub.publishing import lock
from hub.publishing.pipeline import ChannelBusy, Publisher
from hub.store.models import Channel, ChannelLock, Publication
from tests import factories

API = "/api/v1"


@pytest.fixture
def shop(acme: None, app: Flask, db_session: Session, client: FlaskClient, tokens: dict[str, Any]) -> dict[str, Any]:
    """A small catalog and an 'acme' channel published through the third-party adapter."""
    factories.catalog(db_session)
    channel = {"code": "acme", "adapter": "acme", "locale": "en_US", "currency": "EUR", "country": "FR"}
    assert client.post(f"{API}/channels", json=channel, headers=tokens["admin"]).status_code == 201
    for index in range(5):
        factories.product(db_session, f"juice-{index}", values={"name": factories.value(f"Juice {index}", "en_US")},
                          offers=[{"currency": "EUR", "price": f"{2 + index}.50"}])
    return {"channel": client.get(f"{API}/channels/acme", headers=tokens["admin"]).json}


def publisher(settings: Settings, app: Flask) -> Publisher:
    the_hub = app.extensions["crosscanal"]
    return Publisher(settings, the_hub.writers, load_adapters())  # writer sessions, as the hub gives it


def feed(client: FlaskClient, channel: dict[str, Any], name: str, **headers: str) -> Any:
    return client.get(f"/feeds/{channel['code']}/{name}?token={channel['feed_token']}", headers=headers)


def test_a_third_party_adapter_is_discovered_and_publishes(shop, settings, app, client):
    assert "acme" in app.extensions["crosscanal"].adapters
    result = publisher(settings, app).publish("acme", "test")
    assert result.status == "succeeded", result.error
    assert (result.items, result.excluded, result.total) == (5, 0, 5)
    written = Path(settings.publish_url) / "acme" / "acme.csv"
    lines = written.read_text().splitlines()
    assert lines[0] == "sku,title,price" and "juice-0,Juice 0,2.50 EUR" in lines
    assert result.files[0].sha256 and result.files[0].bytes == written.stat().st_size


def test_a_broken_product_is_excluded_naming_the_attribute_while_the_rest_publish(shop, settings, app, client, tokens):
    bad = client.patch(f"{API}/products/juice-2", json={"offers": []}, headers=tokens["editor"])
    assert bad.status_code == 200
    result = publisher(settings, app).publish("acme", "test")
    assert (result.status, result.items, result.excluded) == ("succeeded", 4, 1)
    rows = client.get(f"{API}/publications/{result.id}/diagnostics?severity=error", headers=tokens["viewer"]).json
    assert [(r["sku"], r["attribute"], r["code"]) for r in rows] == [("juice-2", "offers", "missing_price")]
    body = feed(client, shop["channel"], "acme.csv").get_data(as_text=True)
    assert "juice-2" not in body and "juice-3" in body


def test_a_failed_run_keeps_the_last_good_feed(shop, settings, app, client, tokens, db_session):
    good = publisher(settings, app).publish("acme", "test")
    before = feed(client, shop["channel"], "acme.csv")
    db_session.execute(update(Channel).where(Channel.code == "acme").values(settings={"fail_after": 2}))
    db_session.commit()
    failed = publisher(settings, app).publish("acme", "test")
    assert failed.status == "failed" and "on purpose" in failed.error
    after = feed(client, shop["channel"], "acme.csv")
    assert after.data == before.data and after.headers["ETag"] == before.headers["ETag"] == f'"{good.files[0].sha256}"'
    assert not list((Path(settings.data_dir) / "tmp").iterdir()), "temporary files are cleaned up"


def test_two_runs_of_one_channel_never_overlap(shop, settings, app, client, tokens):
    pipeline = publisher(settings, app)
    first = pipeline.start("acme", "test")
    with pytest.raises(ChannelBusy, match=f"publication {first}"):
        pipeline.start("acme", "test")
    refused = client.post(f"{API}/channels/acme/publications", headers=tokens["publisher"])
    assert refused.status_code == 409 and "being published" in refused.json["detail"]
    assert pipeline.run(first).status == "succeeded"
    second = pipeline.start("acme", "test")
    assert pipeline.run(second).status == "succeeded"


def test_a_run_that_stopped_renewing_its_lock_is_taken_over_after_30_seconds(shop, settings, app, db_session):
    pipeline = publisher(settings, app)
    started = datetime.now(timezone.utc)
    first = Publisher(settings, pipeline.sessions, pipeline.registry, now=lambda: started).start("acme", "test")  # its process "dies": run() never comes

    def at(seconds: int) -> Publisher:
        return Publisher(settings, pipeline.sessions, pipeline.registry, now=lambda: started + timedelta(seconds=seconds))

    with pytest.raises(ChannelBusy, match="taken over 30 s after its last sign of life"):
        at(29).start("acme", "test")
    second = at(31).start("acme", "test")
    assert second != first
    db_session.expire_all()
    dead = db_session.get(Publication, first)
    assert dead.status == "failed"
    assert dead.error == f"abandoned: its process died (it stopped renewing the channel's lock); publication {second} took the channel over"


def test_a_run_taken_over_while_it_ran_records_nothing_and_keeps_its_successors_hold(shop, settings, app, db_session):
    pipeline = publisher(settings, app)
    started = datetime.now(timezone.utc)
    slow = Publisher(settings, pipeline.sessions, pipeline.registry, now=lambda: started)  # a run whose clock stopped
    first = slow.start("acme", "test")
    second = Publisher(settings, pipeline.sessions, pipeline.registry,
                       now=lambda: started + timedelta(seconds=31)).start("acme", "test")  # takes the channel over

    late = slow.run(first)  # the first run was alive after all, and ends now

    assert late.status == "failed" and "took it over while this one ran" in late.error
    db_session.expire_all()
    assert db_session.scalar(select(ChannelLock.publication_id)) == second  # its successor still holds the channel
    assert pipeline.run(second).status == "succeeded"


def test_a_queued_publication_begun_again_after_its_worker_died_fails_saying_so(shop, settings, app, db_session):
    pipeline = publisher(settings, app)
    publication_id = pipeline.start("acme", "test")
    db_session.execute(update(Publication).where(Publication.id == publication_id).values(status="running"))
    db_session.commit()  # as its first delivery left it: begun, its shards never sent

    assert pipeline.begin_sharded(publication_id) is None

    db_session.expire_all()
    dead = db_session.get(Publication, publication_id)
    assert dead.status == "failed" and dead.error.startswith("its worker stopped while beginning it")
    assert db_session.scalar(select(ChannelLock.publication_id)) is None


def test_withdrawing_a_publication_a_worker_took_after_all_leaves_it_running(shop, settings, app, db_session):
    pipeline = publisher(settings, app)
    publication_id = pipeline.start("acme", "test")
    db_session.execute(update(Publication).where(Publication.id == publication_id).values(status="running"))
    db_session.commit()  # the broker had the message although sending it timed out

    pipeline.withdraw(publication_id)

    db_session.expire_all()
    assert db_session.get(Publication, publication_id).status == "running"
    assert db_session.scalar(select(ChannelLock.publication_id)) == publication_id


def test_a_working_publication_renews_its_lock_from_a_thread_of_its_own(shop, settings, app, db_session, monkeypatch):
    monkeypatch.setattr(lock, "BEAT", timedelta(seconds=0.05))
    pipeline = publisher(settings, app)
    publication_id = pipeline.start("acme", "test")
    channel_id = db_session.get(Publication, publication_id).channel_id

    def expires() -> datetime:
        db_session.rollback()
        return db_session.scalar(select(ChannelLock.expires).where(ChannelLock.channel_id == channel_id))

    taken = expires()
    with lock.Heartbeat(pipeline.sessions, channel_id, publication_id, pipeline.now):
        deadline = time.monotonic() + 10
        while expires() <= taken:
            assert time.monotonic() < deadline, "the lock was not renewed"
            time.sleep(0.05)
    assert pipeline.run(publication_id).status == "succeeded"  # its own heartbeat beats every 50 ms meanwhile
    assert expires() is None  # released at the end


def test_publish_through_the_api_and_follow_progress(shop, client, tokens):
    assert client.post(f"{API}/channels/acme/publications", headers=tokens["editor"]).status_code == 403
    started = client.post(f"{API}/channels/acme/publications", headers=tokens["publisher"])
    assert started.status_code == 202 and started.json["status"] in ("queued", "running", "succeeded")
    url = started.headers["Location"]
    deadline = time.monotonic() + 30
    while (state := client.get(url, headers=tokens["viewer"]).json)["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert state["status"] == "succeeded" and state["progress"] == 1.0 and state["items"] == 5
    assert state["files"][0]["name"] == "acme.csv" and state["files"][0]["url"] == "/feeds/acme/acme.csv"
    history = client.get(f"{API}/channels/acme/publications", headers=tokens["viewer"]).json
    assert history[0]["id"] == state["id"]


def test_feed_urls_need_the_token_and_honour_caching_and_gzip(shop, settings, app, client):
    publisher(settings, app).publish("acme", "test")
    channel = shop["channel"]
    assert client.get("/feeds/acme/acme.csv").status_code == 401
    assert client.get("/feeds/acme/acme.csv?token=wrong").status_code == 401
    assert client.get("/feeds/nope/acme.csv?token=x").status_code == 404
    assert feed(client, channel, "other.csv").status_code == 404
    bearer = client.get("/feeds/acme/acme.csv", headers={"Authorization": f"Bearer {channel['feed_token']}"})
    assert bearer.status_code == 200 and bearer.mimetype == "text/csv"
    plain = feed(client, channel, "acme.csv")
    assert plain.headers["Last-Modified"] and plain.headers["ETag"]
    assert feed(client, channel, "acme.csv", **{"If-None-Match": plain.headers["ETag"]}).status_code == 304
    assert feed(client, channel, "acme.csv", **{"If-Modified-Since": plain.headers["Last-Modified"]}).status_code == 304
    zipped = feed(client, channel, "acme.csv", **{"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.data) == plain.data


def test_preview_shows_the_item_as_the_adapter_renders_it(shop, client, tokens):
    preview = client.get(f"{API}/products/juice-1/preview/acme", headers=tokens["viewer"]).json
    assert preview["item"] == {"sku": "juice-1", "title": "Juice 1", "price": "3.50 EUR"}
    assert preview["excluded"] is False and preview["adapter"] == "acme"
    client.patch(f"{API}/products/juice-1", json={"values": {"name": None}}, headers=tokens["editor"])
    broken = client.get(f"{API}/products/juice-1/preview/acme", headers=tokens["viewer"]).json
    assert broken["excluded"] is True and {"attribute": "name", "code": "missing_title"}.items() <= broken["diagnostics"][0].items()


def test_diagnostics_download_as_csv(shop, settings, app, client, tokens):
    client.patch(f"{API}/products/juice-0", json={"offers": []}, headers=tokens["editor"])
    result = publisher(settings, app).publish("acme", "test")
    answer = client.get(f"{API}/publications/{result.id}/diagnostics?format=csv", headers=tokens["viewer"])
    assert answer.mimetype == "text/csv"
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0] == "sku,severity,code,attribute,message,fix" and lines[1].startswith("juice-0,error,missing_price,offers")


def test_a_channel_must_name_an_installed_adapter_and_fit_its_settings(app, db_session, client, tokens, settings):
    factories.catalog(db_session)
    channel = {"code": "ghost", "adapter": "nowhere", "locale": "en_US", "currency": "EUR", "country": "FR"}
    refused = client.post(f"{API}/channels", json=channel, headers=tokens["admin"])
    assert refused.status_code == 422 and "no adapter 'nowhere'" in refused.json["errors"]["adapter"][0]
    bad_settings = {**channel, "adapter": "google_merchant", "settings": {"condition": "mint"}}
    refused = client.post(f"{API}/channels", json=bad_settings, headers=tokens["admin"])
    assert refused.status_code == 422 and "settings.condition" in refused.json["errors"]
    assert client.get(f"{API}/channels/ghost", headers=tokens["admin"]).status_code == 404


def test_feed_urls_list_the_last_good_files_for_publishers_only(shop, settings, app, client, tokens):
    assert client.get(f"{API}/channels/acme", headers=tokens["admin"]).json["feed_urls"] == []
    publisher(settings, app).publish("acme", "test")
    channel = client.get(f"{API}/channels/acme", headers=tokens["publisher"]).json
    (url,) = channel["feed_urls"]
    assert url == f"http://127.0.0.1:8000/feeds/acme/acme.csv?token={channel['feed_token']}"
    assert client.get(url.removeprefix("http://127.0.0.1:8000")).status_code == 200
    assert "feed_urls" not in client.get(f"{API}/channels/acme", headers=tokens["viewer"]).json


def test_a_publication_that_rendered_many_items_leaves_fresh_statistics_of_its_findings(shop, settings, app, db_session,
                                                                                       monkeypatch):
    """With the planner's counts from before a full publication, PostgreSQL read every held
    finding of the channel for each shard of the next republish."""
    from sqlalchemy import text

    from hub.publishing import pipeline

    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's planner statistics are left alone")

    def analyzed() -> int:
        db_session.commit()  # a fresh snapshot of the statistics views
        return db_session.scalar(text("SELECT analyze_count + autoanalyze_count FROM pg_stat_user_tables "
                                      "WHERE relname = 'publication_diagnostic'"))

    before = analyzed()
    monkeypatch.setattr(pipeline, "STATISTICS_AFTER", 5)  # the shop's five products
    assert publisher(settings, app).publish("acme", "test").status == "succeeded"
    assert analyzed() > before
