"""Killing a publication midway leaves the previous feed intact, and the channel recovers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select, update

from hub.publishing.pipeline import Publisher
from hub.store.models import Channel, Publication
from tests.integration.test_publishing import publisher, shop  # noqa: F401 - fixtures


def test_killing_a_publication_midway_keeps_the_previous_feed(shop, acme_site, settings, app, db_session):  # noqa: F811
    good = publisher(settings, app).publish("acme", "test")
    feed = Path(settings.publish_url) / "acme" / "acme.csv"
    before = feed.read_bytes()
    db_session.execute(update(Channel).where(Channel.code == "acme").values(settings={"delay": 1.0}))
    db_session.commit()

    env = {**os.environ, "CROSSCANAL_DATABASE_URL": settings.database_url, "CROSSCANAL_DATA_DIR": str(settings.data_dir),
           "PYTHONPATH": os.pathsep.join([str(acme_site), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-m", "hub.cli", "publish", "acme"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:  # wait until it is writing items (past the first, slowed by the delay)
        db_session.rollback()  # a fresh snapshot each time: the subprocess writes meanwhile
        db_session.expire_all()
        running = db_session.scalar(select(Publication).where(Publication.id > good.id))
        if running is not None and running.status == "running" and running.progress > 0:
            break
        assert time.monotonic() < deadline and process.poll() is None, "the publication never got going"
        time.sleep(0.1)
    time.sleep(1.5)
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert feed.read_bytes() == before, "the killed run did not touch the published feed"
    db_session.rollback()
    db_session.expire_all()
    assert db_session.get(Publication, running.id).status == "running"  # it never got to record an end

    # Once the dead run's lock expires, the channel publishes again and the dead run is marked failed.
    db_session.execute(update(Channel).where(Channel.code == "acme").values(settings={}))
    db_session.commit()
    later = Publisher(settings, app.extensions["crosscanal"].writers, app.extensions["crosscanal"].adapters,
                      now=lambda: datetime.now(timezone.utc).replace(year=2099))
    assert later.publish("acme", "test").status == "succeeded"
    db_session.rollback()
    db_session.expire_all()
    dead = db_session.get(Publication, running.id)
    assert dead.status == "failed" and "abandoned" in dead.error
    assert not list((settings.data_dir / "tmp").glob(f"publish-{running.id}-*"))  # its working folder went with it
