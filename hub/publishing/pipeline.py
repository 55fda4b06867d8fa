"""The publishing pipeline: select -> resolve -> adapter -> render to temporary files ->
validate -> write to the destination atomically -> record the publication.

The channel's products stream from the store as resolved documents (``hub.store.documents``),
one Core query per batch in product id order, with no ORM object per product, so memory stays
flat however large the catalog. Nothing reaches the destination before every file validated,
so a failed or killed run never replaces the last good feed. Each published item also leaves a
fingerprint (``item_fingerprints``), so the last two good publications can be compared.
"""

from __future__ import annotations

import hashlib
from collections import Counter
import logging
import shutil
import tempfile
import time
from functools import partial
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload, sessionmaker

from channel_adapters.base import InvalidOutput, Item, Severity
from channel_adapters.base.chunks import ChunkedAdapter
from channel_adapters.base.registry import AdapterRegistry
from hub.config import Settings, workers_for
from hub.errors import Conflict, HubError, NotFound, unforeseen
from hub.jobs import runners
from hub.publishing import item_fingerprints, lock
from hub.publishing.current_set import make_current
from hub.publishing.destinations import destination_for, version_of
from hub.publishing.channel_key import channel_key
from hub.publishing.render import ChannelRenderer, Resolvable
from hub.publishing.kept_parts import RUN_SUFFIX, KeptParts, read_manifest
from hub.publishing.shards import Outcome, Shard, findings, plan, stem_of, with_changes
from hub.publishing.stitching import Stitcher, sha256_of
from hub.publishing.workers import Job, ShardWork, render_all
from hub.services import product_index
from hub.services.context import CatalogContext
from hub.services.documents import decode
from hub.store import document_changes
from hub.store.models import Channel, Publication, PublicationFile
from hub.store.publication_items import last_succeeded, owners
from hub.store.db import readers_of, refresh_statistics
from hub.store.documents import DocumentRepo
from hub.store.publications import DiagnosticRepo
from hub.store.repos import CatalogRepo

logger = logging.getLogger(__name__)
BATCH = 1000
FINISHING = ".finishing"  # in a queued publication's folder: the process that finishes it
STATISTICS_AFTER = 50_000  # items rendered by a publication after which PostgreSQL counts its findings again
PROGRESS_EVERY = 0.5  # seconds between two writes of a running publication's progress
Progress = Callable[[Publication], None]


class ChannelBusy(Conflict):
    """Another publication of the channel is running."""

    def __init__(self, detail: str = "", *, publication_id: int | None = None) -> None:
        super().__init__(detail)
        self.publication_id = publication_id  # the running one, so callers can point at it


def clock() -> datetime:
    return datetime.now(timezone.utc)


class TempOutputs:
    """The adapter's files, first written to a private temporary folder."""

    def __init__(self, folder: Path, allowed: set[str]) -> None:
        self.folder = folder
        self.allowed = allowed
        self.streams: dict[str, BinaryIO] = {}

    def open(self, name: str) -> BinaryIO:
        if name not in self.allowed or name in self.streams or "/" in name:
            raise InvalidOutput(f"the adapter opened '{name}', which it did not declare (or opened it twice)")
        self.streams[name] = open(self.folder / name, "wb")
        return self.streams[name]

    def close(self) -> None:
        for stream in self.streams.values():
            stream.close()


