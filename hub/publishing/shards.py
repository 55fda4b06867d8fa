"""Shards: a channel's products cut into contiguous product id ranges, each rendered into its
own part, and the parts stitched in key order between the format's head and tail.

A shard renders the same bytes whichever process renders it, so a publication gives the same
files with one worker or many (``hub.publishing.workers``). Each shard also leaves an index:
per item its key (a hash of everything that shaped it), its byte lengths in each file, its
diagnostics and its fingerprint line. The last good publication's stitched files and indexes
are kept per channel (``KeptParts``). A republish renders only the items whose key changed; the
shard writes those bytes alone, with a recipe saying which ranges of the kept file go between
them, and the stitch copies those ranges straight from the kept file (in the kernel). A shard
with no change is one range. So the bytes of a million-item feed are written once per
publication, however little changed.

Only adapters that write in chunks (``channel_adapters.base.chunks``) are sharded; the
others keep the single stream of ``Publisher``.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import time
from collections import Counter
from datetime import datetime
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

import orjson
from sqlalchemy.orm import Session

from channel_adapters.base import InvalidOutput, Item, Severity
from hub.publishing import item_fingerprints
from hub.publishing.render import ChannelRenderer, Resolvable
from hub.services import documents
from hub.store import document_changes
from hub.store.document_changes import Horizon
from hub.store.documents import DocumentRepo
from hub.store.publications import DiagnosticRepo

BATCH = 1_000  # documents read and rendered at a time within a shard
INDEX_SUFFIX, KEYS_SUFFIX, RUN_SUFFIX, RECIPE_SUFFIX = ".idx", ".keys", ".fingerprints", ".recipe"
KEPT, NEW = 0, 1  # where a range of a shard's bytes comes from: the kept file, or the shard's own part


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
    # products per "severity code" among the shard's findings; None from a shard kept before
    # shards counted them (the publication then counts its findings in the database)
    counts: dict[str, int] | None = None


# One index entry: [product id, key, excluded, warns, fingerprint line, diagnostics, lengths per file]
Entry = list[Any]


class KeptShard:
    """A shard of the last good publication: its keys, its size in each kept file, and on
    demand its index."""

    def __init__(self, folder: Path, shard: Shard, sizes: dict[str, int]) -> None:
        self.folder, self.stem, self.sizes = folder, shard.stem(), sizes
        self.summary = orjson.loads((folder / f"{self.stem}{KEYS_SUFFIX}").read_bytes())

    def keys(self) -> list[list[Any]]:
        return self.summary["keys"]

    def load(self) -> None:
        """Read the index: product id -> (its entry, its offset in the shard's range of each
        file). Only a shard that changed needs it; an unchanged one is used on its keys alone."""
        self.offsets: dict[int, tuple[Entry, list[int]]] = {}
        at = [0] * len(self.sizes)
        for entry in orjson.loads((self.folder / f"{self.stem}{INDEX_SUFFIX}").read_bytes()):
            self.offsets[entry[0]] = (entry, list(at))
            at = [a + n for a, n in zip(at, entry[6])]

    def has(self, product_id: int, key: str) -> bool:
        found = self.offsets.get(product_id)
        return found is not None and found[0][1] == key

    def file(self, suffix: str) -> Path:
        return self.folder / f"{self.stem}{suffix}"


class Recipe:
    """Where one shard's bytes of each file come from, in order: ranges of the kept shard
    (``KEPT``, offsets within its range of the kept file) and of the shard's own part (``NEW``).
    Neighbouring ranges of one source merge, so a republish after a small change copies a few
    long ranges per shard rather than every item alone."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.ranges: dict[str, list[list[int]]] = {name: [] for name in names}
        self.written = [0] * len(names)

    @classmethod
    def whole(cls, sizes: dict[str, int]) -> "Recipe":
        """An unchanged shard: all of its kept range."""
        recipe = cls(list(sizes))
        recipe.kept([0] * len(sizes), list(sizes.values()))
        return recipe

    def kept(self, starts: list[int], lengths: list[int]) -> None:
        for name, start, length in zip(self.names, starts, lengths):
            self._add(name, KEPT, start, start + length)

    def new(self, lengths: list[int]) -> None:
        for index, (name, length) in enumerate(zip(self.names, lengths)):
            start = self.written[index]
            self._add(name, NEW, start, start + length)
            self.written[index] = start + length

    def _add(self, name: str, source: int, start: int, end: int) -> None:
        if end > start:
            ranges = self.ranges[name]
            if ranges and ranges[-1][0] == source and ranges[-1][2] == start:
                ranges[-1][2] = end
            else:
                ranges.append([source, start, end])


