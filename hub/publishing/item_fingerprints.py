"""Item fingerprints: per publication, one short line per published item, sorted by item id.

A line is ``<item id>\\t<hash of the item's rendered fields>``. Two publications' files are
enough to tell which items were added, removed or changed between them without keeping either
feed, and because both are sorted the comparison is a streaming merge (``item_diff``).

Records live in ``<data dir>/publications/<publication id>.items``: a folder of a header and
runs of lines each sorted on disk, of bounded size (a sharded publication's are its shards'),
merged as they are read, so memory stays flat however many items a channel carries and a
publication spends no pass over its lines to record them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import json
import os
import shutil
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, TextIO
from urllib.parse import unquote

import orjson

from hub.publishing.kept_parts import link_or_copy

HEADER = "# crosscanal item fingerprints v1"
HEADER_FILE, RUN = "header", "run-"  # in a record's folder: its header, and its sorted runs
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
    """Collects an item's fingerprint line as it renders; ``finish`` records the sorted runs.

    Lines go into sorted runs of ``run_lines`` in ``work`` (a private temporary folder): at most
    one run is ever in memory.
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
        """Make the sorted runs the publication's record ``target``, atomically (a reader sees
        all of it or none): a folder of a header and the runs, merged as they are read. So
        finishing costs no pass over a million lines; a diff, the one reader, merges them.
        Raises OSError."""
        if self.buffer:
            self._spill()
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        try:
            for number, run in enumerate(self.runs):
                link_or_copy(run, partial / f"{RUN}{number:06d}")
            (partial / HEADER_FILE).write_text(f"{HEADER} publication={publication_id} channel={channel} items={self.count}\n",
                                               encoding="utf-8")
            _remove(target)
            os.replace(partial, target)
        finally:
            shutil.rmtree(partial, ignore_errors=True)


class NotRecorded(Exception):
    """A publication has no item fingerprints (made before they were kept, or pruned)."""


def read(data_dir: Path, publication_id: int) -> Iterator[tuple[str, str]]:
    """The (escaped item id, fingerprint) pairs of a publication, in that order; raises NotRecorded
    at once when there is no record, or it is not this publication's."""
    path = path_for(data_dir, publication_id)
    try:
        if path.is_dir():  # a header and sorted runs
            header, runs = (path / HEADER_FILE).read_text(encoding="utf-8"), sorted(path.glob(f"{RUN}*"))
            stream = None
        else:  # one sorted file, as records were written before
            stream = open(path, encoding="utf-8")
            header = stream.readline()
    except FileNotFoundError:
        raise NotRecorded(f"publication {publication_id} has no item record") from None
    if not header.startswith(f"{HEADER} publication={publication_id} "):
        if stream is not None:
            stream.close()
        raise NotRecorded(f"the item record of publication {publication_id} belongs to another publication")
    return _lines(stream) if stream is not None else _merged(runs)


def _merged(runs: list[Path]) -> Iterator[tuple[str, str]]:
    with ExitStack() as opened:
        yield from _pairs(heapq.merge(*(opened.enter_context(open(run, encoding="utf-8")) for run in runs)))


def _lines(stream: TextIO) -> Iterator[tuple[str, str]]:
    with stream:
        yield from _pairs(stream)


def _pairs(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    for line in lines:
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
    """Remove a publication's record, if it has one."""
    _remove(path_for(data_dir, publication_id))


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
