"""What a channel's last good publication leaves for the next one, under
``<data dir>/parts/<channel id>/current``: its stitched files; per shard an index (a line per
item: its key, its byte lengths in each file, its findings, its fingerprint line), its numbers
(per item, binary: its product id, whether it is excluded, whether it warns, its byte length
in each file), its item keys (a line per item), a summary (its counts of items, exclusions,
warnings and findings, and its next sale moment) and its sorted fingerprint lines; and a manifest (the channel key, where each shard lies in each file, and
the document-change horizon the shards were read after). A republish copies the ranges of the
items whose key did not change straight from the kept files, by a ``Recipe`` per shard, and
builds each changed shard's index from the kept one without decoding the kept items
(``ShardIndex``).
"""

from __future__ import annotations

import os
import shutil
from array import array
from collections import Counter
from bisect import insort
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson

INDEX_SUFFIX, NUMBERS_SUFFIX, KEYS_SUFFIX, SUMMARY_SUFFIX, RUN_SUFFIX, RECIPE_SUFFIX = (
    ".idx", ".num", ".keys", ".sum", ".fingerprints", ".recipe")
KEPT, NEW = 0, 1  # where a range of a shard's bytes comes from: the kept file, or the shard's own part
FORMAT = 3  # how shard indexes are written: kept parts of another format are not reused (every item is rendered)
NUMBERS = 3  # numbers per item before its lengths: product id, excluded, warns

# One index entry: [product id, key, excluded, warns, fingerprint line, diagnostics, lengths per file]
Entry = list[Any]


class KeptShard:
    """A shard of the last good publication: its summary, its size in each kept file, and on
    demand its index."""

    def __init__(self, folder: Path, stem: str, sizes: dict[str, int]) -> None:
        self.folder, self.stem, self.sizes = folder, stem, sizes
        self.summary = orjson.loads(self.file(SUMMARY_SUFFIX).read_bytes())
        self.loaded = False

    def load(self) -> None:
        """Read the index as it lies: its numbers, where each product's item is, where each item
        starts in the shard's range of each file (running sums, so a stretch of unchanged items
        is one range however long), its item keys and its lines, decoded only for the items that
        change (``entry``, ``has``). Only a shard that changed needs it; at a million products a
        shard holds 5,000 items, and decoding and encoding them all took most of a 1 % republish."""
        if self.loaded:
            return
        self.width = NUMBERS + len(self.sizes)
        self.numbers = array("q")
        self.numbers.frombytes(self.file(NUMBERS_SUFFIX).read_bytes())
        self.pids = self.numbers[0::self.width].tolist()
        self.where = dict(zip(self.pids, range(len(self.pids))))
        self.starts = [list(accumulate(self.numbers[NUMBERS + index::self.width], initial=0))
                       for index in range(len(self.sizes))]
        self.keys = self.file(KEYS_SUFFIX).read_bytes().splitlines(keepends=True)
        self.lines = self.file(INDEX_SUFFIX).read_bytes().splitlines(keepends=True)
        self.loaded = True

    def pairs(self) -> list[tuple[int, str]]:
        """(product id, item key) of every item, in order."""
        self.load()
        return [(pid, key[:-1].decode()) for pid, key in zip(self.pids, self.keys)]

    def entry(self, at: int) -> Entry:
        return orjson.loads(self.lines[at])

    def has(self, product_id: int, key: str) -> bool:
        at = self.where.get(product_id)
        return at is not None and self.keys[at][:-1].decode() == key

    def span(self, first: int, end: int) -> tuple[list[int], list[int]]:
        """Where entries ``first`` to ``end`` (excluded) start in each file, and their length."""
        return [starts[first] for starts in self.starts], [starts[end] - starts[first] for starts in self.starts]

    def file(self, suffix: str) -> Path:
        return self.folder / f"{self.stem}{suffix}"