class KeptParts:
    """The stitched files and shard indexes of a channel's last good publication, under
    ``<data dir>/parts/<channel id>``, with the channel key they were rendered under and where
    each shard lies in each file."""

    def __init__(self, data_dir: Path, channel_id: int) -> None:
        self.root = data_dir / "parts" / str(channel_id)
        self.current = self.root / "current"

    def usable(self, channel_key: str, names: list[str]) -> tuple[Path, int] | None:
        """The kept folder and the publication that rendered it, when it was rendered under this
        channel key; else None."""
        manifest = read_manifest(self.current)
        if manifest is None or manifest.get("channel_key") != channel_key or manifest.get("files") != names:
            return None
        if not all((self.current / f"{STITCHED}{name}").is_file() for name in names):
            return None  # a kept file went missing: render every item
        return self.current, manifest["publication"]

    def keep(self, folder: Path, stitched: Path, channel_key: str, names: list[str], publication_id: int,
             positions: dict[str, dict[str, list[int]]]) -> None:
        """Make ``folder`` (a succeeded publication's shard indexes) with the files stitched in
        ``stitched`` the kept parts; each shard's own part is in the stitched files now."""
        for name in names:
            link_or_copy(stitched / name, folder / f"{STITCHED}{name}")
        for path in folder.iterdir():
            if path.suffix == RECIPE_SUFFIX or (path.name.startswith("shard-") and path.name.split(".", 1)[1] in names):
                path.unlink()
        (folder / "manifest.json").write_bytes(orjson.dumps({"channel_key": channel_key, "files": names,
                                                             "publication": publication_id, "shards": positions}))
        self.root.mkdir(parents=True, exist_ok=True)
        retired = self.root / f"retired-{publication_id}"
        if self.current.exists():
            os.replace(self.current, retired)
        os.replace(folder, self.current)
        shutil.rmtree(retired, ignore_errors=True)


