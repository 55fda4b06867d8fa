"""Shards: a channel's products cut into contiguous product id ranges, each rendered into its
own part, and the parts stitched in key order between the format's head and tail
(``hub.publishing.stitching``).

A shard renders the same bytes whichever process renders it, so a publication gives the same
files with one worker or many (``hub.publishing.workers``). Each shard also leaves an index:
per item its key (a hash of everything that shaped it), its byte lengths in each file, its
diagnostics and its fingerprint line. The last good publication's stitched files and indexes
are kept per channel (``hub.publishing.kept_parts``). A republish reads the keys of the
products written since those parts were read (``touched``, from the document change stamps),
renders the items whose key changed, and the recipe copies every other item's bytes straight
from the kept file: its work follows what changed, not the size of the catalog. A shard with
no change is one range. So the bytes of a million-item feed are written once per publication,
however little changed.

Only adapters that write in chunks (``channel_adapters.base.chunks``) are sharded; the
others keep the single stream of ``Publisher``.
"""

from __future__ import annotations

import os
import socket
import time
from contextlib import ExitStack, contextmanager
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

import orjson
from sqlalchemy.orm import Session

from channel_adapters.base import InvalidOutput, Item, Severity
from hub.publishing import item_fingerprints
from hub.publishing.kept_parts import (
    INDEX_SUFFIX, KEYS_SUFFIX, NUMBERS_SUFFIX, RECIPE_SUFFIX, RUN_SUFFIX, SUMMARY_SUFFIX, Entry, KeptShard, Recipe,
    ShardIndex, link_or_copy, read_manifest,
)
from hub.publishing.render import ChannelRenderer, Resolvable
from hub.publishing.stitching import joined
from hub.services import documents
from hub.store.document_changes import Horizon
from hub.store.documents import DocumentRepo
from hub.store.publications import DiagnosticRepo

BATCH = 1_000  # documents read and rendered at a time within a shard
PART_BUFFER = 1 << 20  # bytes a part file gathers before each write: a shard writes about 15 MB in 1.5 KB items
Key = tuple[int, str, str]  # product id, item key, what it lacks on the channel (JSON text; "" for a kept item)


def by_worker(shards: list[list[Any]] | None) -> list[tuple[str, int, float]]:
    """A publication's recorded shards (``Publication.shards``) as (worker, shards, seconds) per
    worker, busiest first: who rendered it, for the channel page and ``crosscanal publications``."""
    found: dict[str, list[float]] = {}
    for _number, worker, seconds, _done, _rendered in shards or ():
        found.setdefault(worker, []).append(seconds)
    return sorted(((worker, len(times), round(sum(times), 2)) for worker, times in found.items()),
                  key=lambda row: (-row[1], row[0]))


def stem_of(number: int) -> str:
    """The name a shard's files start with: in number order, which is key order."""
    return f"shard-{number:06d}"


@dataclass(frozen=True)
class Shard:
    number: int
    low: int  # first product id
    high: int  # first product id of the next shard
    # The products in the range written or removed since the kept parts were read, in id order;
    # None: read every key of the range (no kept part, or a sale moment of its products passed).
    touched: tuple[int, ...] | None = None

    def stem(self) -> str:
        return stem_of(self.number)

    def reach(self) -> int:
        """About how much work the shard is, in products rendered: its whole id range, or its
        touched products plus the reading and writing back of its kept index when any was
        touched (about a thirtieth of a render per entry, in a profile at a million)."""
        if self.touched is None:
            return self.high - self.low
        return len(self.touched) + (self.high - self.low) // 30 if self.touched else 0