@dataclass
class Publisher:
    settings: Settings
    sessions: sessionmaker[Session]
    registry: AdapterRegistry
    now: Callable[[], datetime] = clock
    workers: int | None = None  # processes rendering shards; None: one per core
    shard_span: int | None = None  # product ids per shard; None: the settings'

    @property
    def lease(self) -> timedelta:
        """How long a run holds its channel between two signs of life (``lock``)."""
        if not self.settings.broker_url:
            return lock.TTL
        return max(lock.TTL, timedelta(seconds=self.settings.task_redelivery))

    def start(self, channel_code: str, trigger: str) -> int:
        """Queue a publication and take the channel's lock for it; raises ChannelBusy or NotFound."""
        with self.sessions() as session:
            channel = CatalogRepo(session).by_code(Channel, channel_code)
            if channel is None:
                raise NotFound(f"no channel '{channel_code}'")
            publication = Publication(channel_id=channel.id, trigger=trigger, status="queued", queued=self.now())
            session.add(publication)
            session.flush()
            if not lock.acquire(session, channel.id, publication.id, self.now(), self.lease):
                session.rollback()
                current = lock.holder(session, channel.id)
                raise ChannelBusy(f"channel '{channel_code}' is being published by publication "
                                  f"{current.publication_id if current else '?'}; try again when it has finished "
                                  f"(a run whose process died is taken over {int(self.lease.total_seconds())} s after "
                                  f"its last sign of life)",
                                  publication_id=current.publication_id if current else None)
            session.commit()
            self._sweep(session)
            return publication.id

    def _sweep(self, session: Session) -> None:
        """Remove the working folders of publications that ended without removing theirs: a
        process killed mid-run, a run taken over (a million products' parts are 1.5 GB)."""
        root = self._temp_root()
        folders = {path: path.name.split("-")[1] for path in root.glob("publish-*") if path.is_dir()}
        numbers = {int(n) for n in folders.values() if n.isdigit()}
        if not numbers:
            return
        live = set(session.scalars(select(Publication.id).where(Publication.id.in_(numbers),
                                                                 Publication.status.in_(("queued", "running")))))
        for path, number in folders.items():
            if number.isdigit() and int(number) not in live:
                shutil.rmtree(path, ignore_errors=True)

    def run(self, publication_id: int, progress: Progress | None = None) -> Publication:
        """Run a started publication to its end; it records success or failure, never raises for them."""
        with self.sessions() as session:
            publication = session.get(Publication, publication_id)
            if publication is None:
                raise NotFound(f"no publication {publication_id}")
            folder = Path(tempfile.mkdtemp(prefix=f"publish-{publication_id}-", dir=self._temp_root()))
            self._guarded(session, publication_id, folder, lambda: self._run(session, publication, folder, progress))
            session.expunge_all()
            # Answered after the session closes, so load what callers read (channel, files) now.
            return session.get(Publication, publication_id, options=[joinedload(Publication.channel)])  # type: ignore[return-value]

    def _guarded(self, session: Session, publication_id: int, folder: Path, body: Callable[[], None], *,
                 ends: Callable[[], bool] = lambda: True) -> bool:
        """Run ``body``; a failure is recorded on the publication, never raised. When ``ends()``
        (asked once ``body`` is through) or when it failed, the publication ends here: its folder
        removed, its channel's lock released. Answers whether ``body`` succeeded."""
        channel_id = session.scalar(select(Publication.channel_id).where(Publication.id == publication_id))
        failed = True
        try:
            with lock.Heartbeat(self.sessions, channel_id, publication_id, self.now, self.lease):
                body()
            failed = False
        except (HubError, InvalidOutput, OSError) as exc:
            self._fail(session, publication_id, str(exc))
        except Exception as exc:  # noqa: BLE001 - a job must always record how it ended
            logger.exception("publication %s failed", publication_id)
            self._fail(session, publication_id, unforeseen(exc))
        finally:
            if failed or ends():
                shutil.rmtree(folder, ignore_errors=True)
                lock.release(session, channel_id, publication_id)
                session.commit()
        return not failed

    # A publication on Celery workers (``hub.queue``): begun by one task, its shards rendered by
    # any worker, finished by the chord's last step. The same steps as ``run``, in three processes.

    def begin_sharded(self, publication_id: int) -> ShardPlan | None:
        """Begin a started publication: its shards to render, or None when it has ended here
        already (an adapter that writes whole files runs through; a failure is recorded)."""
        with self.sessions() as session:
            publication = session.get(Publication, publication_id)
            if publication is None or publication.status not in ("queued", "running"):
                return None  # gone, or ended already
            folder = self._temp_root() / f"publish-{publication_id}"  # under the data folder every worker shares
            if publication.status == "running":  # a delivery again: the worker that began it died before its shards went out
                def died() -> None:
                    raise HubError("its worker stopped while beginning it (killed, or its machine went away): publish again")
                self._guarded(session, publication_id, folder, died)
                return None
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            planned: list[ShardPlan] = []

            def begin() -> None:
                run, renderer, last_id = self._begin(session, publication, folder, None)
                if isinstance(renderer.adapter, ChunkedAdapter):
                    planned.append(self._plan(run, renderer, folder, last_id)[0])
                else:
                    keep, digests = self._render_stream(run, renderer, folder, DocumentRepo(session))
                    self._end(run, renderer, folder, digests, keep)

            done = self._guarded(session, publication_id, folder, begin, ends=lambda: not planned)  # written whole: ended
            return planned[0] if done and planned else None

    def shard_rendered(self, plan: ShardPlan, outcome: Outcome) -> None:
        """A shard rendered on a worker: the publication's progress and counts advance, its lock is renewed."""
        with self.sessions() as session:
            session.execute(update(Publication).where(Publication.id == plan.publication_id, Publication.status == "running")
                            .values(progress=Publication.progress + (round(outcome.done / plan.total, 4) if plan.total else 0),
                                    items=Publication.items + outcome.items, excluded=Publication.excluded + outcome.excluded,
                                    warnings=Publication.warnings + outcome.warnings))
            lock.renew(session, plan.channel_id, plan.publication_id, self.now(), self.lease)
            session.commit()

    def running(self, publication_id: int) -> bool:
        """Whether a queued publication still runs: a shard of one that failed or was taken over is not rendered."""
        with self.sessions() as session:
            return session.scalar(select(Publication.status).where(Publication.id == publication_id)) == "running"

    def finish_sharded(self, plan: ShardPlan, outcomes: list[Outcome]) -> None:
        """Every shard rendered: stitch, validate, publish and record, as ``run`` does. One
        delivery finishes it: a finish that runs past the queue's redelivery time is delivered
        again while it works, and two would stitch into the same folder. The first names its
        process in the folder; a later delivery leaves it be while that process lives (on another
        machine: while the channel's lock is renewed), and fails the publication when it died."""
        with self.sessions() as session:
            publication = session.get(Publication, plan.publication_id)
            if publication is None or publication.status != "running":
                return  # finished by a delivery of this task before, or failed meanwhile
            finisher = _claim(plan.folder / FINISHING)
            if finisher is not None:
                if not self._died(session, plan, finisher):
                    logger.warning("publication %s is being finished by %s; this delivery leaves it", plan.publication_id,
                                   finisher)
                    return

                def died() -> None:
                    raise HubError("its worker stopped while finishing it (killed, or its machine went away): publish again")
                self._guarded(session, plan.publication_id, plan.folder, died)
                return

            def finish() -> None:
                channel = publication.channel
                renderer = ChannelRenderer(session, self.registry, self.settings, channel, plan.now)
                run = _Run(session, (channel.id, publication.id, channel.code), plan.total, None,
                           item_fingerprints.FingerprintRecorder(plan.folder / ".item-fingerprints"))
                stitcher = self._stitcher(plan, renderer)
                try:
                    for outcome in sorted(outcomes, key=lambda o: o.number):
                        self._shard_done(run, stitcher, outcome)
                    self._end_shards(run, renderer, plan, stitcher)
                finally:
                    stitcher.close()

            self._guarded(session, plan.publication_id, plan.folder, finish)

    def _died(self, session: Session, plan: ShardPlan, finisher: str) -> bool:
        """Whether the process that began finishing the publication is gone: as this machine
        tells, or for another machine's, by the channel's lock left to expire."""
        if runners.gone(finisher):
            return True
        held = lock.holder(session, plan.channel_id)
        return held is None or held.publication_id != plan.publication_id or held.expires < self.now()

    def abandon(self, plan: ShardPlan, reason: str) -> None:
        """A shard kept failing: the publication fails with the reason; the last good files stay current."""
        with self.sessions() as session:
            def fail() -> None:
                raise HubError(reason)
            self._guarded(session, plan.publication_id, plan.folder, fail)

    def withdraw(self, publication_id: int) -> None:
        """A publication started but never handed on (the queue was unreachable): it and its
        channel's lock go, as if never started."""
        with self.sessions() as session:
            channel_id = session.scalar(select(Publication.channel_id).where(Publication.id == publication_id))
            gone = session.execute(delete(Publication).where(Publication.id == publication_id, Publication.status == "queued"))
            if gone.rowcount == 1:  # else a worker took it after all (the broker had the message): it runs on
                lock.release(session, channel_id, publication_id)
            session.commit()

    def publish(self, channel_code: str, trigger: str, progress: Progress | None = None) -> Publication:
        return self.run(self.start(channel_code, trigger), progress)

    def _temp_root(self) -> Path:
        root = self.settings.data_dir / "tmp"
        root.mkdir(parents=True, exist_ok=True)
        return root

    def _fail(self, session: Session, publication_id: int, error: str) -> None:
        session.rollback()
        session.execute(update(Publication).where(Publication.id == publication_id)
                        .values(status="failed", error=error[:4000], finished=self.now()))
        channel_id = session.scalar(select(Publication.channel_id).where(Publication.id == publication_id))
        holder = lock.holder(session, channel_id)
        successor = holder.publication_id if holder is not None and holder.publication_id != publication_id else None
        DiagnosticRepo(session).undo_unfinished(channel_id, running=successor)  # the last good run's findings hold
        session.commit()

    def _run(self, session: Session, publication: Publication, folder: Path, progress: Progress | None) -> None:
        run, renderer, last_id = self._begin(session, publication, folder, progress)
        if isinstance(renderer.adapter, ChunkedAdapter):
            plan, job, local = self._plan(run, renderer, folder, last_id)
            stitcher = self._stitcher(plan, renderer)
            try:
                render_all(job, plan.shards, workers_for(sum(shard.reach() for shard in plan.shards), self.workers), local,
                           partial(self._shard_done, run, stitcher))
                self._end_shards(run, renderer, plan, stitcher)
            finally:
                stitcher.close()
        else:
            keep, digests = self._render_stream(run, renderer, folder, DocumentRepo(session))
            self._end(run, renderer, folder, digests, keep)

    def _begin(self, session: Session, publication: Publication, folder: Path,
               progress: Progress | None) -> tuple["_Run", ChannelRenderer, int]:
        """The publication running: documents refreshed, its total counted, what failed runs left undone."""
        channel = publication.channel
        now = self.now()
        renderer = ChannelRenderer(session, self.registry, self.settings, channel, now)
        product_index.refresh_stale(session, CatalogContext(session))  # never read a stale document
        docs = DocumentRepo(session)
        publication.status, publication.started = "running", now
        publication.total = docs.count_carried(channel.id)
        last_id = docs.last_id()
        DiagnosticRepo(session).undo_unfinished(channel.id, running=publication.id)  # runs that failed or died
        session.commit()
        run = _Run(session, (channel.id, publication.id, channel.code), publication.total, progress,
                   item_fingerprints.FingerprintRecorder(folder / ".item-fingerprints"))
        return run, renderer, last_id

    def _end(self, run: "_Run", renderer: ChannelRenderer, folder: Path, digests: dict[str, str], keep: Callable[[], None]) -> None:
        self._record(run, renderer, folder, digests)
        keep()
        if run.counts["rendered"] >= STATISTICS_AFTER:
            # Findings are ended by product for every shard of the next republish; with the
            # planner's counts from before this run, PostgreSQL read every held finding of the
            # channel per shard (0.2 s each, 20 s for a 1 % republish of a million) instead of
            # the few it ends (1 ms).
            refresh_statistics(run.session.get_bind(), "publication_diagnostic")

    def _render_stream(self, run: "_Run", renderer: ChannelRenderer, folder: Path, docs: DocumentRepo) -> "Rendered":
        """Adapters that write their files whole (a PDF, one file per store): one stream of
        items into ``adapter.write``, then each file validated."""
        def stream() -> Iterator[Item]:
            for rows in docs.stream(run.ids[0], BATCH):
                items = renderer.render_documents([Resolvable(decode(doc), decode(stock), missing)
                                                   for _id, doc, stock, missing in rows])
                self._record_batch(run, [row[0] for row in rows], items)
                for item in items:
                    if not item.excluded:  # excluded items are not in the feed
                        run.fingerprints.add(item.key, item.fields)
                yield from items

        DiagnosticRepo(run.session).close(run.ids[0], run.ids[1])  # every item is rendered again
        outputs = TempOutputs(folder, {f.name: f for f in renderer.adapter.files(renderer.ctx)}.keys())
        try:
            renderer.adapter.write(stream(), outputs, renderer.ctx)
        finally:
            outputs.close()
        for name in outputs.streams:
            with open(folder / name, "rb") as handle:
                renderer.adapter.validate(name, handle, renderer.ctx)
        return lambda: None, {name: sha256_of(folder / name) for name in outputs.streams}

    def _plan(self, run: "_Run", renderer: ChannelRenderer, folder: Path, last_id: int) -> tuple["ShardPlan", Job, ShardWork]:
        """Adapters that write in chunks: the shards to render (here, in worker processes or on
        Celery workers; each part validated where it was rendered), reusing the channel's kept parts."""
        names = list(renderer.adapter.head(renderer.ctx))  # type: ignore[attr-defined]
        key = channel_key(renderer, CatalogContext(run.session))
        kept = KeptParts(self.settings.data_dir, run.ids[0]).usable(key, names)
        work = folder / "shards"
        work.mkdir(exist_ok=True)
        seen = document_changes.horizon(run.session)  # before any change is read: where the next republish starts
        shards = with_changes(run.session, plan(last_id, self.shard_span or self.settings.shard_span),
                              read_manifest(kept[0]) if kept else None, renderer.now)
        run.session.commit()  # hold no transaction (on SQLite, the write lock) while shards render
        sharded = ShardPlan(run.ids[1], run.ids[0], renderer.now, folder, kept, shards, key, names, str(seen), run.total)
        job = sharded.job(self.settings)
        return sharded, job, ShardWork(job, readers_of(self.sessions), self.sessions, self.registry, renderer)

    def _stitcher(self, plan: "ShardPlan", renderer: ChannelRenderer) -> Stitcher:
        adapter = renderer.adapter
        head, tail = adapter.head(renderer.ctx), adapter.tail(renderer.ctx)  # type: ignore[attr-defined]
        return Stitcher(plan.work, [shard.stem() for shard in plan.shards], head, tail, plan.folder,
                        plan.kept[0] if plan.kept else None)

    def _shard_done(self, run: "_Run", stitcher: Stitcher, outcome: Outcome) -> None:
        for name in ("done", "items", "excluded", "warnings", "rendered"):
            run.counts[name] += getattr(outcome, name)
        run.outcomes.append(outcome)
        stitcher.add(stem_of(outcome.number))
        self._progress(run)

    def _end_shards(self, run: "_Run", renderer: ChannelRenderer, plan: "ShardPlan", stitcher: Stitcher) -> None:
        """Every shard rendered and in the stitcher: the files finished, published, recorded, the parts kept."""
        shards = plan.shards
        DiagnosticRepo(run.session).close(run.ids[0], run.ids[1], beyond=shards[-1].high)  # products past the last shard, findings without one
        run.session.commit()
        digests, positions = stitcher.finish()
        items = {outcome.number: outcome.items for outcome in run.outcomes}
        moments = {outcome.number: outcome.next for outcome in run.outcomes}
        upcoming = {shard.stem(): moments.get(shard.number) for shard in shards}
        for shard in shards:
            run.fingerprints.add_run(plan.work / f"{shard.stem()}{RUN_SUFFIX}", items[shard.number])
        kept = KeptParts(self.settings.data_dir, run.ids[0])
        keep = partial(self._keep, run.ids[1], partial(kept.keep, plan.work, plan.folder, plan.key, plan.names, run.ids[1],
                                                       positions, plan.seen, upcoming, digests))
        self._end(run, renderer, plan.folder, digests, keep)

    def _keep(self, publication_id: int, keep: Callable[[], None]) -> None:
        try:
            keep()
        except OSError as exc:  # the publication succeeded; the next one renders every item again
            logger.warning("could not keep the parts of publication %s: %s", publication_id, exc)

    def _record(self, run: "_Run", renderer: ChannelRenderer, folder: Path, digests: dict[str, str]) -> None:
        """Publish the validated files and record the publication as succeeded."""
        session, (channel_id, publication_id, code), counts = run.session, run.ids, run.counts
        channel = session.get(Channel, channel_id)
        assert channel is not None
        declared = {f.name: f for f in renderer.adapter.files(renderer.ctx)}
        # Before anything is published: a run that cannot record its items publishes nothing.
        run.fingerprints.finish(item_fingerprints.path_for(self.settings.data_dir, publication_id), publication_id, code)
        destination = destination_for(channel.destination or self.settings.publish_url)
        files = []
        for name in sorted(digests):
            path = folder / name
            files.append(PublicationFile(name=name, content_type=declared[name].content_type, bytes=path.stat().st_size,
                                         sha256=digests[name],
                                         location=destination.put(code, name, path, declared[name].content_type,
                                                                  version_of(publication_id))))
        publication = session.get(Publication, publication_id, with_for_update=True, populate_existing=True)
        assert publication is not None
        if publication.status != "running" or not lock.holds(session, channel_id, publication_id):
            raise HubError("another publication of the channel took it over while this one ran (it had stopped "
                           "renewing its lock); its files are not made current")
        publication.files = files
        publication.status, publication.finished, publication.progress = "succeeded", self.now(), 1.0
        publication.items, publication.excluded, publication.warnings = counts["items"], counts["excluded"], counts["warnings"]
        publication.rendered = counts["rendered"]
        publication.shards = [[o.number, o.worker, o.seconds, o.done, o.rendered]
                              for o in sorted(run.outcomes, key=lambda o: o.number)] or None
        publication.bytes = sum(f.bytes for f in files)
        publication.sha256 = files[0].sha256 if len(files) == 1 else hashlib.sha256("".join(f.sha256 for f in files).encode()).hexdigest()
        publication.location = files[0].location.rsplit("/", 1)[0] if files else None
        DiagnosticRepo(session).keep_counts(publication, run.counted())
        session.commit()  # the new set of files is current: the feed URLs serve it from now on
        self._point(session, publication)
        if run.outcomes:
            logger.info("publication %s: %s", publication_id, "; ".join(
                f"shard {o.number} {o.done} products ({o.rendered} rendered) in {o.seconds} s by {o.worker}"
                for o in sorted(run.outcomes, key=lambda o: o.number) if o.done))
        self._prune_fingerprints(session, channel_id)

    def _point(self, session: Session, publication: Publication) -> None:
        """The new set made current for readers of the destination itself (``current_set``). The
        publication has succeeded already: a failure here is logged; the next publication does it again."""
        try:
            make_current(self.settings, session, publication)
        except (HubError, OSError, SQLAlchemyError) as exc:
            session.rollback()
            logger.warning("publication %s: could not point the destination at its files or prune old ones: %s",
                           publication.id, exc)

    def _prune_fingerprints(self, session: Session, channel_id: int) -> None:
        """Keep the item records of the channel's last two good publications (what a diff
        compares); drop its others and those of publications that no longer exist."""
        try:
            keep = {p.id for p in last_succeeded(session, channel_id, 2)}
            recorded = item_fingerprints.recorded(self.settings.data_dir)
            found = owners(session, recorded)
            for publication_id in recorded:
                owner = found.get(publication_id)
                if owner is None or (owner == channel_id and publication_id not in keep):
                    item_fingerprints.discard(self.settings.data_dir, publication_id)
        except (OSError, SQLAlchemyError) as exc:  # the publication succeeded; a leftover file only takes space
            session.rollback()
            logger.warning("could not prune item records: %s", exc, extra={"channel": channel_id})

    def _record_batch(self, run: "_Run", product_ids: list[int], items: list[Item]) -> None:
        for item in items:
            run.counts["done"] += 1
            run.counts["rendered"] += 1
            run.counts["excluded" if item.excluded else "items"] += 1
            if any(d.severity is Severity.WARNING for d in item.diagnostics):
                run.counts["warnings"] += 1
        DiagnosticRepo(run.session).add(run.ids[0], run.ids[1], zip(product_ids, (findings(item) for item in items)))
        self._progress(run)

    def _progress(self, run: "_Run") -> None:
        """Counts and progress so far, and the lock renewed, in one short transaction; at most
        every PROGRESS_EVERY seconds (written for each of the 200 shards of a republish at a
        million products, it took 2 of the publishing process's 5 s)."""
        moment = time.monotonic()
        if moment - run.reported < PROGRESS_EVERY:
            return
        run.reported = moment
        counts, session = run.counts, run.session
        session.execute(update(Publication).where(Publication.id == run.ids[1]).values(
            progress=round(counts["done"] / run.total, 4) if run.total else 1.0,
            items=counts["items"], excluded=counts["excluded"], warnings=counts["warnings"]))
        lock.renew(session, run.ids[0], run.ids[1], self.now(), self.lease)
        session.commit()
        if run.progress:
            run.progress(session.get(Publication, run.ids[1]))  # type: ignore[arg-type]


