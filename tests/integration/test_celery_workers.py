"""Publications, imports, bulk edits and exports on real Celery workers (``crosscanal worker``
processes) over real Redis.

The files are the same bytes whether the shards render in the publishing process, on one
worker or on two; a worker killed with SIGKILL mid-publication has its shard run again by the
other; a shard that keeps failing fails its publication and leaves the last good feed current;
an unreachable broker answers 503 and leaves nothing behind; imports, bulk edits and exports
started through the API run on a worker.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import boto3
import pytest
import requests
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from channel_adapters.base.registry import load_adapters
from hub.config import Settings
from hub.publishing import kept_parts
from hub.errors import ServiceUnavailable
from hub.jobs.runners import this_process
from hub.publishing.pipeline import FINISHING, ChannelBusy, Publisher, ShardPlan
from hub.publishing.shards import Outcome
from hub.publishing.workers import ShardWork
from hub.queue.dispatch import follow, hand_on
from hub.services.demo import DemoCatalog
from hub.store.db import make_engine, make_session_factory, readers_of
from hub.store.documents import ProductDocumentBody
from hub.store.models import Channel, ChannelLock, Family, Product, Publication
from hub.web import create_app
from tests.integration.helpers import xlsx_cells
from tests.support.celery_workers import REDELIVERY, running_workers, worker_environment
from tests.support.ports import free_port, wait_until_listening
from tests.support.redis_server import claimed_database
from tests.support.s3 import s3_server

FOLLOW = 180  # seconds a publication may take before the test gives up on it
PRODUCTS, SPAN = 1500, 300  # five shards or so of the generated demo catalog
CHANNELS = ("google_shopping", "marketplace")  # two files (XML and TSV), and BMEcat's XML
SHARD_RECEIVED = re.compile(r"crosscanal\.render_shard\[([^]]+)\] received")  # a worker's log: the task it took
GENERATED = re.compile(rb'<DATETIME type="generation_date">.*?</DATETIME>')  # BMEcat's header names the moment it was written


@pytest.fixture(scope="module")
def broker_url() -> Iterator[str]:
    with claimed_database() as url:
        yield url


@pytest.fixture
def queued(settings: Settings, broker_url: str, db_session: Session) -> Settings:
    """The test's hub with a broker, its demo catalog loaded."""
    DemoCatalog(db_session, settings.media_dir, products=PRODUCTS).load()
    db_session.commit()
    return dataclasses.replace(settings, broker_url=broker_url, shard_span=SPAN)


def _publisher(settings: Settings) -> Publisher:
    engine = make_engine(settings.database_url)
    return Publisher(settings, make_session_factory(engine, writer=True), load_adapters(), workers=1)


def _files(settings: Settings, code: str, publication: Publication | None = None) -> dict[str, bytes]:
    """The channel's current set, as its destination's ``current.json`` names it (which must be
    ``publication``'s, when given)."""
    folder = Path(settings.publish_url) / code
    pointer = json.loads((folder / "current.json").read_bytes())
    assert publication is None or pointer["publication"] == publication.id, pointer
    return {name: GENERATED.sub(b"", (folder / entry["path"]).read_bytes()) for name, entry in pointer["files"].items()}


def _publish(settings: Settings, code: str) -> Publication:
    """Publish through the queue when ``settings`` has a broker, else in this process; every item rendered."""
    kept_parts.forget_all(settings.data_dir)
    publisher = _publisher(settings)
    publication_id = publisher.start(code, "test")
    ran: list[Publication] = []
    if hand_on(publisher, publication_id, lambda pid: ran.append(publisher.run(pid))):
        return follow(publisher, publication_id, timeout=FOLLOW)
    return ran[0]


