"""Item fingerprints: per publication, one short line per published item, sorted by item id.

A line is ``<item id>\\t<hash of the item's rendered fields>``. Two publications' files are
enough to tell which items were added, removed or changed between them without keeping either
feed, and because both are sorted the comparison is a streaming merge (``item_diff``).

Files live in ``<data dir>/publications/<publication id>.items``. Lines are sorted on disk in
runs of bounded size and merged, so memory stays flat however many items a channel carries.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import json
import os
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Iterator, Mapping, TextIO
from urllib.parse import unquote

import orjson

HEADER = "# crosscanal item fingerprints v1"
RUN_LINES = 20_000  # lines held in memory before a sorted run goes to disk
SUFFIX = ".items"
# Item ids are SKUs (no whitespace), but a third-party adapter's ids are escaped so that a line
# stays one line and the tab sorts below every character of an id: then lines sort as (id, hash).
_ESCAPED = {chr(code) for code in range(0x20)} | {"%"}


def folder(data_dir: Path) -> Path:
    return data_dir / "publications"


def path_for(data_dir: Path, publication_id: int) -> Path:
    return folder(data_dir) / f"{publication_id}{SUFFIX}"


def fingerprint(fields: Mapping[str, Any]) -> str:
    """A short hash of an item's rendered fields: equal exactly when the channel would get the same item."""
    try:  # orjson writes the same bytes as the json module below, six times faster
        canonical = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS, default=_plain)
    except TypeError:  # what orjson cannot write (an integer beyond 64 bits)
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=_plain, ensure_ascii=False).encode()
    return hashlib.blake2b(canonical, digest_size=10).hexdigest()


def _plain(value: Any) -> Any:
    """JSON for what adapters put in fields beyond JSON's types (decimals, times, small dataclasses)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    return str(value)


def line(key: str, fields: Mapping[str, Any]) -> str:
    """An item's line in the file: its escaped id, a tab, its fingerprint."""
    return f"{_escape(key)}\t{fingerprint(fields)}\n"


def _escape(key: str) -> str:
    if not any(char in _ESCAPED for char in key):
        return key
    return "".join(f"%{ord(char):02X}" if char in _ESCAPED else char for char in key)


def item_id(key: str) -> str:
    """The item's id as the adapter gave it, from the (escaped) key of a line."""
    return unquote(key) if "%" in key else key


class FingerprintRecorder:
    """Collects an item's fingerprint line as it renders; ``finish`` writes the sorted file.

    Lines go into sorted runs of ``run_lines`` in ``work`` (a private temporary folder), which
    ``finish`` merges: at most one run is ever in memory.
    """

    def __init__(self, work: Path, run_lines: int = RUN_LINES) -> None:
        self.work = work
        self.run_lines = run_lines
        self.buffer: list[str] = []
        self.runs: list[Path] = []
        self.count = 0

    def add(self, key: str, fields: Mapping[str, Any]) -> None:
        self.buffer.append(line(key, fields))
        self.count += 1
        if len(self.buffer) >= self.run_lines:
            self._spill()

    def add_run(self, run: Path, lines: int) -> None:
        """A file of ``lines`` ``line``s already sorted (a shard's), merged in by ``finish``."""
        self.runs.append(run)
        self.count += lines

    def _spill(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        run = self.work / f"run-{len(self.runs)}"
        self.buffer.sort()
        with open(run, "w", encoding="utf-8") as out:
            out.writelines(self.buffer)
        self.runs.append(run)
        self.buffer = []

    def finish(self, target: Path, publication_id: int, channel: str) -> None:
        """Write the sorted file to ``target`` atomically (a reader sees the whole file or none);
        raises OSError."""
        self.buffer.sort()
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            with open(partial, "w", encoding="utf-8") as out, ExitStack() as runs:
                out.write(f"{HEADER} publication={publication_id} channel={channel} items={self.count}\n")
                streams = [runs.enter_context(open(run, encoding="utf-8")) for run in self.runs]
                out.writelines(heapq.merge(*streams, self.buffer))
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        self.buffer = []


class NotRecorded(Exception):
    """A publication has no item fingerprints (made before they were kept, or pruned)."""


def read(data_dir: Path, publication_id: int) -> Iterator[tuple[str, str]]:
    """The (escaped item id, fingerprint) pairs of a publication, in that order; raises NotRecorded
    at once when there is no file, or it is not this publication's."""
    path = path_for(data_dir, publication_id)
    try:
        stream = open(path, encoding="utf-8")
    except FileNotFoundError:
        raise NotRecorded(f"publication {publication_id} has no item record") from None
    if not stream.readline().startswith(f"{HEADER} publication={publication_id} "):
        stream.close()
        raise NotRecorded(f"the item record of publication {publication_id} belongs to another publication")
    return _lines(stream)


def _lines(stream: TextIO) -> Iterator[tuple[str, str]]:
    with stream:
        for line in stream:
            key, _, digest = line.rstrip("\n").partition("\t")
            yield key, digest


def recorded(data_dir: Path) -> list[int]:
    """Ids of the publications that have a fingerprint file."""
    try:
        names = os.listdir(folder(data_dir))
    except FileNotFoundError:
        return []
    return [int(name.removesuffix(SUFFIX)) for name in names if name.endswith(SUFFIX) and name.removesuffix(SUFFIX).isdigit()]


def discard(data_dir: Path, publication_id: int) -> None:
    """Remove a publication's fingerprint file, if it has one."""
    path_for(data_dir, publication_id).unlink(missing_ok=True)