Rendered = tuple[Callable[[], None], dict[str, str]]  # what to do once published; each file's SHA-256


@dataclass(frozen=True)
class ShardPlan:
    """A sharded publication between its start and its end: what any process rendering one of
    its shards, or stitching them, needs; plain data, so it travels to Celery workers as JSON."""

    publication_id: int
    channel_id: int
    now: datetime
    folder: Path  # the publication's working folder: its shards' parts in ``shards/``, its files stitched here
    kept: tuple[Path, int] | None  # the kept parts' folder and the publication that rendered them
    shards: list[Shard]
    key: str  # the channel key the parts are rendered under
    names: list[str]  # the channel's files
    seen: str  # the document changes seen before any was read (``hub.store.document_changes``)
    total: int  # the products the channel carries: each shard's share of the progress

    @property
    def work(self) -> Path:
        return self.folder / "shards"

    def job(self, settings: Settings) -> Job:
        return Job(settings, self.publication_id, self.channel_id, self.now, self.work, self.kept)

    def narrowed(self, index: int) -> "ShardPlan":
        """The plan with its ``index``-th shard alone: what one shard's task carries. With every
        shard in each message, a republish's touched products went out once per shard (at a
        million products, 200 shards)."""
        return replace(self, shards=[self.shards[index]])

    def to_json(self) -> dict[str, Any]:
        return {"publication_id": self.publication_id, "channel_id": self.channel_id, "now": self.now.isoformat(),
                "folder": str(self.folder), "kept": [str(self.kept[0]), self.kept[1]] if self.kept else None,
                "shards": [[s.number, s.low, s.high, list(s.touched) if s.touched is not None else None] for s in self.shards],
                "key": self.key, "names": self.names, "seen": self.seen, "total": self.total}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ShardPlan":
        return cls(data["publication_id"], data["channel_id"], datetime.fromisoformat(data["now"]), Path(data["folder"]),
                   (Path(data["kept"][0]), data["kept"][1]) if data["kept"] else None,
                   [Shard(n, low, high, tuple(touched) if touched is not None else None) for n, low, high, touched in data["shards"]],
                   data["key"], data["names"], data["seen"], data["total"])