class ShardIndex:
    """A shard's index while it is built: stretches of the kept shard's index go over as they
    were read (lines, keys and numbers, nothing decoded), and only the items rendered now are
    encoded. Its finding counts and fingerprint lines are the kept ones less those of the kept
    items that did not go over, plus those of the new ones. So a shard with a few changes costs
    about its changes rather than its size."""

    def __init__(self, files: int, kept: KeptShard | None) -> None:
        self.width, self.kept = NUMBERS + files, kept
        self.lines: list[bytes] = []
        self.keys: list[bytes] = []
        self.numbers = array("q")
        self.fresh: list[Entry] = []  # the entries of the items rendered now
        self.carried = bytearray(len(kept.lines) if kept is not None else 0)  # which kept entries went over (kept loaded)

    def keep(self, first: int, end: int) -> None:
        """Kept entries ``first`` to ``end`` (excluded) go over."""
        kept, width = self.kept, self.width
        assert kept is not None
        self.lines.extend(kept.lines[first:end])
        self.keys.extend(kept.keys[first:end])
        self.numbers.extend(kept.numbers[first * width:end * width])
        self.carried[first:end] = b"\x01" * (end - first)

    def add(self, entry: Entry) -> None:
        """An item rendered now."""
        self.fresh.append(entry)
        self.lines.append(orjson.dumps(entry) + b"\n")
        self.keys.append(f"{entry[1]}\n".encode())
        self.numbers.extend((entry[0], entry[2], entry[3], *entry[6]))

    def pids(self) -> list[int]:
        return self.numbers[0::self.width].tolist()

    def write(self, folder: Path, stem: str, upcoming: str | None) -> dict[str, Any]:
        """Write the index, its numbers, its keys, its summary and its sorted fingerprint
        lines; answers the summary."""
        dropped = [self.kept.entry(at) for at, went in enumerate(self.carried) if not went] if self.kept is not None else []
        counts = Counter(self.kept.summary["counts"]) if self.kept is not None else Counter()
        counts.subtract(finding_counts(dropped))
        counts.update(finding_counts(self.fresh))
        summary = {"items": len(self.keys), "excluded": sum(self.numbers[1::self.width]),
                   "warnings": sum(self.numbers[2::self.width]), "counts": {k: n for k, n in counts.items() if n > 0},
                   "next": upcoming}
        (folder / f"{stem}{INDEX_SUFFIX}").write_bytes(b"".join(self.lines))
        (folder / f"{stem}{NUMBERS_SUFFIX}").write_bytes(self.numbers.tobytes())
        (folder / f"{stem}{KEYS_SUFFIX}").write_bytes(b"".join(self.keys))
        (folder / f"{stem}{SUMMARY_SUFFIX}").write_bytes(orjson.dumps(summary))
        (folder / f"{stem}{RUN_SUFFIX}").write_bytes(b"".join(self._run(dropped)))
        return summary

    def _run(self, dropped: list[Entry]) -> list[bytes]:
        """The sorted fingerprint lines: the kept shard's, less the dropped items', with the new
        ones' put in place. Sorted as text (UTF-8 bytes sort as their code points do)."""
        fresh = [entry[4].encode() for entry in self.fresh if entry[4]]
        if self.kept is None:
            return sorted(fresh)
        gone = {entry[4].encode() for entry in dropped if entry[4]}  # an item's line starts with its unique id
        lines = [line for line in self.kept.file(RUN_SUFFIX).read_bytes().splitlines(keepends=True) if line not in gone]
        for line in fresh:
            insort(lines, line)
        return lines


def finding_counts(entries: list[Entry]) -> Counter[str]:
    """How many of these items have a finding of each severity and code ("severity code"): a
    publication's counts are its shards' added up, kept with the shard like its keys."""
    counts: Counter[str] = Counter()
    for entry in entries:
        if entry[5]:
            counts.update({f"{severity} {code}" for severity, code, *_ in entry[5]})
    return counts


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
        if (manifest is None or manifest.get("channel_key") != channel_key or manifest.get("files") != names
                or manifest.get("format") != FORMAT):
            return None
        if not all((self.current / f"{STITCHED}{name}").is_file() for name in names):
            return None  # a kept file went missing: render every item
        return self.current, manifest["publication"]

    def keep(self, folder: Path, stitched: Path, channel_key: str, names: list[str], publication_id: int,
             positions: dict[str, dict[str, list[int]]], horizon: str, upcoming: dict[str, str | None],
             digests: dict[str, str]) -> None:
        """Make ``folder`` (a succeeded publication's shard indexes) with the files stitched in
        ``stitched`` the kept parts; each shard's own part is in the stitched files now.
        ``horizon``: the document changes the shards had seen (``hub.store.document_changes``);
        ``upcoming``: each shard's next sale moment, when its keys change with no write;
        ``digests``: each file's SHA-256, which a republish that changed nothing reuses."""
        for name in names:
            link_or_copy(stitched / name, folder / f"{STITCHED}{name}")
        for path in folder.iterdir():
            if path.suffix == RECIPE_SUFFIX or (path.name.startswith("shard-") and path.name.split(".", 1)[1] in names):
                path.unlink()
        (folder / "manifest.json").write_bytes(orjson.dumps({"format": FORMAT, "channel_key": channel_key, "files": names,
                                                             "publication": publication_id, "shards": positions,
                                                             "horizon": horizon, "next": upcoming, "digests": digests}))
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
