"""Scheduled publications: one run per slot across schedulers, and once after downtime."""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from hub.errors import ValidationFailed
from hub.publishing.pipeline import Publisher
from hub.publishing.scheduler import Scheduler
from hub.services import schedules
from hub.store.models import Publication, ScheduledRun
from tests import factories
from tests.support.ports import free_port

UTC = timezone.utc


def at(hour: int, minute: int = 0, day: int = 24) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_latest_slot_is_the_last_firing_at_or_before_now():
    hourly, nightly = schedules.parse("0 * * * *"), schedules.parse("0 3 * * *")
    assert schedules.latest_slot(hourly, at(13, 30)) == at(13)
    assert schedules.latest_slot(hourly, at(13, 0)) == at(13)
    assert schedules.latest_slot(nightly, at(2)) == at(3, day=23)
    assert schedules.next_slot(nightly, at(2)) == at(3)
    assert schedules.latest_slot(schedules.parse("*/15 * * * *"), at(9, 44)) == at(9, 30)


def test_an_invalid_schedule_is_refused_naming_the_field(client, tokens, db_session):
    factories.catalog(db_session)
    with pytest.raises(ValidationFailed):
        schedules.parse("61 * * * *")
    body = {"code": "nightly", "adapter": "google_merchant", "locale": "en_US", "currency": "USD", "country": "US",
            "schedule": "61 * * * *"}
    answer = client.post("/api/v1/channels", json=body, headers=tokens["admin"])
    assert answer.status_code == 422 and "schedule" in answer.json["errors"]


@pytest.fixture
def scheduled(acme, app, db_session, client, tokens):  # noqa: F811
    factories.catalog(db_session)
    channel = {"code": "acme", "adapter": "acme", "locale": "en_US", "currency": "EUR", "country": "FR",
               "schedule": "0 * * * *"}
    assert client.post("/api/v1/channels", json=channel, headers=tokens["admin"]).status_code == 201
    factories.product(db_session, "tea", values={"name": factories.value("Tea", "en_US")}, offers=[{"currency": "EUR", "price": "3"}])
    return app.extensions["crosscanal"]


def scheduler(hub, settings, moment: list[datetime]) -> Scheduler:
    clock = lambda: moment[0]  # noqa: E731
    return Scheduler(hub.writers, Publisher(settings, hub.writers, hub.adapters, now=clock), now=clock)


def publications(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(Publication))


def test_a_missed_schedule_runs_once_when_the_scheduler_comes_back(scheduled, settings, db_session):
    moment = [at(10, 0)]
    runner = scheduler(scheduled, settings, moment)
    assert len(runner.tick()) == 1
    assert runner.tick() == []  # the 10:00 slot is done
    moment[0] = at(13, 30)  # down from 10:00 to 13:30: slots 11, 12 and 13 were missed
    assert len(runner.tick()) == 1
    slots = db_session.scalars(select(ScheduledRun.slot).order_by(ScheduledRun.slot)).all()
    assert slots == [at(10), at(13)] and publications(db_session) == 2
    assert db_session.scalars(select(Publication.status)).all() == ["succeeded", "succeeded"]


def test_two_schedulers_never_publish_the_same_slot_twice(scheduled, settings, db_session):
    moment = [at(8, 5)]
    first, second = scheduler(scheduled, settings, moment), scheduler(scheduled, settings, moment)
    assert first.due() == second.due() == [("acme", at(8))]
    barrier, claims = threading.Barrier(2), []

    def claim(runner: Scheduler) -> None:
        barrier.wait()
        claims.append(runner.claim("acme", at(8)))

    threads = [threading.Thread(target=claim, args=(runner,)) for runner in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claims) == [False, True]
    assert first.tick() == [] and second.tick() == []  # the slot is claimed: neither publishes it again
    moment[0] = at(9, 1)
    assert len(first.tick()) + len(second.tick()) == 1


def test_a_slot_the_broker_could_not_take_is_tried_again_at_the_next_tick(scheduled, settings, db_session):
    moment = [at(8, 5)]
    down = dataclasses.replace(settings, broker_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    clock = lambda: moment[0]  # noqa: E731
    runner = Scheduler(scheduled.writers, Publisher(down, scheduled.writers, scheduled.adapters, now=clock), now=clock)

    assert runner.tick() == []

    assert publications(db_session) == 0 and db_session.scalar(select(func.count()).select_from(ScheduledRun)) == 0
    assert runner.due() == [("acme", at(8))]  # still due: once the broker is back, the next tick queues it
    assert len(scheduler(scheduled, settings, moment).tick()) == 1  # in-process here: it runs
