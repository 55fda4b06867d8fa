"""A unit of work waiting for the write lock makes no other thread wait with it.

Found by the API fuzz run on SQLite: a publication job read its first attributes
(``CatalogContext.attributes``) in a writer session, so it waited at the writer gate while a
``POST /channels/<code>/publications`` held the gate. On Python 3.11 ``functools.cached_property``
computes under one lock per property for every instance in the process: the job waited holding
it, and the request, reading its own context's attributes, waited for the job. Both stood until
the job gave up a minute later ("database is locked"), the request timed out, and every request
reading attributes meanwhile waited too.
"""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask.testing import FlaskClient

from hub.services.context import CatalogContext
from hub.store.db import begin_writing
from tests.integration.helpers import API, Headers

ANSWER_SECONDS = 10  # a read answers in milliseconds; without the fix it waited a minute


def _waiting_for_the_writer_lock(thread: threading.Thread) -> bool:
    """Whether ``thread`` stands in the writer gate or SQLite's BEGIN (on PostgreSQL it never does)."""
    frame = sys._current_frames().get(thread.ident)  # type: ignore[arg-type]
    while frame is not None:
        if frame.f_code.co_name == "_sqlite_on_begin":
            return True
        frame = frame.f_back
    return False


def test_a_job_waiting_for_the_write_lock_while_reading_the_catalog_stalls_no_one_else(
    app: Flask, client: FlaskClient, tokens: dict[str, Headers], seeded: None
) -> None:
    url = f"{API}/products/juice/resolved/web"
    assert client.get(url, headers=tokens["viewer"]).status_code == 200  # the token's use recorded: reads write nothing now
    the_hub = app.extensions["crosscanal"]
    holder = the_hub.writers()  # a writer request holding the write lock (on SQLite, the gate too)
    begin_writing(holder)
    job_failed: list[BaseException] = []

    def job() -> None:  # as a publication job: its transaction begins with reading the attributes
        try:
            with the_hub.writers() as session:
                assert CatalogContext(session).attributes
                session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            job_failed.append(exc)

    waiting = threading.Thread(target=job, name="job")
    waiting.start()
    pool = ThreadPoolExecutor(1)
    try:
        deadline = time.monotonic() + 10
        while waiting.is_alive() and not _waiting_for_the_writer_lock(waiting) and time.monotonic() < deadline:
            time.sleep(0.01)
        if the_hub.engine.dialect.name == "sqlite":
            assert _waiting_for_the_writer_lock(waiting), "the job should wait for the holder's write lock"
        # A viewer's read of the catalog through the API, and the holder reading its own catalog
        # in its transaction (as the publication request did), both answer at once.
        read = pool.submit(client.get, url, headers=tokens["viewer"])
        assert read.result(timeout=ANSWER_SECONDS).status_code == 200
        own = pool.submit(lambda: CatalogContext(holder).attributes)
        assert set(own.result(timeout=ANSWER_SECONDS)) >= {"name", "ean"}
    finally:
        holder.commit()
        pool.shutdown(wait=True)
        holder.close()
        waiting.join(timeout=90)
    assert not waiting.is_alive() and not job_failed, job_failed  # the job went on once the holder committed