STITCHED = "stitched."  # a kept file's name: "stitched." and the file's own


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """A kept folder's manifest; None when there is none, or one from before shard positions."""
    try:
        manifest = orjson.loads((folder / "manifest.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return manifest if "shards" in manifest else None


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


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
        manifest = read_manifest(self.kept) if self.kept is not None else None
        self.positions: dict[str, dict[str, list[int]]] = manifest["shards"] if manifest else {}

    def render(self, reader: Session, writer: Session, shard: Shard) -> Outcome:
        """Render one shard, reading through ``reader`` (a read transaction) and writing its
        diagnostics through ``writer`` in one short transaction at the end."""
        started = time.perf_counter()
        outcome = Outcome(shard.number)
        repo = DocumentRepo(reader)
        seen = document_changes.horizon(reader)  # before any key is read: what the next republish starts from
        kept = self._kept(shard)
        known = self._changed_keys(reader, repo, kept, shard) if kept is not None else None
        if known is None:
            keys, upcoming = self._keys(repo.keys(self.renderer.channel.id, shard.low, shard.high))
        else:
            keys, upcoming = known
        reader.rollback()  # no read transaction stays open while the shard renders
        stem = shard.stem()
        fresh_state = {"horizon": str(seen), "next": upcoming}
        if kept is not None and kept.keys() == [[pid, key] for pid, key, _ in keys]:
            # Validated when they were rendered: the same bytes, and their findings still hold.
            summary, recipe = self._link(kept, stem, fresh_state), Recipe.whole(kept.sizes)
        else:
            if kept is not None:
                kept.load()
            entries, fresh, recipe = self._render(repo, keys, kept, stem, outcome)
            reader.rollback()
            # Only what was rendered now is checked: kept items passed when they were rendered.
            self._check(stem)
            summary = self._index(entries, stem, fresh_state)
            self._findings(writer, shard, kept, entries, fresh)
        (self.folder / f"{stem}{RECIPE_SUFFIX}").write_bytes(orjson.dumps(recipe.ranges))
        outcome.done, outcome.excluded, outcome.warnings = len(summary["keys"]), summary["excluded"], summary["warnings"]
        outcome.counts = summary.get("counts")
        outcome.items = outcome.done - outcome.excluded
        outcome.seconds = round(time.perf_counter() - started, 3)
        return outcome

    def _keys(self, rows: Iterable[Any]) -> tuple[list[tuple[int, str, str]], str | None]:
        """Each carried row's item key: its document (and stock), which sale moments passed, what it
        lacks here. Answers them with the earliest sale moment still to come among the rows."""
        now, keys, upcoming = self.renderer.now, [], None
        for pid, doc_hash, moments, missing, *_ in rows:
            if missing is None:
                continue  # not carried (a changed row read through the change index)
            if moments:
                keys.append((pid, f"{doc_hash} {documents.phase(moments, now)} {missing}", missing))
                upcoming = documents.earliest(upcoming, documents.next_moment(moments, now))
            else:
                keys.append((pid, f"{doc_hash} 0 {missing}", missing))
        return keys, upcoming

    def _changed_keys(self, reader: Session, repo: DocumentRepo, kept: KeptShard,
                      shard: Shard) -> tuple[list[tuple[int, str, str]], str | None] | None:
        """The shard's keys as the kept ones with those of the rows written or removed since the
        kept horizon put in: read through the change index, not every row of the range. None when
        every key must be read: the kept shard has no horizon, or a sale moment of its products
        has passed since (a phase changed with no write)."""
        summary, now = kept.summary, self.renderer.now
        if "horizon" not in summary or (summary["next"] and datetime.fromisoformat(summary["next"]) <= now):
            return None
        seen = Horizon.parse(summary["horizon"])
        changed = repo.changed_keys(self.renderer.channel.id, shard.low, shard.high, seen)
        removed = document_changes.removed_since(reader, seen, shard.low, shard.high)
        if not changed and not removed:
            return [(pid, key, "") for pid, key in summary["keys"]], summary["next"]
        merged = {pid: (key, "") for pid, key in summary["keys"]}  # a kept item's key is all that is read of it
        for pid in removed:
            merged.pop(pid, None)
        for row in changed:
            merged.pop(row[0], None)  # not carried any more, or its key comes next
        fresh, upcoming = self._keys(changed)
        merged.update((pid, (key, missing)) for pid, key, missing in fresh)
        return [(pid, key, missing) for pid, (key, missing) in sorted(merged.items())], documents.earliest(summary["next"], upcoming)

    def _kept(self, shard: Shard) -> KeptShard | None:
        where = self.positions.get(shard.stem())
        if self.kept is None or where is None:
            return None
        return KeptShard(self.kept, shard, {name: where[name][1] for name in self.names})

    def _index(self, entries: list[Entry], stem: str, state: dict[str, Any]) -> dict[str, Any]:
        """Write the shard's index, its keys (with ``state``: the horizon they were read at and
        the next sale moment among them) and its sorted fingerprint lines; answers the keys."""
        summary = {"keys": [[entry[0], entry[1]] for entry in entries], "excluded": sum(entry[2] for entry in entries),
                   "warnings": sum(entry[3] for entry in entries), "counts": finding_counts(entries), **state}
        (self.folder / f"{stem}{INDEX_SUFFIX}").write_bytes(orjson.dumps(entries))
        (self.folder / f"{stem}{KEYS_SUFFIX}").write_bytes(orjson.dumps(summary))
        with open(self.folder / f"{stem}{RUN_SUFFIX}", "w", encoding="utf-8") as run:
            run.writelines(sorted(entry[4] for entry in entries if entry[4]))
        return summary

    def _link(self, kept: KeptShard, stem: str, state: dict[str, Any]) -> dict[str, Any]:
        """Nothing in the shard changed: its index and fingerprints are the kept ones (hard links
        where possible); its keys are written again with the horizon read now."""
        for suffix in (INDEX_SUFFIX, RUN_SUFFIX):
            link_or_copy(kept.file(suffix), self.folder / f"{stem}{suffix}")
        summary = {**kept.summary, **state}
        (self.folder / f"{stem}{KEYS_SUFFIX}").write_bytes(orjson.dumps(summary))
        return summary

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
                outcome: Outcome) -> tuple[list[Entry], set[int], Recipe]:
        """Render the items the kept shard lacks (all without one) into the shard's part; the
        recipe puts the kept items' ranges between them. Answers the entries, the ids rendered
        now and the recipe."""
        entries: list[Entry] = []
        parts = {name: open(self.folder / f"{stem}.{name}", "wb") for name in self.names}
        done: set[int] = set()
        recipe = Recipe(self.names)
        try:
            for start in range(0, len(keys), BATCH):
                batch = keys[start:start + BATCH]
                fresh = [(pid, key, missing) for pid, key, missing in batch if kept is None or not kept.has(pid, key)]
                rendered = dict(zip((pid for pid, _, _ in fresh), self._items(repo, fresh)))
                outcome.rendered += len(rendered)
                done.update(rendered)
                for pid, key, _missing in batch:
                    if pid in rendered:
                        entry, chunks = rendered[pid]
                        entry[1] = key
                        for name, data in zip(self.names, chunks):
                            parts[name].write(data)
                        recipe.new(entry[6])
                    else:
                        entry, starts = kept.offsets[pid]  # type: ignore[union-attr]
                        recipe.kept(starts, entry[6])
                    entries.append(entry)
        finally:
            for stream in parts.values():
                stream.close()
        return entries, done, recipe

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


def finding_counts(entries: list[Entry]) -> dict[str, int]:
    """How many of these items have a finding of each severity and code ("severity code"): a
    publication's counts are its shards' added up, kept with the shard like its keys."""
    counts: Counter[str] = Counter()
    for entry in entries:
        if entry[5]:
            counts.update({f"{severity} {code}" for severity, code, *_ in entry[5]})
    return dict(counts)


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


def stitch(folder: Path, shards: list[Shard], head: dict[str, bytes], tail: dict[str, bytes], target: Path,
           kept: Path | None) -> tuple[dict[str, str], dict[str, dict[str, list[int]]]]:
    """Each file: its head, every shard's bytes by its recipe in key order, its tail. Answers
    each file's SHA-256 and where each shard now lies in each file ([start, length]). Ranges are
    copied by the kernel: the bytes of a million-item feed are read once more, to hash them.
    Each file is stitched and hashed in a thread of its own: the copies and the hashing release
    the interpreter's lock, so a feed's XML and TSV take the time of the larger one."""
    kept_positions = (read_manifest(kept) or {}).get("shards", {}) if kept is not None else {}
    recipes = {shard.stem(): orjson.loads((folder / f"{shard.stem()}{RECIPE_SUFFIX}").read_bytes()) for shard in shards}
    positions: dict[str, dict[str, list[int]]] = {stem: {} for stem in recipes}

    def one(name: str) -> str:
        with open(target / name, "wb") as out, ExitStack() as opened:
            source = opened.enter_context(open(kept / f"{STITCHED}{name}", "rb")) if kept_positions else None  # type: ignore[operator]
            out.write(head[name])
            for stem, recipe in recipes.items():
                out.flush()
                base = out.tell()
                own = folder / f"{stem}.{name}"
                with open(own, "rb") if own.exists() else nullcontext() as part:
                    for origin, low, high in recipe[name]:
                        if origin == KEPT:
                            copy_range(source, kept_positions[stem][name][0] + low, high - low, out)  # type: ignore[arg-type]
                        else:
                            copy_range(part, low, high - low, out)  # type: ignore[arg-type]
                positions[stem][name] = [base, out.tell() - base]  # each thread writes its own name's entries
            out.write(tail.get(name, b""))
        return sha256_of(target / name)

    with ThreadPoolExecutor(max_workers=len(head) or 1) as pool:
        digests = dict(zip(head, pool.map(one, head)))
    return digests, positions


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read into one reused buffer (a memory map would count the whole file
    in the process's resident memory)."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def copy_range(source: BinaryIO, start: int, length: int, target: BinaryIO) -> None:
    """Append ``length`` bytes of ``source`` from ``start`` to ``target``: in the kernel where
    the file system allows, else through a buffer."""
    target.flush()  # the kernel writes at the file's position, after what is buffered
    done = 0
    try:
        while done < length:
            copied = os.copy_file_range(source.fileno(), target.fileno(), length - done, start + done)
            if not copied:
                break
            done += copied
    except OSError:  # not between these files here (another file system, an old kernel)
        pass
    source.seek(start + done)
    while done < length:
        block = source.read(min(1 << 20, length - done))
        if not block:
            raise OSError(f"{source.name} ends before byte {start + length}")
        target.write(block)
        done += len(block)