def test_the_files_are_the_same_bytes_in_process_on_one_worker_and_on_two(queued: Settings, broker_url: str, tmp_path: Path):
    in_process = dataclasses.replace(queued, broker_url=None)
    expected = {}
    for code in CHANNELS:
        publication = _publish(in_process, code)
        assert publication.status == "succeeded", publication.error
        expected[code] = _files(queued, code)
    assert all(expected.values()) and len(expected["google_shopping"]) == 2

    for count in (1, 2):
        with running_workers(queued, broker_url, count, tmp_path) as workers:
            for code in CHANNELS:
                publication = _publish(queued, code)
                assert publication.status == "succeeded", publication.error
                assert _files(queued, code, publication) == expected[code], f"{code} on {count} worker(s)"
                assert len(publication.shards) >= 5 and publication.progress == 1.0
                rendered_by = {worker for _n, worker, _s, _done, _rendered in publication.shards}
                assert all(f"pid {w.process.pid}" not in " ".join(rendered_by) for w in workers)  # pool processes, not the parents
                assert len(rendered_by) == count, rendered_by
                assert sum(done for *_, done, _rendered in publication.shards) == publication.total


def test_a_worker_killed_mid_publication_has_its_shard_run_by_another(queued: Settings, broker_url: str, tmp_path: Path):
    in_process = dataclasses.replace(queued, broker_url=None)
    assert _publish(in_process, "google_shopping").status == "succeeded"
    expected = _files(queued, "google_shopping")

    with running_workers(queued, broker_url, 2, tmp_path) as workers:
        publisher = _publisher(queued)
        kept_parts.forget_all(queued.data_dir)
        publication_id = publisher.start("google_shopping", "test")
        assert hand_on(publisher, publication_id, publisher.run)
        victim = _first_to_take_a_shard(workers)
        victim.kill()
        killed = time.monotonic()
        lost = SHARD_RECEIVED.findall(victim.text())[-1]  # the task it held when it died
        publication = follow(publisher, publication_id, timeout=FOLLOW)
        recovered = time.monotonic() - killed
        survivor = next(worker for worker in workers if worker is not victim)

    assert publication.status == "succeeded", publication.error
    assert _files(queued, "google_shopping", publication) == expected
    assert recovered < REDELIVERY + 30
    assert lost in SHARD_RECEIVED.findall(survivor.text()), "the killed worker's shard was not run again by the other"


def before_log(workers: list) -> dict[object, int]:
    """Where each worker's log ends now: a later search starts there."""
    return {worker: len(worker.text()) for worker in workers}


def _first_to_take_a_shard(workers: list, after: dict[object, int] | None = None) -> object:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for worker in workers:
            if SHARD_RECEIVED.search(worker.text()[(after or {}).get(worker, 0):]):
                return worker
        time.sleep(0.02)
    raise AssertionError("no worker took a shard within a minute")


def test_a_shard_that_keeps_failing_fails_the_publication_and_the_last_feed_stays(queued: Settings, broker_url: str,
                                                                                   db_session: Session, tmp_path: Path):
    with running_workers(queued, broker_url, 1, tmp_path):
        assert _publish(queued, "google_shopping").status == "succeeded"
        before = _files(queued, "google_shopping")
        # Through a writer session: the worker may still be writing after the publication ended, and
        # on SQLite a reader's transaction that read before that write cannot turn into a writer.
        with _publisher(queued).sessions() as writer:
            broken = writer.scalar(select(func.max(ProductDocumentBody.product_id)))
            writer.execute(update(ProductDocumentBody).where(ProductDocumentBody.product_id == broken).values(doc=b"{not json"))
            writer.commit()

        publication = _publish(queued, "google_shopping")

    assert publication.status == "failed"
    assert publication.error.startswith("a shard could not be rendered, after up to 3 tries ("), publication.error
    assert "Dependency" not in publication.error
    assert _files(queued, "google_shopping") == before
    assert db_session.scalar(select(func.count()).select_from(ChannelLock)) == 0  # the channel can publish again


def test_an_unreachable_broker_answers_503_and_leaves_nothing(queued: Settings, broker_url: str, db_session: Session,
                                                              tmp_path: Path, tokens: dict[str, dict[str, str]]):
    down = dataclasses.replace(queued, broker_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    client = create_app(down).test_client()
    publications = db_session.scalar(select(func.count()).select_from(Publication))

    answer = client.post("/api/v1/channels/google_shopping/publications", headers=tokens["publisher"])

    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    assert "the publication was not started: start it again once the broker" in answer.get_json()["detail"]
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Publication)) == publications
    assert db_session.scalar(select(func.count()).select_from(ChannelLock)) == 0

    with running_workers(queued, broker_url, 1, tmp_path):
        answer = create_app(queued).test_client().post("/api/v1/channels/google_shopping/publications",
                                                       headers=tokens["publisher"])
        assert answer.status_code == 202, answer.get_json()
        publication = follow(_publisher(queued), answer.get_json()["id"], timeout=FOLLOW)
    assert publication.status == "succeeded", publication.error


