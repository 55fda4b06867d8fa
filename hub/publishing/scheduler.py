"""Scheduled publications.

Each channel with a cron schedule is published at its slots. A slot is claimed by inserting
(channel, slot) under a unique key, so two schedulers against one database never publish the
same slot twice. Only the latest slot is ever due, so after downtime a channel publishes
once, not once per missed slot.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import HubError, ServiceUnavailable
from hub.queue.dispatch import hand_on
from hub.publishing.pipeline import Publisher, clock
from hub.services import schedules
from hub.store.models import Channel, ScheduledRun

logger = logging.getLogger(__name__)
POLL = timedelta(seconds=30)


@dataclass
class Scheduler:
    sessions: sessionmaker[Session]
    publisher: Publisher
    now: Callable[[], datetime] = clock

    def due(self) -> list[tuple[str, datetime]]:
        """Channels whose latest slot no scheduler has claimed yet."""
        found = []
        moment = self.now()
        with self.sessions() as session:
            channels = session.scalars(select(Channel).where(Channel.schedule.is_not(None)).order_by(Channel.code)).all()
            for channel in channels:
                try:
                    slot = schedules.latest_slot(schedules.parse(channel.schedule), moment)
                except HubError:
                    logger.warning("channel %s has an invalid schedule %r", channel.code, channel.schedule)
                    continue
                if slot is None:
                    continue
                claimed = session.scalar(select(func.max(ScheduledRun.slot)).where(ScheduledRun.channel_id == channel.id))
                if claimed is None or claimed < slot:
                    found.append((channel.code, slot))
        return found

    def claim(self, channel_code: str, slot: datetime) -> bool:
        """Take the slot; False if another scheduler took it first."""
        with self.sessions() as session:
            channel = session.scalar(select(Channel).where(Channel.code == channel_code))
            if channel is None:
                return False
            session.add(ScheduledRun(channel_id=channel.id, slot=slot, claimed=self.now()))
            try:
                session.commit()
                return True
            except IntegrityError:
                session.rollback()
                return False

    def tick(self) -> list[int]:
        """Publish every channel that is due; answers the publications it ran."""
        ran = []
        for code, slot in self.due():
            if not self.claim(code, slot):
                continue
            try:
                publication_id = self.publisher.start(code, f"schedule:{slot.isoformat()}")
            except HubError as exc:
                logger.warning("scheduled publication of %s for %s not started: %s", code, slot, exc.detail)
                continue
            self._remember(code, slot, publication_id)
            logger.info("publishing %s for its %s slot", code, slot.isoformat(), extra={"channel": code})
            try:
                hand_on(self.publisher, publication_id, self.publisher.run)  # queued when a broker is set
            except ServiceUnavailable as exc:  # the broker is down: the slot is claimed again at a later tick
                logger.warning("scheduled publication of %s for %s not queued, tried again later: %s", code, slot, exc.detail)
                self._unclaim(code, slot)
                continue
            ran.append(publication_id)
        return ran

    def _unclaim(self, code: str, slot: datetime) -> None:
        with self.sessions() as session:
            channel_id = session.scalar(select(Channel.id).where(Channel.code == code))
            session.execute(delete(ScheduledRun).where(ScheduledRun.channel_id == channel_id, ScheduledRun.slot == slot))
            session.commit()

    def _remember(self, code: str, slot: datetime, publication_id: int) -> None:
        with self.sessions() as session:
            run = session.scalar(select(ScheduledRun).join(Channel).where(Channel.code == code, ScheduledRun.slot == slot))
            if run is not None:
                run.publication_id = publication_id
                session.commit()

    def seconds_to_next(self) -> float:
        """Sleep until the nearest next slot, but never longer than the poll interval."""
        moment = self.now()
        wait = POLL
        with self.sessions() as session:
            for expression in session.scalars(select(Channel.schedule).where(Channel.schedule.is_not(None))):
                try:
                    upcoming = schedules.next_slot(schedules.parse(expression), moment)
                except HubError:
                    continue
                if upcoming is not None:
                    wait = min(wait, upcoming - moment)
        return max(wait.total_seconds(), 0.5)

    def run_forever(self, stop: threading.Event) -> None:
        logger.info("scheduler started")
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - the loop outlives one bad tick; it is logged
                logger.exception("scheduler tick failed")
            stop.wait(self.seconds_to_next())
