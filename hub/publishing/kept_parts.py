"""What a channel's last good publication leaves for the next one, under
``<data dir>/parts/<channel id>/current``: its stitched files; per shard an index (per item:
its key, its byte lengths in each file, its findings, its fingerprint line), its keys with
their finding counts and next sale moment, and its sorted fingerprint lines; and a manifest
(the channel key, where each shard lies in each file, and the document-change horizon the
shards were read after). A republish copies the ranges of the items whose key did not change
straight from the kept files, by a ``Recipe`` per shard.
"""

from __future__ import annotations

import os
import shutil
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson

INDEX_SUFFIX, KEYS_SUFFIX, RUN_SUFFIX, RECIPE_SUFFIX = ".idx", ".keys", ".fingerprints", ".recipe"
KEPT, NEW = 0, 1  # where a range of a shard's bytes comes from: the kept file, or the shard's own part

# One index entry: [product id, key, excluded, warns, fingerprint line, diagnostics, lengths per file]
Entry = list[Any]


class KeptShard:
    """A shard of the last good publication: its keys, its size in each kept file, and on
    demand its index."""

    def __init__(self, folder: Path, stem: str, sizes: dict[str, int]) -> None:
        self.folder, self.stem, self.sizes = folder, stem, sizes
        self.summary = orjson.loads((folder / f"{self.stem}{KEYS_SUFFIX}").read_bytes())

    def keys(self) -> list[list[Any]]:
        return self.summary["keys"]

    def load(self) -> None:
        """Read the index: the entries in key order, where each product's entry is, and where
        each entry starts in the shard's range of each file (running sums, so a stretch of
        unchanged items is one range however long). Only a shard that changed needs it."""
        self.entries: list[Entry] = orjson.loads((self.folder / f"{self.stem}{INDEX_SUFFIX}").read_bytes())
        self.pids = [entry[0] for entry in self.entries]
        self.where = dict(zip(self.pids, range(len(self.pids))))
        self.starts = [list(accumulate((entry[6][index] for entry in self.entries), initial=0))
                       for index in range(len(self.sizes))]

    def has(self, product_id: int, key: str) -> bool:
        at = self.where.get(product_id)
        return at is not None and self.entries[at][1] == key

    def span(self, first: int, end: int) -> tuple[list[int], list[int]]:
        """Where entries ``first`` to ``end`` (excluded) start in each file, and their length."""
        return [starts[first] for starts in self.starts], [starts[end] - starts[first] for starts in self.starts]

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
        (folder / "manifest.json").write_bytes(orjson.dumps({"channel_key": channel_key, "files": names,
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