def test_two_schedulers_started_at_once_queue_a_due_publication_once(queued: Settings, broker_url: str, db_session: Session,
                                                                     tmp_path: Path):
    db_session.execute(update(Channel).where(Channel.code == "tiktok").values(schedule="* * * * *"))  # due this minute
    db_session.commit()
    environment = worker_environment(queued, broker_url)
    with running_workers(queued, broker_url, 1, tmp_path):
        schedulers = [subprocess.Popen([sys.executable, "-m", "hub.cli", "scheduler"], env=environment,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
        try:
            deadline = time.monotonic() + FOLLOW
            while not _scheduled(db_session, "succeeded"):
                assert time.monotonic() < deadline, "the due publication never succeeded"
                assert all(process.poll() is None for process in schedulers), "a scheduler stopped"
                time.sleep(0.3)
            time.sleep(2)  # both have ticked by now (each ticks as it starts)
        finally:
            for process in schedulers:
                process.terminate()
                process.wait(timeout=15)
    assert len(_scheduled(db_session)) == 1


def _scheduled(db_session: Session, status: str | None = None) -> list[Publication]:
    db_session.rollback()
    query = select(Publication).join(Channel).where(Channel.code == "tiktok", Publication.trigger.like("schedule:%"))
    return db_session.scalars(query.where(Publication.status == status) if status else query).all()


def test_an_import_a_bulk_edit_and_an_export_started_through_the_api_run_on_a_worker(queued: Settings, broker_url: str,
                                                                          db_session: Session, tmp_path: Path,
                                                                          tokens: dict[str, dict[str, str]]):
    client = create_app(queued).test_client()
    family = db_session.scalar(select(Product.family_id).where(Product.family_id.is_not(None)).limit(1))
    family_code = db_session.scalar(select(Family.code).where(Family.id == family))
    with running_workers(queued, broker_url, 1, tmp_path) as (worker,):
        body = "sku,family,enabled\nqueued-1,{0},1\nqueued-2,{0},0\n".format(family_code).encode()
        started = client.post("/api/v1/imports?kind=products&format=csv", data=body, content_type="text/csv",
                              headers=tokens["editor"])
        assert started.status_code == 202, started.get_json()
        job = _ended(client, f"/api/v1/imports/{started.get_json()['id']}", tokens["viewer"])
        assert job["status"] == "succeeded" and job["created"] == 2, job
        edit = client.post("/api/v1/bulk-edits", json={"action": "disable", "skus": ["queued-1"]}, headers=tokens["editor"])
        assert edit.status_code == 202, edit.get_json()
        assert _ended(client, f"/api/v1/bulk-edits/{edit.get_json()['id']}", tokens["viewer"])["status"] == "succeeded"
        export = client.post("/api/v1/exports", json={"kind": "products", "format": "ndjson"}, headers=tokens["viewer"])
        assert export.status_code == 202, export.get_json()
        exported = _ended(client, f"/api/v1/exports/{export.get_json()['id']}", tokens["viewer"])
        assert exported["status"] == "succeeded" and exported["written"] == PRODUCTS + 2, exported
        ran = worker.text()
    assert "crosscanal.run_import" in ran and "crosscanal.run_bulk_edit" in ran and "crosscanal.run_export" in ran
    written = client.get(f"/api/v1/exports/{exported['id']}/file", headers=tokens["viewer"]).data
    assert written == client.get("/api/v1/exports/products.ndjson", headers=tokens["viewer"]).data
    assert b'"sku":"queued-1"' in written
    db_session.rollback()
    enabled = dict(db_session.execute(select(Product.sku, Product.enabled).where(Product.sku.like("queued-%"))).all())
    assert enabled == {"queued-1": False, "queued-2": False}


def _ended(client, url: str, headers: dict[str, str]) -> dict:
    deadline = time.monotonic() + FOLLOW
    while (job := client.get(url, headers=headers).get_json())["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.3)
    return job


def test_the_command_says_the_broker_is_unreachable_and_exits_3(queued: Settings, db_session: Session):
    environment = worker_environment(queued, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    run = subprocess.run([sys.executable, "-m", "hub.cli", "publish", "google_shopping"], env=environment,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 3, run.stderr[-2000:]
    assert "the task queue cannot be reached" in run.stderr and "CROSSCANAL_BROKER_URL" in run.stderr
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Publication)) == 0
    assert db_session.scalar(select(func.count()).select_from(ChannelLock)) == 0


def test_redis_stopped_during_a_run_leaves_the_last_feed_and_a_retry_succeeds_once_it_is_back(
        queued: Settings, db_session: Session, tmp_path: Path):
    """The run's tasks go with the broker (it keeps nothing on disk, as ours is run): its channel's
    lock is no longer renewed and is taken over 30 s after the last renewal by the next run."""
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"

    def start_redis() -> subprocess.Popen:
        process = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_listening(port, process)
        return process

    own = dataclasses.replace(queued, broker_url=broker)
    redis = start_redis()
    try:
        with running_workers(own, broker, 2, tmp_path) as workers:
            assert _publish(own, "google_shopping").status == "succeeded"
            before = _files(own, "google_shopping")
            publisher = _publisher(own)
            publication_id = publisher.start("google_shopping", "test")
            logged = before_log(workers)
            assert hand_on(publisher, publication_id, publisher.run)
            _first_to_take_a_shard(workers, after=logged)
            redis.kill()  # mid-run: the queue and its tasks are gone
            redis.wait()
            stopped = time.monotonic()
            with pytest.raises(ServiceUnavailable):
                hand_on(publisher, publisher.start("marketplace", "test"), publisher.run)
            redis = start_redis()  # back, empty
            deadline = stopped + 90
            while True:
                try:
                    retried = _publish(own, "google_shopping")
                    break
                except ChannelBusy:  # the dead run still holds the channel for up to 30 s
                    assert time.monotonic() < deadline, "the dead run's lock was never taken over"
                    time.sleep(1)
            taken_over = time.monotonic() - stopped
    finally:
        redis.kill()
        redis.wait()
    assert retried.status == "succeeded", retried.error
    assert taken_over < 30 + 15
    assert _files(own, "google_shopping") == before  # nothing changed in between: the same bytes again
    db_session.rollback()
    dead = db_session.get(Publication, publication_id)
    # Either its lock was taken over, or a worker still up saw its shard's messages fail and ended it.
    assert dead.status == "failed"
    assert (f"publication {retried.id} took the channel over" in dead.error
            or dead.error.startswith("a shard could not be rendered")), dead.error
    assert db_session.scalar(select(func.count()).select_from(Publication).where(Publication.status.in_(("queued", "running")))) == 0


def test_the_whole_topology_serve_two_workers_and_s3_publish_and_export_the_same_bytes(
        queued: Settings, broker_url: str, db_session: Session, tmp_path: Path, tokens: dict[str, dict[str, str]],
        monkeypatch: pytest.MonkeyPatch):
    """As "Running on several machines" deploys it, with real processes on this machine: a
    ``crosscanal serve`` (two processes) taking the API calls, two ``crosscanal worker`` processes,
    Redis, this run's database, and moto's S3 server as the destination. A publication started
    over HTTP is rendered by both workers, its files land in the bucket and the feed URLs hand out
    the same bytes as an in-process publication of the same catalog to a folder; an export job
    started over HTTP is written by a worker and downloaded from the server."""
    local = dataclasses.replace(queued, broker_url=None, publish_url=str(tmp_path / "in-process"))
    expected = {}
    for code in CHANNELS:
        assert _publish(local, code).status == "succeeded"
        expected[code] = _files(local, code)
    with s3_server() as endpoint:
        for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                            "AWS_DEFAULT_REGION": "us-east-1"}.items():
            monkeypatch.setenv(name, value)  # every process started below reads them, as boto3 does in production
        bucket = boto3.client("s3")
        bucket.create_bucket(Bucket="feeds")
        on_s3 = dataclasses.replace(queued, publish_url="s3://feeds/shop")
        kept_parts.forget_all(queued.data_dir)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "hub.cli", "serve", "--port", str(port), "--workers", "2",
                                   "--threads", "2"], env=worker_environment(on_s3, broker_url),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_listening(port, server, 60)
            with running_workers(on_s3, broker_url, 2, tmp_path) as workers, requests.Session() as http:
                for code in CHANNELS:
                    started = http.post(f"{base}/api/v1/channels/{code}/publications", headers=tokens["publisher"])
                    assert started.status_code == 202, started.text
                    publication = _ended_over(http, f"{base}/api/v1/publications/{started.json()['id']}", tokens["viewer"])
                    assert publication["status"] == "succeeded", publication
                    assert len({shard["worker"] for shard in publication["shards"]}) == 2, publication["shards"]
                    token = http.get(f"{base}/api/v1/channels/{code}", headers=tokens["admin"]).json()["feed_token"]
                    current = http.get(f"{base}/feeds/{code}", params={"token": token}).json()
                    assert current["publication"] == publication["id"]
                    served = {entry["name"]: http.get(base + entry["url"], params={"token": token}).content
                              for entry in current["files"]}
                    assert {name: GENERATED.sub(b"", body) for name, body in served.items()} == expected[code], code
                    for name, body in served.items():
                        key = f"shop/{code}/v{publication['id']:08d}/{name}"
                        assert bucket.get_object(Bucket="feeds", Key=key)["Body"].read() == body
                export = http.post(f"{base}/api/v1/exports", json={"kind": "products", "format": "csv"},
                                   headers=tokens["viewer"])
                assert export.status_code == 202, export.text
                job = _ended_over(http, f"{base}/api/v1/exports/{export.json()['id']}", tokens["viewer"])
                assert job["status"] == "succeeded" and job["written"] == PRODUCTS, job
                exported = http.get(f"{base}/api/v1/exports/{job['id']}/file", headers=tokens["viewer"]).content
                assert exported == http.get(f"{base}/api/v1/exports/products.csv", headers=tokens["viewer"]).content
                ran = " ".join(worker.text() for worker in workers)
            assert "crosscanal.run_export" in ran and ran.count("crosscanal.render_shard") >= 10
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)


