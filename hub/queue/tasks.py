"""The tasks a ``crosscanal worker`` runs: begin a publication, render one of its shards,
finish it. Each is safe to run twice (a redelivery after a worker died): a publication begins
only from ``queued`` and finishes only from ``running``, and a shard writes the same files again.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import Any

from celery import chord
from celery.exceptions import ChordError
from sqlalchemy.orm import Session, sessionmaker

from channel_adapters.base.registry import load_adapters
from hub.config import Settings
from hub.errors import HubError, unforeseen
from hub.publishing.pipeline import Publisher, ShardPlan
from hub.publishing.shards import Outcome
from hub.publishing.workers import ShardWork
from hub.queue.app import app
from hub.jobs.bulk_edits import BulkEditor
from hub.jobs.exports import Exporter
from hub.jobs.imports import Importer
from hub.jobs.runners import taken
from hub.imports.uploads import Uploads
from hub.store.bulk_edits import BulkEdit
from hub.store.export_jobs import ExportJob
from hub.store.db import make_engine, make_session_factory, readers_of
from hub.store.imports import ImportJob

SHARD_TRIES = 3  # a shard that fails this often fails its publication, with the shard's error
DEPENDENCY = re.compile(r"^Dependency \S+ raised ([\w.:]+)")


@lru_cache(maxsize=1)
def _writers() -> tuple[Settings, sessionmaker[Session]]:
    """This worker process's settings (the hub's, from the environment) and writer sessions."""
    settings = Settings.from_env()
    return settings, make_session_factory(make_engine(settings.database_url), writer=True)


@lru_cache(maxsize=1)
def _publisher() -> Publisher:
    settings, writers = _writers()
    return Publisher(settings, writers, load_adapters(settings.disabled_adapters))


_rendering: dict[int, ShardWork] = {}  # the publication whose shards this process renders, its renderer prepared once


def _shard_work(plan: ShardPlan) -> ShardWork:
    work = _rendering.get(plan.publication_id)
    if work is None:
        publisher = _publisher()
        _rendering.clear()
        work = _rendering[plan.publication_id] = ShardWork(plan.job(publisher.settings), readers_of(publisher.sessions),
                                                             publisher.sessions, publisher.registry)
    return work


@app.task(name="crosscanal.publish", ignore_result=True)
def publish(publication_id: int) -> None:
    """Begin a started publication, then render its shards on any workers and finish it (a chord)."""
    plan = _publisher().begin_sharded(publication_id)
    if plan is None:
        return  # it ended already: written whole, failed, or begun by an earlier delivery
    as_json = plan.to_json()
    chord(render_shard.s(plan.narrowed(index).to_json()) for index in range(len(plan.shards)))(
        finish.s(as_json).on_error(abandon.s(as_json)))


@app.task(name="crosscanal.render_shard", autoretry_for=(Exception,), max_retries=SHARD_TRIES - 1, default_retry_delay=1)
def render_shard(plan: dict[str, Any]) -> dict[str, Any]:
    """Render the one shard of a narrowed plan (``ShardPlan.narrowed``) into the publication's
    folder; answers its outcome."""
    sharded = ShardPlan.from_json(plan)
    (shard,) = sharded.shards
    if not _publisher().running(sharded.publication_id):  # failed, or taken over: nothing to render it for
        return dataclasses.asdict(Outcome(shard.number))
    outcome = _shard_work(sharded).render(shard)
    _publisher().shard_rendered(sharded, outcome)
    return dataclasses.asdict(outcome)


@app.task(name="crosscanal.finish_publication", ignore_result=True)
def finish(outcomes: list[dict[str, Any]], plan: dict[str, Any]) -> None:
    """Every shard rendered: stitch, validate, publish, record."""
    _publisher().finish_sharded(ShardPlan.from_json(plan), [Outcome(**outcome) for outcome in outcomes])


# Imports, bulk edits and exports are acknowledged as a worker takes them, not redelivered: one may run for
# longer than the broker's redelivery time, and run twice it would race itself. A job whose
# worker died names that worker's process; its machine's next start marks it failed
# (``hub.jobs.runners.fail_orphans``), as for a job of a hub's own process.
@app.task(name="crosscanal.run_import", ignore_result=True, acks_late=False)
def run_import(job_id: int, upload: str) -> None:
    """Run a queued import on its upload (in the shared data folder), then discard the upload."""
    settings, writers = _writers()
    if taken(writers, ImportJob, job_id):
        Uploads(settings.data_dir, settings.import_max_bytes).run_then_discard(Importer(writers, settings.data_dir).run,
                                                                            job_id, upload)


@app.task(name="crosscanal.run_bulk_edit", ignore_result=True, acks_late=False)
def run_bulk_edit(job_id: int) -> None:
    _settings, writers = _writers()
    if taken(writers, BulkEdit, job_id):
        BulkEditor(writers).run(job_id)


def _exporter() -> Exporter:
    settings, writers = _writers()
    return Exporter(readers_of(writers), writers, settings.data_dir)


@app.task(name="crosscanal.run_export", ignore_result=True, acks_late=False)
def run_export(job_id: int) -> None:
    """Write a queued export into the shared data folder, where any ``serve`` hands it out: a
    large products export as runs of SKUs on any workers, joined by a chord's last step."""
    settings, writers = _writers()
    if not taken(writers, ExportJob, job_id):
        return
    exporter = _exporter()
    try:
        runs = exporter.begin(job_id, settings.export_run_size)
    except Exception as exc:  # noqa: BLE001 - a job must always record how it ended
        exporter.fail(job_id, unforeseen(exc))
        raise
    if runs is None:
        exporter.run(job_id)
        return
    chord(export_part.s(job_id, index, low, high) for index, (low, high) in enumerate(runs))(
        export_join.s(job_id).on_error(abandon_export.s(job_id)))