def plan(last_id: int, span: int) -> list[Shard]:
    """The shards that cover product ids 1 to ``last_id``; the same ids always fall in the same
    shard, which is what lets a republish reuse a shard's parts."""
    return [Shard(n, n * span, (n + 1) * span) for n in range(last_id // span + 1)]


def with_changes(session: Session, shards: list[Shard], manifest: dict[str, Any] | None, now: datetime) -> list[Shard]:
    """The shards, each told the products written or removed in its range since the kept parts'
    horizon: one read of the change index for the whole publication, not one per shard. A
    shard without a kept part, or whose next sale moment has passed by ``now``, reads every
    key."""
    if manifest is None or "horizon" not in manifest or not shards:
        return shards
    span = shards[0].high - shards[0].low
    touched: dict[int, list[int]] = {}
    for pid in sorted(DocumentRepo(session).written_since(Horizon.parse(manifest["horizon"]))):
        touched.setdefault(pid // span, []).append(pid)
    upcoming = manifest.get("next", {})
    told = []
    for shard in shards:
        stem = shard.stem()
        moment = upcoming.get(stem)
        if stem in manifest["shards"] and not (moment and datetime.fromisoformat(moment) <= now):
            shard = replace(shard, touched=tuple(touched.get(shard.number, ())))
        told.append(shard)
    return told


@dataclass
class Outcome:
    """What rendering one shard did; added up by the publication."""

    number: int
    done: int = 0
    items: int = 0
    excluded: int = 0
    warnings: int = 0
    rendered: int = 0  # items rendered anew (the others were copied from the kept parts)
    seconds: float = 0.0
    worker: str = field(default_factory=lambda: f"{socket.gethostname()} pid {os.getpid()}")  # the process that rendered it
    # products per "severity code" among the shard's findings (kept parts of a format without
    # them are not reused, so every shard has them)
    counts: dict[str, int] = field(default_factory=dict)
    next: str | None = None  # the earliest sale moment still to come among its products


class ShardRenderer:
    """Renders shards of one publication into ``folder``, reusing ``kept`` parts (of
    publication ``kept_publication``) where the item keys match. Runs in the publishing process
    or in a worker process alike."""

    def __init__(self, renderer: ChannelRenderer, publication_id: int, folder: Path, kept: tuple[Path, int] | None) -> None:
        self.renderer = renderer
        self.publication_id = publication_id
        self.folder = folder
        self.kept, self.kept_publication = kept if kept else (None, None)
        self.head = {name: data for name, data in renderer.adapter.head(renderer.ctx).items()}  # type: ignore[attr-defined]
        self.tail = renderer.adapter.tail(renderer.ctx)  # type: ignore[attr-defined]
        self.names = list(self.head)
        manifest = read_manifest(self.kept) if self.kept is not None else None
        self.positions: dict[str, dict[str, list[int]]] = manifest["shards"] if manifest else {}

    def render(self, reader: Session, writer: Session, shard: Shard) -> Outcome:
        """Render one shard, reading through ``reader`` (a read transaction) and writing its
        diagnostics through ``writer`` in one short transaction at the end."""
        started = time.perf_counter()
        outcome = Outcome(shard.number)
        repo = DocumentRepo(reader)
        kept = self._kept(shard)
        stem = shard.stem()
        channel_id = self.renderer.channel.id
        if kept is not None and shard.touched is not None:
            # A republish: only the keys of what was written since the kept parts were read.
            upcoming, unchanged = kept.summary.get("next"), True
            if shard.touched:
                keys, touched_next = self._keys(repo.keys_of(channel_id, shard.touched))
                reader.rollback()  # no read transaction stays open while the shard renders
                upcoming = documents.earliest(upcoming, touched_next)
                kept.load()
                # Each written product still carried, with the key it was rendered under: a write
                # that changed nothing the channel shows.
                unchanged = len(keys) == len(shard.touched) and all(kept.has(pid, key) for pid, key, _ in keys)
                if not unchanged:
                    work = self._patch(repo, keys, shard.touched, kept, stem, outcome)
        else:
            keys, upcoming = self._keys(repo.keys(channel_id, shard.low, shard.high))
            reader.rollback()
            unchanged = kept is not None and kept.pairs() == [(pid, key) for pid, key, _ in keys]
            if not unchanged:
                work = self._render(repo, keys, kept, stem, outcome)
        if unchanged:
            # Validated when they were rendered: the same bytes, and their findings still hold.
            summary, recipe = self._link(kept, stem, upcoming), Recipe.whole(kept.sizes)  # type: ignore[arg-type]
        else:
            index, gone, recipe = work
            reader.rollback()
            # Only what was rendered now is checked: kept items passed when they were rendered.
            self._check(stem)
            summary = index.write(self.folder, stem, upcoming)
            self._findings(writer, shard, kept, index.fresh, gone)
        (self.folder / f"{stem}{RECIPE_SUFFIX}").write_bytes(orjson.dumps(recipe.ranges))
        outcome.done, outcome.excluded, outcome.warnings = summary["items"], summary["excluded"], summary["warnings"]
        outcome.items = outcome.done - outcome.excluded
        outcome.counts, outcome.next = summary["counts"], upcoming
        outcome.seconds = round(time.perf_counter() - started, 3)
        return outcome

    def _keys(self, rows: Iterable[Any]) -> tuple[list[Key], str | None]:
        """Each carried row's item key: its document (and stock), which sale moments passed, what it
        lacks here. Answers them with the earliest sale moment still to come among the rows."""
        now, keys, upcoming = self.renderer.now, [], None
        for pid, doc_hash, moments, missing in rows:
            if missing is None:
                continue  # not carried (a written row looked up by id)
            if moments:
                keys.append((pid, f"{doc_hash} {documents.phase(moments, now)} {missing}", missing))
                upcoming = documents.earliest(upcoming, documents.next_moment(moments, now))
            else:
                keys.append((pid, f"{doc_hash} 0 {missing}", missing))
        return keys, upcoming

    def _kept(self, shard: Shard) -> KeptShard | None:
        where = self.positions.get(shard.stem())
        if self.kept is None or where is None:
            return None
        return KeptShard(self.kept, shard.stem(), {name: where[name][1] for name in self.names})

    def _link(self, kept: KeptShard, stem: str, upcoming: str | None) -> dict[str, Any]:
        """Nothing in the shard changed: its index and fingerprints are the kept ones (hard links
        where possible); its summary is written again with its next sale moment."""
        for suffix in (INDEX_SUFFIX, NUMBERS_SUFFIX, KEYS_SUFFIX, RUN_SUFFIX):
            link_or_copy(kept.file(suffix), self.folder / f"{stem}{suffix}")
        summary = {**kept.summary, "next": upcoming}
        (self.folder / f"{stem}{SUMMARY_SUFFIX}").write_bytes(orjson.dumps(summary))
        return summary

    def _findings(self, writer: Session, shard: Shard, kept: KeptShard | None, fresh: list[Entry], gone: set[int]) -> None:
        """The findings of the items rendered now (``fresh``) replace those that held for them,
        and for the products the shard no longer holds (``gone``); a kept item's findings hold
        on, untouched."""
        repo, channel_id = DiagnosticRepo(writer), self.renderer.channel.id
        if kept is None:
            repo.close(channel_id, self.publication_id, low=shard.low, high=shard.high)
        else:
            repo.close(channel_id, self.publication_id, product_ids={entry[0] for entry in fresh} | gone)
        repo.add(channel_id, self.publication_id, ((entry[0], entry[5]) for entry in fresh))
        writer.commit()

    def _render(self, repo: DocumentRepo, keys: list[Key], kept: KeptShard | None, stem: str,
                outcome: Outcome) -> tuple[ShardIndex, set[int], Recipe]:
        """Every key of the range read: render the items the kept shard lacks (all without one)
        into the shard's part; the recipe puts the kept items' ranges between them. Answers the
        index, the kept ids gone, and the recipe."""
        index = ShardIndex(len(self.names), kept)
        recipe = Recipe(self.names)
        with self._parts(stem) as parts:
            for start in range(0, len(keys), BATCH):
                batch = keys[start:start + BATCH]
                fresh = [row for row in batch if kept is None or not kept.has(row[0], row[1])]
                rendered = self._rendered(repo, fresh, outcome)
                for pid, key, _missing in batch:
                    if pid in rendered:
                        index.add(self._write(parts, recipe, rendered[pid], key))
                    else:
                        at = kept.where[pid]  # type: ignore[union-attr]
                        recipe.kept(*kept.span(at, at + 1))  # type: ignore[union-attr]
                        index.keep(at, at + 1)
        gone = set(kept.where).difference(index.pids()) if kept is not None else set()
        return index, gone, recipe

    def _patch(self, repo: DocumentRepo, keys: list[Key], touched: tuple[int, ...], kept: KeptShard, stem: str,
               outcome: Outcome) -> tuple[ShardIndex, set[int], Recipe]:
        """Only the ``keys`` of the ``touched`` products read: the kept entries between them go
        over as whole stretches (one range each), the touched ones are rendered again, dropped
        (removed, or no longer carried) or kept when their key did not change."""
        now_keys = {pid: (key, missing) for pid, key, missing in keys}
        render = {pid for pid, (key, _) in now_keys.items() if not kept.has(pid, key)}
        gone = {pid for pid in touched if pid in kept.where and pid not in now_keys}
        events = sorted(render | gone)
        index = ShardIndex(len(self.names), kept)
        recipe = Recipe(self.names)
        cursor, total = 0, len(kept.pids)

        def keep_to(end: int) -> None:
            nonlocal cursor
            if end > cursor:
                recipe.kept(*kept.span(cursor, end))
                index.keep(cursor, end)
                cursor = end

        with self._parts(stem) as parts:
            for start in range(0, len(events), BATCH):
                batch = events[start:start + BATCH]
                rendered = self._rendered(repo, [(pid, *now_keys[pid]) for pid in batch if pid in render], outcome)
                for pid in batch:
                    at = bisect_left(kept.pids, pid, cursor)
                    keep_to(at)
                    if at < total and kept.pids[at] == pid:
                        cursor = at + 1  # its kept entry is replaced or gone
                    if pid in rendered:
                        index.add(self._write(parts, recipe, rendered[pid], now_keys[pid][0]))
            keep_to(total)
        return index, gone, recipe

    @contextmanager
    def _parts(self, stem: str) -> Iterator[list[BinaryIO]]:
        """The shard's own part files, open for writing while it renders."""
        with ExitStack() as opened:
            yield [opened.enter_context(open(self.folder / f"{stem}.{name}", "wb", buffering=PART_BUFFER)) for name in self.names]

    def _rendered(self, repo: DocumentRepo, fresh: list[Key], outcome: Outcome) -> dict[int, tuple[Entry, list[bytes]]]:
        rendered = dict(zip((pid for pid, _, _ in fresh), self._items(repo, fresh)))
        outcome.rendered += len(rendered)
        return rendered

    @staticmethod
    def _write(parts: list[BinaryIO], recipe: Recipe, rendered: tuple[Entry, list[bytes]], key: str) -> Entry:
        """Append a rendered item's chunks to the shard's part; answers its index entry."""
        entry, chunks = rendered
        entry[1] = key
        for stream, data in zip(parts, chunks):
            stream.write(data)
        recipe.new(entry[6])
        return entry

    def _items(self, repo: DocumentRepo, fresh: list[Key]) -> Iterator[tuple[Entry, list[bytes]]]:
        if not fresh:
            return iter(())
        bodies = repo.bodies([pid for pid, _, _ in fresh])
        rows = [Resolvable(documents.decode(bodies[pid][0]), documents.decode(bodies[pid][1]), documents.decode(missing))
                for pid, _, missing in fresh]
        adapter, ctx = self.renderer.adapter, self.renderer.ctx
        found = []
        for (pid, _key, _missing), item in zip(fresh, self.renderer.render_documents(rows)):
            diagnostics = findings(item)
            warns = any(d.severity is Severity.WARNING for d in item.diagnostics)
            if item.excluded:
                chunks = [b""] * len(self.names)
                line = ""
            else:
                produced = adapter.chunk(item, ctx)  # type: ignore[attr-defined]
                chunks = [produced.get(name, b"") for name in self.names]
                line = item_fingerprints.line(item.key, item.fields)
            found.append(([pid, "", int(item.excluded), int(warns), line, diagnostics, [len(c) for c in chunks]], chunks))
        return iter(found)

    def _check(self, stem: str) -> None:
        """Validate each part (the items rendered now) as a file of its own, between the head
        and the tail: the stitched file is then valid without a second pass over it, and the
        check runs where the shard did."""
        adapter, ctx = self.renderer.adapter, self.renderer.ctx
        for name in self.names:
            with joined(self.head[name], self.folder / f"{stem}.{name}", self.tail.get(name, b"")) as stream:
                try:
                    adapter.validate(name, stream, ctx)
                except InvalidOutput as exc:
                    raise InvalidOutput(f"{exc} (in products of shard {stem})") from exc


def findings(item: Item) -> list[list[Any]]:
    """An item's diagnostics as a shard index keeps them: [severity, code, attribute, message, fix, sku]."""
    return [[d.severity.value, d.code, d.attribute, d.message, d.fix, d.sku or item.key] for d in item.diagnostics]
