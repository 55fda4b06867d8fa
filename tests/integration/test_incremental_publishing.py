"""Sharded and incremental publishing: the files are the same bytes however many worker
processes render them and whether items are rendered anew or reused from the last good
publication; each kind of change re-renders exactly the items it touches."""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from channel_adapters.base.chunks import ChunkedAdapter
from hub.publishing import item_fingerprints
from hub.publishing.item_diff import diff
from hub.publishing.pipeline import Publisher
from hub.publishing.kept_parts import forget_all
from hub.services import documents
from hub.services.context import CatalogContext
from hub.services.demo import DemoCatalog
from hub.services.products import ProductService
from hub.jobs.imports import Importer
from hub.store.models import (
    Channel, Location, Product, ProductCompleteness, ProductDocument, ProductModel, Publication, PublicationDiagnostic, Stock,
    Version,
)
from hub.store.repos import PublicationRepo
from schemas.imports import ImportOptionsIn
from schemas.product import ProductIn
from tests.integration.test_publishing import shop  # noqa: F401 - fixture

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
API = "/api/v1"
SPAN = 40  # product ids per shard: the demo's 240 products make seven shards


@pytest.fixture
def demo(app, db_session, settings) -> None:
    DemoCatalog(db_session, settings.media_dir, now=NOW).load()


def publisher(app, settings, workers: int = 1, now: datetime = NOW) -> Publisher:
    the_hub = app.extensions["crosscanal"]
    return Publisher(settings, the_hub.writers, the_hub.adapters, now=lambda: now, workers=workers, shard_span=SPAN)


def files(settings, result: Publication) -> dict[str, bytes]:
    """The publication's files; each one's recorded SHA-256 is checked against its bytes (a
    republish that changed nothing reuses the kept files' hashes)."""
    assert result.status == "succeeded", result.error
    found = {f.name: Path(f.location).read_bytes() for f in result.files}
    assert {f.name: f.sha256 for f in result.files} == {name: hashlib.sha256(data).hexdigest() for name, data in found.items()}
    return found


def full(app, settings, channel: str, **options: Any) -> dict[str, bytes]:
    return files(settings, full_publication(app, settings, channel, **options))


def full_publication(app, settings, channel: str, **options: Any) -> Publication:
    """The channel rendered from scratch: no kept parts to reuse."""
    forget_all(settings.data_dir)
    result = publisher(app, settings, **options).publish(channel, "test")
    assert result.rendered == result.total
    return result


def chunked_channels(app, client, tokens) -> list[str]:
    adapters = app.extensions["crosscanal"].adapters
    channels = client.get(f"{API}/channels?limit=100", headers=tokens["admin"]).json["items"]
    return [c["code"] for c in channels if isinstance(adapters.get(c["adapter"]), ChunkedAdapter)]


def test_one_worker_two_workers_and_a_republish_write_the_same_bytes(demo, app, settings, client, tokens):
    codes = chunked_channels(app, client, tokens)
    assert {"google_shopping", "google_local", "marketplace", "meta", "pinterest", "tiktok"} <= set(codes)
    for code in codes:
        alone = full(app, settings, code)
        assert all(alone.values()), code
        assert full(app, settings, code, workers=2) == alone, code
        again = publisher(app, settings).publish(code, "test")
        assert again.rendered == 0, code
        assert files(settings, again) == alone, code


def test_adapters_that_write_whole_files_publish_the_same_bytes_twice(demo, app, settings, client, tokens):
    adapters = app.extensions["crosscanal"].adapters
    channels = client.get(f"{API}/channels?limit=100", headers=tokens["admin"]).json["items"]
    whole = [c["code"] for c in channels if not isinstance(adapters.get(c["adapter"]), ChunkedAdapter)]
    assert whole, "the shelf labels and electronic shelf labels write whole files"
    for code in whole:
        first = publisher(app, settings, workers=2).publish(code, "test")
        assert files(settings, first) == files(settings, publisher(app, settings).publish(code, "test")), code


