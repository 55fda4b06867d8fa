"""Shards: a channel's products cut into contiguous product id ranges, each rendered into its
own part files, which are stitched in key order between the format's head and tail.

A shard renders the same bytes whichever process renders it, so a publication gives the same
files with one worker or many (``hub.publishing.workers``). Each shard also leaves an index:
per item its key (a hash of everything that shaped it), its byte lengths in each part, its
diagnostics and its fingerprint line. The last good publication's parts and indexes are kept
per channel (``KeptParts``); a republish renders only the items whose key changed and copies
the bytes of the others, and a shard with no change at all is linked whole.

Only adapters that write in chunks (``channel_adapters.base.chunks``) are sharded; the
others keep the single stream of ``Publisher``.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

import orjson
from sqlalchemy import insert
from sqlalchemy.orm import Session

from channel_adapters.base import InvalidOutput, Item, Severity
from hub.publishing import item_fingerprints
from hub.publishing.render import ChannelRenderer, Resolvable
from hub.services import documents
from hub.store.documents import DocumentRepo
from hub.store.publications import DiagnosticRepo

BATCH = 1_000  # documents read and rendered at a time within a shard
INDEX_SUFFIX, KEYS_SUFFIX, RUN_SUFFIX = ".idx", ".keys", ".fingerprints"


@dataclass(frozen=True)
class Shard:
    number: int
    low: int  # first product id
    high: int  # first product id of the next shard

    def stem(self) -> str:
        return f"shard-{self.number:06d}"


def plan(last_id: int, span: int) -> list[Shard]:
    """The shards that cover product ids 1 to ``last_id``; the same ids always fall in the same
    shard, which is what lets a republish reuse a shard's parts."""
    return [Shard(n, n * span, (n + 1) * span) for n in range(last_id // span + 1)]


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
    worker: str = field(default_factory=lambda: f"pid {os.getpid()}")


# One index entry: [product id, key, excluded, warns, fingerprint line, diagnostics, lengths per file]
Entry = list[Any]


class KeptShard:
    """A shard of the last good publication: its keys, and on demand its index and the part
    files to copy bytes from."""

    def __init__(self, folder: Path, shard: Shard, names: list[str]) -> None:
        self.folder, self.stem, self.names = folder, shard.stem(), names
        self.summary = orjson.loads((folder / f"{self.stem}{KEYS_SUFFIX}").read_bytes())
        self.streams: dict[str, BinaryIO] = {}

    def keys(self) -> list[list[Any]]:
        return self.summary["keys"]

    def load(self) -> None:
        """Read the index: product id -> (its entry, its offset in each part). Only a shard that
        changed needs it; an unchanged one is linked on its keys alone."""
        self.offsets: dict[int, tuple[Entry, list[int]]] = {}
        at = [0] * len(self.names)
        for entry in orjson.loads((self.folder / f"{self.stem}{INDEX_SUFFIX}").read_bytes()):
            self.offsets[entry[0]] = (entry, list(at))
            at = [a + n for a, n in zip(at, entry[6])]

    def has(self, product_id: int, key: str) -> bool:
        found = self.offsets.get(product_id)
        return found is not None and found[0][1] == key

    def file(self, suffix: str) -> Path:
        return self.folder / f"{self.stem}{suffix}"

    def read(self, name: str, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` of the kept part ``name``."""
        stream = self.streams.get(name) or self.streams.setdefault(name, open(self.file(f".{name}"), "rb"))
        stream.seek(start)
        return stream.read(end - start)

    def close(self) -> None:
        for stream in self.streams.values():
            stream.close()


class _Copying:
    """Copies kept items into new parts, a run of neighbouring items at a time: a republish
    after a small change copies a few long ranges per shard rather than every item alone."""

    def __init__(self, kept: KeptShard | None, parts: dict[str, BinaryIO]) -> None:
        self.kept, self.parts = kept, parts
        self.run: list[list[int]] = []  # per part: [start, end) in the kept part

    def add(self, product_id: int) -> Entry:
        """Copy the product's kept item (at the latest on ``flush``); answers its entry."""
        assert self.kept is not None
        entry, starts = self.kept.offsets[product_id]
        ends = [start + length for start, length in zip(starts, entry[6])]
        if self.run and all(run[1] == start for run, start in zip(self.run, starts)):
            for run, end in zip(self.run, ends):
                run[1] = end
        else:
            self.flush()
            self.run = [[start, end] for start, end in zip(starts, ends)]
        return entry

    def flush(self) -> None:
        if self.run:
            assert self.kept is not None
            for (name, stream), (start, end) in zip(self.parts.items(), self.run):
                stream.write(self.kept.read(name, start, end))
            self.run = []


class KeptParts:
    """The parts and indexes of a channel's last good publication, under
    ``<data dir>/parts/<channel id>``, with the channel key they were rendered under."""

    def __init__(self, data_dir: Path, channel_id: int) -> None:
        self.root = data_dir / "parts" / str(channel_id)
        self.current = self.root / "current"

    def usable(self, channel_key: str, names: list[str]) -> tuple[Path, int] | None:
        """The kept folder and the publication that rendered it, when it was rendered under this
        channel key; else None."""
        try:
            manifest = orjson.loads((self.current / "manifest.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        if manifest.get("channel_key") != channel_key or manifest.get("files") != names:
            return None
        return self.current, manifest["publication"]

    def keep(self, folder: Path, channel_key: str, names: list[str], publication_id: int) -> None:
        """Make ``folder`` (a succeeded publication's shard outputs) the kept parts."""
        (folder / "manifest.json").write_bytes(orjson.dumps({"channel_key": channel_key, "files": names,
                                                             "publication": publication_id}))
        self.root.mkdir(parents=True, exist_ok=True)
        retired = self.root / f"retired-{publication_id}"
        if self.current.exists():
            os.replace(self.current, retired)
        os.replace(folder, self.current)
        shutil.rmtree(retired, ignore_errors=True)


def forget_all(data_dir: Path) -> None:
    """Drop every channel's kept parts (``crosscanal reindex``): the next publications render all."""
    shutil.rmtree(data_dir / "parts", ignore_errors=True)


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

    def render(self, reader: Session, writer: Session, shard: Shard) -> Outcome:
        """Render one shard, reading through ``reader`` (a read transaction) and writing its
        diagnostics through ``writer`` in one short transaction at the end."""
        started = time.perf_counter()
        outcome = Outcome(shard.number)
        repo = DocumentRepo(reader)
        now = self.renderer.now
        # An item's key: its document (and stock), what it lacks here, which sale moments passed.
        keys = [(pid, f"{doc_hash} {documents.phase(moments, now) if moments else 0} {missing}", missing)
                for pid, doc_hash, moments, missing in repo.keys(self.renderer.channel.id, shard.low, shard.high)]
        reader.rollback()  # no read transaction stays open while the shard renders
        kept = self._kept(shard)
        stem = shard.stem()
        try:
            if kept is not None and kept.keys() == [[pid, key] for pid, key, _ in keys]:
                # Validated when they were rendered: the same bytes, and their findings still hold.
                summary = self._link(kept, stem)
            else:
                if kept is not None:
                    kept.load()
                entries, fresh = self._render(repo, keys, kept, stem, outcome)
                reader.rollback()
                # Only what was rendered now is checked: copied items passed when they were rendered.
                self._check(stem, ".fresh" if kept is not None else "")
                summary = self._index(entries, stem)
                self._findings(writer, shard, kept, entries, fresh)
        finally:
            if kept is not None:
                kept.close()
        outcome.done, outcome.excluded, outcome.warnings = len(summary["keys"]), summary["excluded"], summary["warnings"]
        outcome.items = outcome.done - outcome.excluded
        outcome.seconds = round(time.perf_counter() - started, 3)
        return outcome

    def _kept(self, shard: Shard) -> KeptShard | None:
        if self.kept is None or not (self.kept / f"{shard.stem()}{KEYS_SUFFIX}").exists():
            return None
        return KeptShard(self.kept, shard, self.names)

    def _index(self, entries: list[Entry], stem: str) -> dict[str, Any]:
        """Write the shard's index, its keys and its sorted fingerprint lines; answers the keys."""
        summary = {"keys": [[entry[0], entry[1]] for entry in entries], "excluded": sum(entry[2] for entry in entries),
                   "warnings": sum(entry[3] for entry in entries)}
        (self.folder / f"{stem}{INDEX_SUFFIX}").write_bytes(orjson.dumps(entries))
        (self.folder / f"{stem}{KEYS_SUFFIX}").write_bytes(orjson.dumps(summary))
        with open(self.folder / f"{stem}{RUN_SUFFIX}", "w", encoding="utf-8") as run:
            run.writelines(sorted(entry[4] for entry in entries if entry[4]))
        return summary

    def _link(self, kept: KeptShard, stem: str) -> dict[str, Any]:
        """Nothing in the shard changed: its files are the kept ones (hard links where possible)."""
        for suffix in [f".{name}" for name in self.names] + [INDEX_SUFFIX, KEYS_SUFFIX, RUN_SUFFIX]:
            target = self.folder / f"{stem}{suffix}"
            try:
                os.link(kept.file(suffix), target)
            except OSError:
                shutil.copyfile(kept.file(suffix), target)
        return kept.summary

    def _findings(self, writer: Session, shard: Shard, kept: KeptShard | None, entries: list[Entry], fresh: set[int]) -> None:
        """The findings of the items rendered now replace those that held for them, and for the
        products the shard no longer holds; a kept item's findings hold on, untouched."""
        repo, channel_id = DiagnosticRepo(writer), self.renderer.channel.id
        if kept is None:
            repo.close(channel_id, self.publication_id, low=shard.low, high=shard.high)
        else:
            repo.close(channel_id, self.publication_id, product_ids=fresh | (kept.offsets.keys() - {e[0] for e in entries}))
            entries = [entry for entry in entries if entry[0] in fresh]
        repo.add(channel_id, self.publication_id, ((entry[0], entry[5]) for entry in entries))
        writer.commit()

    def _render(self, repo: DocumentRepo, keys: list[tuple[int, str, str]], kept: KeptShard | None, stem: str,
                outcome: Outcome) -> tuple[list[Entry], set[int]]:
        """Write the shard's parts, rendering the items the kept shard lacks (all without one)
        and copying the others; with a kept shard, the new items also go to ``.fresh`` parts,
        which is what gets validated. Answers the entries and the ids rendered now."""
        entries: list[Entry] = []
        parts = {name: open(self.folder / f"{stem}.{name}", "wb") for name in self.names}
        checked = {name: open(self.folder / f"{stem}.fresh.{name}", "wb") for name in self.names} if kept else {}
        done: set[int] = set()
        copying = _Copying(kept, parts)
        try:
            for start in range(0, len(keys), BATCH):
                batch = keys[start:start + BATCH]
                fresh = [(pid, key, missing) for pid, key, missing in batch if kept is None or not kept.has(pid, key)]
                rendered = dict(zip((pid for pid, _, _ in fresh), self._items(repo, fresh)))
                outcome.rendered += len(rendered)
                done.update(rendered)
                for pid, key, _missing in batch:
                    if pid in rendered:
                        copying.flush()
                        entry, chunks = rendered[pid]
                        entry[1] = key
                        for name, data in zip(self.names, chunks):
                            parts[name].write(data)
                            if checked:
                                checked[name].write(data)
                    else:
                        entry = copying.add(pid)
                    entries.append(entry)
            copying.flush()
        finally:
            for stream in [*parts.values(), *checked.values()]:
                stream.close()
        return entries, done

    def _items(self, repo: DocumentRepo, fresh: list[tuple[int, str, str]]) -> Iterator[tuple[Entry, list[bytes]]]:
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

    def _check(self, stem: str, which: str = "") -> None:
        """Validate each part (or its ``.fresh`` items) as a file of its own, between the head
        and the tail: the stitched file is then valid without a second pass over it, and the
        check runs where the shard did."""
        adapter, ctx = self.renderer.adapter, self.renderer.ctx
        for name in self.names:
            path = self.folder / f"{stem}{which}.{name}"
            with joined(self.head[name], path, self.tail.get(name, b"")) as stream:
                try:
                    adapter.validate(name, stream, ctx)
                except InvalidOutput as exc:
                    raise InvalidOutput(f"{exc} (in products of shard {stem})") from exc
            if which:
                path.unlink()



def findings(item: Item) -> list[list[Any]]:
    """An item's diagnostics as a shard index keeps them: [severity, code, attribute, message, fix, sku]."""
    return [[d.severity.value, d.code, d.attribute, d.message, d.fix, d.sku or item.key] for d in item.diagnostics]


class _Joined(io.RawIOBase):
    """A head, a file and a tail read as one stream."""

    def __init__(self, head: bytes, path: Path, tail: bytes) -> None:
        self.pieces: list[Any] = [io.BytesIO(head), open(path, "rb"), io.BytesIO(tail)]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.pieces:
            count = self.pieces[0].readinto(buffer)
            if count:
                return count
            self.pieces.pop(0).close()
        return 0

    def close(self) -> None:
        for piece in self.pieces:
            piece.close()
        super().close()


def joined(head: bytes, path: Path, tail: bytes) -> io.BufferedReader:
    return io.BufferedReader(_Joined(head, path, tail), 1 << 16)


def stitch(folder: Path, shards: list[Shard], head: dict[str, bytes], tail: dict[str, bytes], target: Path) -> dict[str, str]:
    """Each file: its head, every shard's part in key order, its tail; answers each file's
    SHA-256, taken as it is written (one pass over the bytes instead of two)."""
    digests = {}
    for name, start in head.items():
        digest = hashlib.sha256(start)
        with open(target / name, "wb") as out:
            out.write(start)
            for shard in shards:
                with open(folder / f"{shard.stem()}.{name}", "rb") as part:
                    while block := part.read(1 << 20):
                        digest.update(block)
                        out.write(block)
            end = tail.get(name, b"")
            digest.update(end)
            out.write(end)
        digests[name] = digest.hexdigest()
    return digests
