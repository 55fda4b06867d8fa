"""Stitching a sharded publication's files: each file's head, every shard's bytes by its
recipe in key order (ranges of the kept file and of the shard's own part), its tail, while the
shards render. Ranges are copied by the kernel, and each file is hashed as it is finished.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from hub.publishing.kept_parts import KEPT, RECIPE_SUFFIX, STITCHED, link_or_copy, read_manifest


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


class Stitcher:
    """Stitches a sharded publication's files while its shards render: each file's head, every
    shard's bytes by its recipe in key order (ranges of the kept file and of the shard's own
    part), its tail. A shard goes in as soon as every shard before it is in (workers finish
    them nearly in order), so when the last shard is rendered little is left to copy: at a
    million products that was 4 s of a minute spent after the workers had finished.

    Each file is written by a thread of its own: the kernel copies the ranges and the hashing
    releases the interpreter's lock, so a feed's XML and TSV take the time of the larger one.
    A file whose every shard is its kept range whole, in the kept order, is the kept file: it is
    linked at the end with its known hash, and written only from the first shard that differs.
    """

    def __init__(self, folder: Path, stems: list[str], head: dict[str, bytes], tail: dict[str, bytes], target: Path,
                 kept: Path | None) -> None:
        self.folder, self.stems, self.target, self.kept = folder, stems, target, kept
        self.manifest: dict[str, Any] = (read_manifest(kept) or {}) if kept is not None else {}
        self.kept_positions: dict[str, dict[str, list[int]]] = self.manifest.get("shards", {})
        self.kept_order = list(self.kept_positions)
        # where each shard lies in each file: [start, length]; each file's thread writes its own name's entries
        self.positions: dict[str, dict[str, list[int]]] = {stem: {} for stem in stems}
        self.files = {name: _File(self, name, head[name], tail.get(name, b"")) for name in head}
        self.finished: set[str] = set()
        self.next = 0  # how many shards have gone in, in order

    def add(self, stem: str) -> None:
        """The shard ``stem`` is rendered: send it, and every rendered one after it, into the files."""
        self.finished.add(stem)
        while self.next < len(self.stems) and self.stems[self.next] in self.finished:
            stem = self.stems[self.next]
            recipe = orjson.loads((self.folder / f"{stem}{RECIPE_SUFFIX}").read_bytes())
            for file in self.files.values():
                file.submit(self.next, stem, recipe[file.name])
            self.next += 1

    def finish(self) -> tuple[dict[str, str], dict[str, dict[str, list[int]]]]:
        """Every shard is in: each file's tail, its SHA-256. Answers the digests and the positions."""
        if self.next != len(self.stems):
            raise RuntimeError(f"shard {self.stems[self.next]} was not rendered")
        endings = {name: file.finish() for name, file in self.files.items()}
        for file in self.files.values():
            file.raise_failed(wait=True)  # a shard's copy that failed after the last check
        return {name: ending.result() for name, ending in endings.items()}, self.positions

    def close(self) -> None:
        """Stop the files' threads and close what they hold open (after finish, or on failure)."""
        for file in self.files.values():
            file.close()


