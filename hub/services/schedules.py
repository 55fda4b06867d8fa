"""Cron schedules of channels: parsed and stepped by APScheduler's cron trigger, in UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from apscheduler.triggers.cron import CronTrigger

from hub.errors import ValidationFailed

HORIZON = timedelta(days=400)  # a yearly schedule still finds its last slot


def parse(expression: str) -> CronTrigger:
    """A five-field cron expression (minute hour day month weekday); raises ValidationFailed."""
    try:
        return CronTrigger.from_crontab(expression, timezone=timezone.utc)
    except ValueError as exc:
        raise ValidationFailed("the schedule is not a valid cron expression", errors={"schedule": [str(exc)]}) from exc


def latest_slot(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The last time the schedule fired at or before ``now`` (None if not within 400 days).

    The trigger only steps forward, so we search for the latest start whose next firing is
    still not after ``now``; about 35 steps to the second.
    """
    low = now - HORIZON
    first = trigger.get_next_fire_time(None, low)
    if first is None or first > now:
        return None
    high = now
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        fire = trigger.get_next_fire_time(None, middle)
        if fire is not None and fire <= now:
            low = middle
        else:
            high = middle
    return trigger.get_next_fire_time(None, low)


def next_slot(trigger: CronTrigger, now: datetime) -> datetime | None:
    return trigger.get_next_fire_time(None, now + timedelta(seconds=1))
