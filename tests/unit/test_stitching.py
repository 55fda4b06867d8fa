"""Stitching shards into a publication's files while they render: the bytes, their hash and
where each shard lies, whatever order the shards finish in; and a copy that fails fails the
publication even when it is the last one in."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest

from hub.publishing.kept_parts import NEW, RECIPE_SUFFIX
from hub.publishing.stitching import Stitcher

HEAD, TAIL = {"a.txt": b"<head>"}, {"a.txt": b"<tail>"}


def shard(folder: Path, stem: str, data: bytes, claimed: int | None = None) -> None:
    """A rendered shard: its part and its recipe (claiming ``claimed`` bytes of its part)."""
    (folder / f"{stem}.a.txt").write_bytes(data)
    length = len(data) if claimed is None else claimed
    (folder / f"{stem}{RECIPE_SUFFIX}").write_bytes(orjson.dumps({"a.txt": [[NEW, 0, length]] if length else []}))


def test_shards_finishing_out_of_order_are_stitched_in_key_order(tmp_path: Path) -> None:
    work, target = tmp_path / "work", tmp_path / "out"
    work.mkdir(), target.mkdir()
    parts = {"shard-000000": b"zero ", "shard-000001": b"", "shard-000002": b"two " * 100_000}
    for stem, data in parts.items():
        shard(work, stem, data)
    stitcher = Stitcher(work, list(parts), HEAD, TAIL, target, kept=None)
    try:
        for stem in ("shard-000002", "shard-000000", "shard-000001"):
            stitcher.add(stem)
        digests, positions = stitcher.finish()
    finally:
        stitcher.close()
    expected = b"<head>" + b"".join(parts.values()) + b"<tail>"
    assert (target / "a.txt").read_bytes() == expected
    assert digests == {"a.txt": hashlib.sha256(expected).hexdigest()}
    assert positions["shard-000002"]["a.txt"] == [6 + 5, len(parts["shard-000002"])]


def test_a_copy_that_fails_in_the_last_shard_fails_the_stitch(tmp_path: Path) -> None:
    work, target = tmp_path / "work", tmp_path / "out"
    work.mkdir(), target.mkdir()
    shard(work, "shard-000000", b"zero ")
    shard(work, "shard-000001", b"one", claimed=10)  # its recipe claims more bytes than its part holds
    stitcher = Stitcher(work, ["shard-000000", "shard-000001"], HEAD, TAIL, target, kept=None)
    try:
        stitcher.add("shard-000000")
        stitcher.add("shard-000001")
        with pytest.raises(OSError, match="ends before byte"):
            stitcher.finish()
    finally:
        stitcher.close()


def test_a_shard_that_never_finished_fails_the_stitch(tmp_path: Path) -> None:
    work, target = tmp_path / "work", tmp_path / "out"
    work.mkdir(), target.mkdir()
    shard(work, "shard-000000", b"zero ")
    stitcher = Stitcher(work, ["shard-000000", "shard-000001"], HEAD, TAIL, target, kept=None)
    try:
        stitcher.add("shard-000000")
        with pytest.raises(RuntimeError, match="shard-000001 was not rendered"):
            stitcher.finish()
    finally:
        stitcher.close()