class _File:
    """One file of a stitched publication, written in order by its own thread."""

    def __init__(self, stitcher: Stitcher, name: str, head: bytes, tail: bytes) -> None:
        self.stitcher, self.name, self.head, self.tail = stitcher, name, head, tail
        self.thread = ThreadPoolExecutor(max_workers=1)  # one thread: the shards go in in order
        self.pending: list[Future[Any]] = []
        self.linkable = stitcher.kept is not None and name in stitcher.manifest.get("digests", {})
        self.out: BinaryIO | None = None  # opened at the first shard that is not the kept file's
        self.source: BinaryIO | None = None  # the kept file, read by ranges
        self.reader: BinaryIO | None = None  # the file itself, read back as it grows to hash it
        self.digest = hashlib.sha256()
        self.flusher = ThreadPoolExecutor(max_workers=1)  # has the disk write the file while it grows
        self.syncing: Future[None] | None = None
        self.hashed = self.synced = 0  # bytes hashed, and bytes the disk has, from the start

    def submit(self, index: int, stem: str, recipe: list[list[Any]]) -> None:
        self.pending.append(self.thread.submit(self._append, index, stem, recipe))
        self.raise_failed()

    def finish(self) -> Future[str]:
        return self.thread.submit(self._finish)

    def close(self) -> None:
        self.thread.shutdown(wait=True, cancel_futures=True)
        self.flusher.shutdown(wait=True)
        for stream in (self.out, self.source, self.reader):
            if stream is not None:
                stream.close()

    def raise_failed(self, wait: bool = False) -> None:
        """Raise what a shard's copy raised: at the next shard, not at the end; ``wait``: for
        every copy submitted so far."""
        while self.pending and (wait or self.pending[0].done()):
            self.pending.pop(0).result()

    def _append(self, index: int, stem: str, ranges: list[list[Any]]) -> None:
        stitcher = self.stitcher
        if self.out is None and self._as_kept(index, stem, ranges):
            stitcher.positions[stem][self.name] = stitcher.kept_positions[stem][self.name]
            return
        out = self.out if self.out is not None else self._open(index)
        out.flush()
        base = out.tell()
        own = stitcher.folder / f"{stem}.{self.name}"
        with open(own, "rb") if own.exists() else nullcontext() as part:
            for origin, low, high in ranges:
                if origin == KEPT:
                    copy_range(self._kept(), stitcher.kept_positions[stem][self.name][0] + low, high - low, out)
                else:
                    copy_range(part, low, high - low, out)  # type: ignore[arg-type]
        out.flush()
        stitcher.positions[stem][self.name] = [base, out.tell() - base]
        self._hash()

    def _as_kept(self, index: int, stem: str, ranges: list[list[Any]]) -> bool:
        """The shard is the kept file's shard at the same place, whole."""
        stitcher = self.stitcher
        if not self.linkable or index >= len(stitcher.kept_order) or stitcher.kept_order[index] != stem:
            return False
        length = stitcher.kept_positions[stem][self.name][1]
        return ranges == ([[KEPT, 0, length]] if length else [])

    def _open(self, shards: int) -> BinaryIO:
        """Start writing the file: its head and the first ``shards`` shards, which are the kept file's."""
        self.out = out = open(self.stitcher.target / self.name, "wb")
        self.reader = open(self.stitcher.target / self.name, "rb")
        out.write(self.head)
        if shards:
            last = self.stitcher.kept_positions[self.stitcher.kept_order[shards - 1]][self.name]
            copy_range(self._kept(), len(self.head), last[0] + last[1] - len(self.head), out)
        return out

    def _kept(self) -> BinaryIO:
        if self.source is None:
            self.source = open(self.stitcher.kept / f"{STITCHED}{self.name}", "rb")  # type: ignore[operator]
        return self.source

    def _finish(self) -> str:
        stitcher = self.stitcher
        if self.out is None and self.linkable and stitcher.next == len(stitcher.kept_order):
            # Nothing changed: the same bytes, linked, and their known hash.
            link_or_copy(stitcher.kept / f"{STITCHED}{self.name}", stitcher.target / self.name)  # type: ignore[operator]
            return stitcher.manifest["digests"][self.name]
        out = self.out if self.out is not None else self._open(stitcher.next)
        out.write(self.tail)
        out.flush()
        self._hash()
        if self.syncing is not None:
            self.syncing.result()
        os.fdatasync(out.fileno())
        return self.digest.hexdigest()

    def _hash(self) -> None:
        """Hash what was written since the last call, read back while the kernel still holds it,
        and have the disk write it every SYNC_BYTES: the file is kept (a republish copies from
        it) and published, and both want it on disk; done as it grows, little is left to hash
        or write once the last shard is in."""
        out, reader = self.out, self.reader
        assert out is not None and reader is not None
        end = out.tell()
        reader.seek(self.hashed)
        while self.hashed < end:
            block = reader.read(min(HASH_BLOCK, end - self.hashed))
            if not block:
                raise OSError(f"{reader.name} ends before byte {end}")
            self.digest.update(block)
            self.hashed += len(block)
        if end - self.synced >= SYNC_BYTES and (self.syncing is None or self.syncing.done()):
            self.syncing = self.flusher.submit(os.fdatasync, out.fileno())  # beside the copies, not between them
            self.synced = end


HASH_BLOCK = 1 << 20
SYNC_BYTES = 128 << 20  # written between two syncs of a stitched file


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read into one reused buffer (a memory map would count the whole file
    in the process's resident memory), while another thread has the kernel write the file to
    disk. The file is kept (a republish copies from it) and published, and both want it on disk:
    done here, the writing overlaps the hashing, and the destination's own fsync finds nothing
    left to write (it took 0.8 s after a republish of a million items, with the disk idle while
    the file was hashed)."""
    with open(path, "rb") as stream:
        flush = threading.Thread(target=os.fdatasync, args=(stream.fileno(),))
        flush.start()
        try:
            return hashlib.file_digest(stream, "sha256").hexdigest()
        finally:
            flush.join()


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
