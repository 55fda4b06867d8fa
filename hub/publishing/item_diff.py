"""What changed between a channel's last two successful publications: items added, removed and
changed, counted, with the first few ids of each kind.

Both publications' fingerprint files are sorted by item id, so the comparison is one streaming
merge: memory holds two lines and the samples, whatever the size of the feeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy.orm import Session

from hub.publishing import item_fingerprints
from hub.publishing.item_fingerprints import NotRecorded
from hub.store.models import Channel, Publication
from hub.store.publication_items import last_succeeded
from hub.store.repos import ProductRepo

SAMPLE = 50


@dataclass
class Kind:
    """One kind of difference: how many items, and the ids of the first ``SAMPLE`` in id order."""

    count: int = 0
    first: list[str] = field(default_factory=list)

    def add(self, key: str) -> None:
        self.count += 1
        if len(self.first) < SAMPLE:
            self.first.append(item_fingerprints.item_id(key))


@dataclass
class ItemDiff:
    added: Kind = field(default_factory=Kind)
    removed: Kind = field(default_factory=Kind)
    changed: Kind = field(default_factory=Kind)
    unchanged: int = 0


_END = ("\U0010ffff" * 2, "")  # sorts after every escaped id


def diff(older: Iterable[tuple[str, str]], newer: Iterable[tuple[str, str]]) -> ItemDiff:
    """Compare two sequences of (item id, fingerprint) sorted by id."""
    found = ItemDiff()
    old_lines: Iterator[tuple[str, str]] = iter(older)
    new_lines: Iterator[tuple[str, str]] = iter(newer)
    old, new = next(old_lines, _END), next(new_lines, _END)
    while old is not _END or new is not _END:
        if new is _END or (old is not _END and old[0] < new[0]):
            found.removed.add(old[0])
            old = next(old_lines, _END)
        elif old is _END or new[0] < old[0]:
            found.added.add(new[0])
            new = next(new_lines, _END)
        else:
            if old[1] == new[1]:
                found.unchanged += 1
            else:
                found.changed.add(new[0])
            old, new = next(old_lines, _END), next(new_lines, _END)
    return found


@dataclass
class Comparison:
    """The channel's last two successful publications and their diff, or why there is none."""

    older: Publication | None
    newer: Publication | None
    diff: ItemDiff | None = None
    reason: str | None = None
    products: set[str] = field(default_factory=set)  # the sampled ids that are SKUs of products


def compare_last_two(session: Session, data_dir: Path, channel: Channel) -> Comparison:
    """Diff the channel's two newest succeeded publications."""
    newest = list(last_succeeded(session, channel.id, 2))
    newer = newest[0] if newest else None
    older = newest[1] if len(newest) > 1 else None
    if older is None:
        have = "none" if newer is None else "one"
        return Comparison(older, newer, reason=f"A diff needs two successful publications; {channel.code} has {have} so far.")
    try:
        found = diff(item_fingerprints.read(data_dir, older.id), item_fingerprints.read(data_dir, newer.id))  # type: ignore[union-attr]
    except NotRecorded as exc:
        return Comparison(older, newer, reason=f"Cannot compare: {exc} (it was made before item records were kept, "
                                                 "or its record was removed). Publish again to compare from now on.")
    sampled = [*found.added.first, *found.removed.first, *found.changed.first]
    return Comparison(older, newer, found, products=set(ProductRepo(session).by_skus(sampled)))
