"""What a file may name once: each product's SKU (each model's code), and each GTIN.

A supplier file that lists a SKU twice is almost always a mistake (two versions of one line,
a merge gone wrong), and which row should win is not ours to guess; a GTIN on two products
names two things as one trade item, which a channel then refuses or merges. So, as Akeneo
does, the later row is refused and its report names the row that came first, however many
batches lie between them.

Keys are remembered as 64-bit hashes with the row they were first seen on, in a table of two
flat arrays (``RowTable``: 12 bytes a slot, two to four slots a key, not the text; a million-row
file naming a SKU and a GTIN a row costs 50 to 100 MB here); two different keys sharing a
hash would refuse a row wrongly, about once in ten million million-row files. A batch's keys are
kept only when the batch is (``BatchKeys``): a batch saved again row by row, or a dry run's, sees
what the earlier batches held and nothing of its own first try.
"""

from __future__ import annotations

from array import array
from typing import Any

GTIN_LENGTH = 14  # GTIN-8, -12 and -13 compared as the GTIN-14 they are, left-padded with zeros
_HASH_BITS = (1 << 64) - 1


class RowTable:
    """Row numbers by 64-bit key hash: open addressing over an array of hashes and one of rows,
    kept at most half full (24 to 48 bytes a key). A dict of ints would take about 100."""

    def __init__(self, slots: int = 1 << 12) -> None:
        self._empty(slots)

    def _empty(self, slots: int) -> None:
        self.hashes, self.rows, self.count = array("Q", bytes(8 * slots)), array("I", bytes(4 * slots)), 0

    def get(self, key: int) -> int | None:
        hashes, mask = self.hashes, len(self.hashes) - 1
        at = key & mask
        while hashes[at]:
            if hashes[at] == key:
                return self.rows[at]
            at = (at + 1) & mask
        return None

    def put(self, key: int, row: int) -> None:
        if 2 * (self.count + 1) > len(self.hashes):
            self._grow()
        hashes, mask = self.hashes, len(self.hashes) - 1
        at = key & mask
        while hashes[at] and hashes[at] != key:
            at = (at + 1) & mask
        if not hashes[at]:
            self.count += 1
        hashes[at], self.rows[at] = key, row

    def items(self) -> list[tuple[int, int]]:
        return [(key, row) for key, row in zip(self.hashes, self.rows) if key]

    def _grow(self) -> None:
        held = self.items()
        self._empty(2 * len(self.hashes))
        for key, row in held:
            self.put(key, row)


def key_hash(what: str, value: str) -> int:
    """A value's 64-bit key, never 0 (an empty slot)."""
    return (hash((what, value)) & _HASH_BITS) or 1


class FileKeys:
    """The keys of the batches kept so far, with the row each was first on."""

    def __init__(self) -> None:
        self.rows = RowTable()

    def take(self, batch: BatchKeys) -> None:
        for key, row in batch.rows.items():
            self.rows.put(key, row)


class BatchKeys:
    """One batch's claims over those of the batches before it."""

    def __init__(self, earlier: FileKeys | None = None) -> None:
        self.earlier = earlier.rows if earlier is not None else RowTable(1)
        self.rows: dict[int, int] = {}

    def claim(self, what: str, value: str, row: int) -> int | None:
        """The row that named ``value`` first, when an earlier row did; else None, and ``row``
        holds it now."""
        key = key_hash(what, value)
        first = self.earlier.get(key) or self.rows.get(key)
        if first is not None and first != row:
            return first
        self.rows[key] = row
        return None

    def release(self, what: str, value: str, row: int) -> None:
        """``row`` was refused after it claimed ``value``: a later row may name it."""
        key = key_hash(what, value)
        if self.rows.get(key) == row:
            del self.rows[key]


def gtins(values: dict[str, Any], codes: list[str]) -> list[tuple[str, str]]:
    """(attribute, GTIN as 14 digits) for each value of these GTIN attributes in a product's values."""
    found = []
    for code in codes:
        for entry in values.get(code) or []:
            data = entry.get("data") if isinstance(entry, dict) else None
            if isinstance(data, str) and data.strip():
                found.append((code, data.strip().zfill(GTIN_LENGTH)))
    return found
