"""Stitching a sharded publication's files: each file's head, every shard's bytes by its
recipe in key order (ranges of the kept file and of the shard's own part), its tail. Ranges
are copied by the kernel, and each file is hashed as it is finished.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, nullcontext
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


def stitch(folder: Path, stems: list[str], head: dict[str, bytes], tail: dict[str, bytes], target: Path,
           kept: Path | None) -> tuple[dict[str, str], dict[str, dict[str, list[int]]]]:
    """Each file: its head, every shard's bytes by its recipe in key order, its tail. Answers
    each file's SHA-256 and where each shard now lies in each file ([start, length]). Ranges are
    copied by the kernel: the bytes of a million-item feed are read once more, to hash them.
    Each file is stitched and hashed in a thread of its own: the copies and the hashing release
    the interpreter's lock, so a feed's XML and TSV take the time of the larger one."""
    manifest = (read_manifest(kept) or {}) if kept is not None else {}
    kept_positions = manifest.get("shards", {})
    recipes = {stem: orjson.loads((folder / f"{stem}{RECIPE_SUFFIX}").read_bytes()) for stem in stems}
    positions: dict[str, dict[str, list[int]]] = {stem: {} for stem in recipes}

    def as_kept(name: str) -> bool:
        """Every shard is its kept range whole, in the kept order: the file is the kept one."""
        return name in manifest.get("digests", {}) and list(recipes) == list(kept_positions) and all(
            recipe[name] == ([[KEPT, 0, kept_positions[stem][name][1]]] if kept_positions[stem][name][1] else [])
            for stem, recipe in recipes.items())

    def one(name: str) -> str:
        if as_kept(name):  # nothing changed: the same bytes, linked, and their known hash
            link_or_copy(kept / f"{STITCHED}{name}", target / name)  # type: ignore[operator]
            for stem in recipes:
                positions[stem][name] = kept_positions[stem][name]
            return manifest["digests"][name]
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