class Republish:
    """Publishes google_shopping after each change and checks it against a full render."""

    def __init__(self, app, settings, db_session: Session) -> None:
        self.app, self.settings, self.session = app, settings, db_session
        self.last = publisher(app, settings).publish("google_shopping", "test")
        self.now = NOW

    def after(self, expected_rendered: int | None, *, now: datetime | None = None) -> set[str]:
        """Republish; answers the ids of the items that differ from the previous publication."""
        self.now = now or self.now
        result = publisher(self.app, self.settings, now=self.now).publish("google_shopping", "test")
        if expected_rendered is not None:
            assert result.rendered == expected_rendered
        self.rendered = result.rendered
        data_dir = self.settings.data_dir
        found = diff(item_fingerprints.read(data_dir, self.last.id), item_fingerprints.read(data_dir, result.id))
        whole = full_publication(self.app, self.settings, "google_shopping", now=self.now)
        assert files(self.settings, result) == files(self.settings, whole)
        assert (result.items, result.excluded, result.warnings) == (whole.items, whole.excluded, whole.warnings)
        assert findings(self.session, result.id) == findings(self.session, whole.id)
        # The republish's item records, patched from the kept shards', are a full render's.
        assert list(item_fingerprints.read(data_dir, result.id)) == list(item_fingerprints.read(data_dir, whole.id))
        self.last = whole  # the same items; the newest two publications keep their fingerprints
        return {*found.added.first, *found.removed.first, *found.changed.first}


def findings(session: Session, publication_id: int) -> list[tuple[Any, ...]]:
    session.rollback()
    return sorted((d.sku, d.severity, d.code, d.attribute, d.message, d.fix)
                  for d in PublicationRepo(session).diagnostics(publication_id))


def lacking(session: Session) -> dict[int, list[str]]:
    """What each product google_shopping carries lacks there."""
    session.rollback()
    return dict(session.execute(select(ProductCompleteness.product_id, ProductCompleteness.missing)
                                .join(Channel, Channel.id == ProductCompleteness.channel_id)
                                .where(Channel.code == "google_shopping", ProductCompleteness.carried.is_(True))).all())


def carried_skus(session: Session, where: Any) -> set[str]:
    session.rollback()
    return set(session.scalars(select(Product.sku).where(where, Product.enabled.is_(True))))


def test_each_kind_of_change_re_renders_what_it_touches_and_nothing_else(demo, app, settings, db_session, client, tokens):
    republish = Republish(app, settings, db_session)
    editor, admin = tokens["editor"], tokens["admin"]
    published = {item_fingerprints.item_id(key) for key, _ in item_fingerprints.read(settings.data_dir, republish.last.id)}
    one, two, three = sorted(carried_skus(db_session, Product.parent_id.is_(None)) & published)[:3]

    patched = client.patch(f"{API}/products/{one}", json={"values": {"name": [
        {"locale": "en_US", "scope": None, "data": "Renamed for the test"}]}}, headers=editor)
    assert patched.status_code == 200, patched.json
    assert republish.after(1) == {one}

    offers = client.get(f"{API}/products/{two}", headers=editor).json["offers"]
    usd = next(o for o in offers if o["currency"] == "USD")
    usd.update(price="999.99", sale_price=None, sale_start=None, sale_end=None)
    assert client.patch(f"{API}/products/{two}", json={"offers": offers}, headers=editor).status_code == 200
    assert republish.after(1) == {two}

    assert client.post(f"{API}/stock", json=[{"sku": three, "location": "WH_LYON", "quantity": 0}],
                       headers=editor).status_code in (200, 204)
    assert republish.after(1) == {three}

    model = db_session.scalars(select(ProductModel).order_by(ProductModel.id)).first()
    variants = carried_skus(db_session, Product.parent_id == model.id)
    changed = client.patch(f"{API}/product-models/{model.code}", json={"values": {"name": [
        {"locale": "en_US", "scope": None, "data": "A model renamed for the test"}]}}, headers=editor)
    assert changed.status_code == 200, changed.json
    assert republish.after(len(variants)) == variants

    # Fifteen days on, the demo's running sales have ended and those announced have started:
    # only those items are rendered again, and the ended sales' items change.
    later = NOW + timedelta(days=15)
    starting = set()
    for sku, moments in db_session.execute(select(Product.sku, ProductDocument.moments)
                                           .join(ProductDocument, ProductDocument.product_id == Product.id)
                                           .where(Product.enabled.is_(True))):
        if moments and documents.phase(moments, later) != documents.phase(moments, NOW):
            starting.add(sku)
    assert starting
    moved = republish.after(None, now=later)
    assert moved and moved <= starting and 0 < republish.rendered <= len(starting)

    assert client.patch(f"{API}/products/{one}", json={"enabled": False}, headers=editor).status_code == 200
    assert republish.after(0) == {one}
    assert client.delete(f"{API}/products/{two}", headers=editor).status_code == 204
    assert republish.after(0) == {two}

    # A family's requirements change what its products lack (no document changes): exactly the
    # products whose ``missing`` moved are rendered again.
    before = lacking(db_session)
    family = client.get(f"{API}/families/grocery", headers=admin).json
    required = family["requirements"].setdefault("google_shopping", [])
    required.append(next(code for code in family["attributes"] if code not in required and code != "name"))
    put = client.put(f"{API}/families/grocery", json=family, headers=admin)
    assert put.status_code == 200, put.json
    after = lacking(db_session)
    moved_missing = {pid for pid in after if after[pid] != before.get(pid)}
    assert moved_missing
    republish.after(len(moved_missing))

    # The channel stops carrying a family: its items leave the feed, nothing is rendered.
    liquids = carried_skus(db_session, Product.family.has(code="liquids"))
    published = {item_fingerprints.item_id(key) for key, _ in item_fingerprints.read(settings.data_dir, republish.last.id)}
    channel = client.get(f"{API}/channels/google_shopping", headers=admin).json
    assert client.patch(f"{API}/channels/google_shopping", json={"filter": {**channel["filter"], "families": [
        "apparel", "grocery"]}}, headers=admin).status_code == 200
    assert republish.after(0) == liquids & published != set()

    total = republish.last.total
    mapping = client.get(f"{API}/channels/google_shopping", headers=admin).json["mapping"]
    mapping["category_map"] = {code: "Food, Beverages & Tobacco" for code in mapping["category_map"]}
    assert client.patch(f"{API}/channels/google_shopping", json={"mapping": mapping}, headers=admin).status_code == 200
    republish.after(total)

    guide = client.get(f"{API}/brand-guide", headers=admin).json
    guide["banned_words"] = [*guide["banned_words"], "classic"]
    assert client.put(f"{API}/brand-guide", json=guide, headers=admin).status_code == 200
    republish.after(total)