def _ended_over(http: requests.Session, url: str, headers: dict[str, str]) -> dict:
    deadline = time.monotonic() + FOLLOW
    while (found := http.get(url, headers=headers).json())["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, found
        time.sleep(0.3)
    return found


def test_a_finish_delivered_again_leaves_a_live_finisher_be_and_fails_one_whose_finisher_died(queued: Settings,
                                                                                            db_session: Session):
    """The finish step delivered a second time (it ran past the redelivery time): while the
    process finishing it lives, the second delivery does nothing; once that process is gone, it
    fails the publication saying so and frees the channel."""
    settings = dataclasses.replace(queued, broker_url=None)
    publisher = _publisher(settings)

    def rendered() -> tuple[ShardPlan, list[Outcome]]:
        plan = publisher.begin_sharded(publisher.start("google_shopping", "test"))
        assert plan is not None and len(plan.shards) >= 5
        work = ShardWork(plan.job(settings), readers_of(publisher.sessions), publisher.sessions, publisher.registry)
        return plan, [work.render(shard) for shard in plan.shards]

    def status(plan: ShardPlan) -> tuple[str, str | None]:
        db_session.rollback()
        found = db_session.get(Publication, plan.publication_id)
        return found.status, found.error

    plan, outcomes = rendered()
    (plan.folder / FINISHING).write_text(this_process())  # as a first delivery, still working here, left it
    publisher.finish_sharded(plan, outcomes)
    assert status(plan) == ("running", None)
    (plan.folder / FINISHING).unlink()
    publisher.finish_sharded(plan, outcomes)
    assert status(plan) == ("succeeded", None) and not plan.folder.exists()
    publisher.finish_sharded(plan, outcomes)  # once more, after it ended: nothing
    assert status(plan) == ("succeeded", None)

    plan, outcomes = rendered()
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    (plan.folder / FINISHING).write_text(f"{socket.gethostname()} {ended.stdout.strip()}")  # its finisher was killed
    publisher.finish_sharded(plan, outcomes)
    state, error = status(plan)
    assert state == "failed" and error.startswith("its worker stopped while finishing it"), error
    assert db_session.scalar(select(ChannelLock).where(ChannelLock.publication_id == plan.publication_id)) is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ndjson"])
def test_a_large_export_job_is_written_in_runs_by_two_workers_into_the_same_bytes(
        queued: Settings, broker_url: str, tmp_path: Path, tokens: dict[str, dict[str, str]], fmt: str):
    """Runs of 400 SKUs (four of the catalog's 1,500 products), each written by either worker and
    joined in SKU order: the file is the direct download's, byte for byte (an XLSX's cells: it
    holds the moment it was written)."""
    runs = dataclasses.replace(queued, export_run_size=400)
    client = create_app(runs).test_client()
    with running_workers(runs, broker_url, 2, tmp_path) as workers:
        started = client.post("/api/v1/exports", json={"kind": "products", "format": fmt}, headers=tokens["viewer"])
        assert started.status_code == 202, started.get_json()
        job = _ended(client, f"/api/v1/exports/{started.get_json()['id']}", tokens["viewer"])
        parts = [worker.text().count("crosscanal.export_part[") for worker in workers]
    assert job["status"] == "succeeded" and job["written"] == job["total"] == PRODUCTS and job["progress"] == 1.0, job
    assert sum(parts) >= 2 * 4 and all(parts), parts  # received and succeeded lines, on both workers
    written = client.get(f"/api/v1/exports/{job['id']}/file", headers=tokens["viewer"]).data
    direct = client.get(f"/api/v1/exports/products.{fmt}", headers=tokens["viewer"]).data
    if fmt == "xlsx":
        assert xlsx_cells(written) == xlsx_cells(direct)
    else:
        assert written == direct
    assert not (runs.data_dir / "exports" / f"export-{job['id']}.runs").exists()


def test_an_export_run_the_catalog_refuses_fails_the_job_with_the_reason(
        queued: Settings, broker_url: str, db_session: Session, tmp_path: Path, tokens: dict[str, dict[str, str]]):
    """A flat export cannot carry an attribute named like one of its own columns: the run that
    meets it answers the refusal (no retry would change it), and the job fails saying so."""
    runs = dataclasses.replace(queued, export_run_size=400)
    client = create_app(runs).test_client()
    assert client.post("/api/v1/attributes", json={"code": "price", "type": "text"}, headers=tokens["editor"]).status_code == 201
    sku, family = db_session.execute(select(Product.sku, Family.code).join(Family, Family.id == Product.family_id)
                                     .order_by(Product.sku.desc()).limit(1)).one()  # in the last run
    attributes = client.get(f"/api/v1/families/{family}", headers=tokens["viewer"]).get_json()["attributes"]
    assert client.patch(f"/api/v1/families/{family}", json={"attributes": [*attributes, "price"]},
                        headers=tokens["editor"]).status_code == 200
    changed = client.patch(f"/api/v1/products/{sku}", json={"values": {"price": [{"locale": None, "scope": None, "data": "x"}]}},
                           headers=tokens["editor"])
    assert changed.status_code == 200, changed.get_json()
    with running_workers(runs, broker_url, 2, tmp_path):
        started = client.post("/api/v1/exports", json={"kind": "products", "format": "csv"}, headers=tokens["viewer"])
        job = _ended(client, f"/api/v1/exports/{started.get_json()['id']}", tokens["viewer"])
    assert job["status"] == "failed" and job["error"] == (
        "attribute 'price' has the name of a flat column; export it as NDJSON instead"), job
    assert job["size"] is None and not (runs.data_dir / "exports" / f"export-{job['id']}.runs").exists()
    assert client.get(f"/api/v1/exports/{job['id']}/file", headers=tokens["viewer"]).status_code == 404