@dataclass
class _Run:
    """One publication while it renders."""

    session: Session
    ids: tuple[int, int, str]  # channel id, publication id, channel code
    total: int
    progress: Progress | None
    fingerprints: item_fingerprints.FingerprintRecorder
    counts: dict[str, int] = field(default_factory=lambda: {"items": 0, "excluded": 0, "warnings": 0, "done": 0, "rendered": 0})
    outcomes: list[Outcome] = field(default_factory=list)
    reported: float = float("-inf")  # when progress was last written (time.monotonic)

    def counted(self) -> list[tuple[str, str, int]] | None:
        """(severity, code, products) of the findings, added up from the shards; None when the
        adapter wrote no shards (the findings are then counted in the database)."""
        if not self.outcomes:
            return None
        total: Counter[str] = Counter()
        for outcome in self.outcomes:
            total.update(outcome.counts)
        return [(*key.split(" ", 1), n) for key, n in sorted(total.items())]  # type: ignore[misc]


def _claim(marker: Path) -> str | None:
    """Name this process in ``marker``, created only if absent; answers None when it was
    created, else the process it names ("" while its writer has yet to write it)."""
    try:
        with open(marker, "x") as out:
            out.write(runners.this_process())
        return None
    except FileExistsError:
        return marker.read_text()