@app.task(name="crosscanal.export_part", autoretry_for=(Exception,), max_retries=SHARD_TRIES - 1, default_retry_delay=1)
def export_part(job_id: int, index: int, low: str | None, high: str | None) -> tuple[int, dict[str, Any], str | None]:
    """Write one run of an export's SKUs into its folder; answers its count, its columns and a refusal."""
    return _exporter().run_part(job_id, _writers()[0].database_url, index, low, high)


@app.task(name="crosscanal.export_join", ignore_result=True)
def export_join(found: list[tuple[int, dict[str, Any], str | None]], job_id: int) -> None:
    _exporter().join(job_id, found)


@app.task(name="crosscanal.abandon_export", ignore_result=True)
def abandon_export(request: Any, exc: BaseException, traceback: Any, job_id: int) -> None:
    """A run failed SHARD_TRIES times: the export fails, naming the error."""
    _exporter().fail(job_id, f"a run of the export failed {SHARD_TRIES} times ({_named(exc)}; the worker's log has "
                             "the whole error): export again")


@app.task(name="crosscanal.abandon_publication", ignore_result=True)
def abandon(request: Any, exc: BaseException, traceback: Any, plan: dict[str, Any]) -> None:
    """A shard failed SHARD_TRIES times: the publication fails, naming the shard's error."""
    sharded = ShardPlan.from_json(plan)
    if isinstance(exc, ChordError):
        what = _named(exc)
        _publisher().abandon(sharded, f"a shard could not be rendered, after up to {SHARD_TRIES} tries ({what}; the "
                                      "worker's log has the whole error); the last good files stay: publish again")
        return
    reason = exc.detail if isinstance(exc, HubError) else unforeseen(exc)  # never a statement or a path of a worker
    _publisher().abandon(sharded, f"a shard failed {SHARD_TRIES} times: {reason}")


def _named(exc: BaseException) -> str:
    """A chord's error as "Dependency <task id> raised <error>(...)" (a task's own error, or its
    broker gone) by the error's name only: its text may hold a statement or a path."""
    raised = DEPENDENCY.match(str(exc))
    return raised.group(1) if raised else ("an error" if isinstance(exc, ChordError) else type(exc).__name__)