def test_a_killed_worker_fails_the_publication_and_leaves_the_last_good_feed(shop, acme_site, settings, app, db_session):  # noqa: F811
    db_session.execute(update(Channel).where(Channel.code == "acme").values(adapter="acme_chunks"))
    db_session.commit()
    env = {**os.environ, "CROSSCANAL_DATABASE_URL": settings.database_url, "CROSSCANAL_DATA_DIR": str(settings.data_dir),
           "CROSSCANAL_PUBLISH_URL": settings.publish_url, "CROSSCANAL_SHARD_SPAN": "2",
           "PYTHONPATH": os.pathsep.join([str(acme_site), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "hub.cli", "publish", "acme", "--workers", "2"]
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0
    feed = Path(settings.publish_url) / "acme" / "acme.csv"
    before = feed.read_bytes()
    assert before.count(b"\n") == 6  # the header and five products

    db_session.execute(update(Channel).where(Channel.code == "acme").values(settings={"delay": 2.0}))
    db_session.commit()
    forget_all(settings.data_dir)  # render every item again, slowly
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (workers := children(process.pid)) or len(workers) < 2:
        assert time.monotonic() < deadline and process.poll() is None, "the workers never started"
        time.sleep(0.1)
    time.sleep(1.0)
    os.kill(workers[-1], signal.SIGKILL)
    assert process.wait(timeout=60) == 1
    assert feed.read_bytes() == before
    db_session.rollback()
    failed = db_session.scalars(select(Publication).order_by(Publication.id.desc())).first()
    assert failed.status == "failed" and "terminated abruptly" in failed.error


def children(pid: int) -> list[int]:
    """The worker processes of ``pid`` (the spawn start method's resource tracker aside)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return [child for child in found if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()]


def test_the_fingerprints_of_a_sharded_publication_list_every_item(demo, app, settings):
    result = publisher(app, settings, workers=2).publish("google_shopping", "test")
    lines = list(item_fingerprints.read(settings.data_dir, result.id))
    assert len(lines) == result.items and [key for key, _ in lines] == sorted(key for key, _ in lines)


def test_a_channels_own_settings_re_render_that_channel_only(demo, app, settings, client, tokens):
    for code in ("google_shopping", "pinterest"):
        assert publisher(app, settings).publish(code, "test").rendered > 0
    mapping = client.get(f"{API}/channels/google_shopping", headers=tokens["admin"]).json["mapping"]
    mapping["title_template"] = "{brand} - {name}"
    assert client.patch(f"{API}/channels/google_shopping", json={"mapping": mapping}, headers=tokens["admin"]).status_code == 200
    assert publisher(app, settings).publish("pinterest", "test").rendered == 0
    again = publisher(app, settings).publish("google_shopping", "test")
    assert again.rendered == again.total


def test_findings_are_written_for_what_is_rendered_and_a_failed_run_takes_its_own_back(demo, app, settings, db_session,
                                                                                      client, tokens, tmp_path):
    first = full_publication(app, settings, "google_shopping")
    before = findings(db_session, first.id)
    assert before and own_rows(db_session, first.id) == len(before)
    sku = sorted(carried_skus(db_session, Product.parent_id.is_(None)))[0]
    renamed = client.patch(f"{API}/products/{sku}", json={"values": {"name": [
        {"locale": "en_US", "scope": None, "data": "Renamed for the test"}]}}, headers=tokens["editor"])
    assert renamed.status_code == 200, renamed.json

    second = publisher(app, settings).publish("google_shopping", "test")
    assert second.rendered == 1
    now_held = findings(db_session, second.id)
    assert own_rows(db_session, second.id) == sum(1 for row in now_held if row[0] == sku)  # that product's, no copy
    assert findings(db_session, first.id) == before  # what the first run found stays readable

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the destination folder should be")
    forget_all(settings.data_dir)  # render every item, writing every finding, then fail to publish
    failing = Publisher(replace(settings, publish_url=str(blocked)), app.extensions["crosscanal"].writers,
                        app.extensions["crosscanal"].adapters, now=lambda: NOW, shard_span=SPAN)
    failed = failing.publish("google_shopping", "test")
    assert failed.status == "failed"
    assert findings(db_session, failed.id) == [] and own_rows(db_session, failed.id) == 0
    assert findings(db_session, second.id) == now_held  # the last good run's findings hold
    held = db_session.scalar(select(func.count()).select_from(PublicationDiagnostic).where(
        PublicationDiagnostic.until_id.is_(None), PublicationDiagnostic.channel_id == second.channel_id))
    assert held == len(now_held)
    again = publisher(app, settings).publish("google_shopping", "test")
    assert findings(db_session, again.id) == now_held


def own_rows(session: Session, publication_id: int) -> int:
    """The findings rows a publication wrote itself."""
    session.rollback()
    return session.scalar(select(func.count()).select_from(PublicationDiagnostic)
                          .where(PublicationDiagnostic.publication_id == publication_id))


def test_a_missing_kept_file_means_a_full_render_not_a_failure(demo, app, settings):
    first = publisher(app, settings).publish("google_shopping", "test")
    kept = next((settings.data_dir / "parts").glob(f"{first.channel_id}/current"))
    for stitched in kept.glob("stitched.*"):
        stitched.unlink()
    again = publisher(app, settings).publish("google_shopping", "test")
    assert again.status == "succeeded" and again.rendered == again.total
    assert files(settings, again) == files(settings, first)


def test_a_write_still_open_while_a_publication_reads_is_rendered_by_the_next_one(demo, app, settings, db_session):
    """PostgreSQL commits concurrent writers in any order: a product saved in a transaction that
    began before a publication and commits after it read the changes is not in that publication,
    and must be in the next one (a change number drawn from a counter would have been missed)."""
    if settings.database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time: no write is open while a publication takes its horizon")
    republish = Republish(app, settings, db_session)
    sku = sorted(carried_skus(db_session, Product.parent_id.is_(None)))[0]
    with app.extensions["crosscanal"].writers() as session:
        service = ProductService(session, CatalogContext(session), "test")
        product = session.scalars(select(Product).where(Product.sku == sku)).one()
        state = copy.deepcopy(service.state(product))  # the state shares the product's dicts
        state["values"]["name"] = [{"locale": "en_US", "scope": None, "data": "Saved while a publication ran"}]
        assert service.save(ProductIn().load(state), product).changed
        session.flush()  # written and stamped, not committed
        during = publisher(app, settings).publish("google_shopping", "test")
        assert during.status == "succeeded" and during.rendered == 0
        session.commit()
    republish.last = during
    assert republish.after(1) == {sku}


def test_a_stock_file_bumps_no_revision_and_re_renders_only_the_items_whose_stock_changed(
        demo, app, settings, db_session, tmp_path):
    republish = Republish(app, settings, db_session)
    published = {item_fingerprints.item_id(key) for key, _ in item_fingerprints.read(settings.data_dir, republish.last.id)}
    stocked = db_session.execute(
        select(Product.sku, Stock.quantity).join(Stock, Stock.product_id == Product.id).join(Location, Location.id == Stock.location_id)
        .where(Location.code == "WH_LYON", Stock.quantity > 0, Product.sku.in_(published)).order_by(Product.sku)).all()[:6]
    emptied, kept = stocked[:3], stocked[3:]
    path = tmp_path / "lyon.csv"
    path.write_text("location,sku,quantity\n" + "".join(f"WH_LYON,{sku},0\n" for sku, _ in emptied)
                    + "".join(f"WH_LYON,{sku},{quantity}\n" for sku, quantity in kept), encoding="utf-8")
    before = db_session.execute(select(Product.sku, Product.revision, Product.updated)).all()
    versions = db_session.scalar(select(func.count()).select_from(Version))

    job = Importer(app.extensions["crosscanal"].writers, settings.data_dir).start(
        db_session, ImportOptionsIn().load({"filename": path.name}), "test")
    db_session.commit()
    job = Importer(app.extensions["crosscanal"].writers, settings.data_dir).run(job.id, path)

    assert (job.status, job.kind, job.updated, job.unchanged, job.rejected) == ("succeeded", "stock", 3, 3, 0)
    db_session.rollback()
    assert db_session.execute(select(Product.sku, Product.revision, Product.updated)).all() == before
    assert db_session.scalar(select(func.count()).select_from(Version)) == versions
    assert republish.after(3) == {sku for sku, _ in emptied}


def test_a_succeeded_publication_keeps_its_finding_counts_as_counted_from_its_findings(demo, app, settings, db_session,
                                                                                      client, tokens):
    from hub.store.publications import DiagnosticCount, DiagnosticRepo

    first = publisher(app, settings).publish("google_shopping", "test")
    publisher(app, settings).publish("google_shopping", "test")  # an incremental one: its findings are all held over
    # The shards add up their counts; one with products that gained and lost findings counts again.
    editor = tokens["editor"]
    with_ean = ((sku, client.get(f"{API}/products/{sku}", headers=editor).json["values"].get("ean"))
                for sku in sorted(carried_skus(db_session, Product.parent_id.is_(None))))
    skus, eans = zip(*[found for found in with_ean if found[1]][:3])
    for sku in skus:  # each gains a gtin_missing finding
        assert client.patch(f"{API}/products/{sku}", json={"values": {"ean": None}}, headers=editor).status_code == 200
    assert publisher(app, settings).publish("google_shopping", "test").rendered == 3
    assert client.patch(f"{API}/products/{skus[0]}", json={"values": {"ean": eans[0]}}, headers=editor).status_code == 200
    assert publisher(app, settings).publish("google_shopping", "test").rendered == 1  # and one loses it
    db_session.rollback()
    for publication in db_session.scalars(select(Publication).where(Publication.channel.has(code="google_shopping"))):
        kept = sorted((d.severity, d.code, d.products) for d in db_session.scalars(
            select(DiagnosticCount).where(DiagnosticCount.publication_id == publication.id)))
        assert kept and kept == sorted(DiagnosticRepo(db_session).counted(publication)), publication.id
    assert first.status == "succeeded"


def renderers(caplog: pytest.LogCaptureFixture) -> dict[int, str]:
    """Who rendered each shard of the last publication, by shard number, from its log line."""
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("publication ")]
    caplog.clear()
    found = {}
    for part in lines[-1].split(": ", 1)[1].split("; "):
        shard, worker = part.rsplit(" by ", 1)
        found[int(shard.split()[1])] = worker
    return found


def test_worker_processes_start_only_where_each_has_enough_to_render(demo, app, settings, monkeypatch, caplog):
    """By default a publication renders in this process unless each worker would get
    PER_WORKER products (starting one costs about a second); the log says who rendered each shard."""
    from hub import config

    caplog.set_level(logging.INFO, logger="hub.publishing.pipeline")
    monkeypatch.setattr(config, "default_workers", lambda: 2)
    here = f"{socket.gethostname()} pid {os.getpid()}"
    full_publication(app, settings, "google_shopping", workers=None)
    assert set(renderers(caplog).values()) == {here}  # 240 products: not worth a worker


def test_this_process_renders_the_first_shards_while_its_workers_start(shop, app, settings, db_session, caplog):  # noqa: F811
    """Starting a worker takes about a second: the publishing process renders shards from the
    front meanwhile (so the stitching starts at once), and the workers take the rest once up."""
    db_session.execute(update(Channel).where(Channel.code == "acme").values(adapter="acme_chunks", settings={"delay": 1.0}))
    db_session.commit()
    caplog.set_level(logging.INFO, logger="hub.publishing.pipeline")
    the_hub = app.extensions["crosscanal"]
    result = Publisher(settings, the_hub.writers, the_hub.adapters, workers=2, shard_span=1).publish("acme", "test")
    assert result.status == "succeeded", result.error
    by = renderers(caplog)
    here = f"{socket.gethostname()} pid {os.getpid()}"
    assert len(by) == 5 and by[min(by)] == here  # five products, a shard each: about a second each
    assert set(by.values()) - {here}, "no shard went to a worker process"
