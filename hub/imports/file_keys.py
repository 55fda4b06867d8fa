"""What a file may name once: each product's SKU (each model's code), and each GTIN.

A supplier file that lists a SKU twice is almost always a mistake (two versions of one line,
a merge gone wrong), and which row should win is not ours to guess; a GTIN on two products
names two things as one trade item, which a channel then refuses or merges. So, as Akeneo
does, the later row is refused and its report names the row that came first, however many
batches lie between them.

Keys are remembered as 64-bit hashes with the row they were first seen on (about 100 bytes a
key, not the text), so a million-row file costs about 100 MB here; two different keys sharing a
hash would refuse a row wrongly, about once in 10^13 million-row files. A batch's keys are kept
only when the batch is (``BatchKeys``): a batch saved again row by row, or a dry run's, sees
what the earlier batches held and nothing of its own first try.
"""

from __future__ import annotations

from typing import Any

GTIN_LENGTH = 14  # GTIN-8, -12 and -13 compared as the GTIN-14 they are, left-padded with zeros


class FileKeys:
    """The keys of the batches kept so far: hash of (what, value) -> the row it was first on."""

    def __init__(self) -> None:
        self.rows: dict[int, int] = {}

    def take(self, batch: BatchKeys) -> None:
        self.rows.update(batch.rows)


class BatchKeys:
    """One batch's claims over those of the batches before it."""

    def __init__(self, earlier: FileKeys | None = None) -> None:
        self.earlier = earlier.rows if earlier is not None else {}
        self.rows: dict[int, int] = {}

    def claim(self, what: str, value: str, row: int) -> int | None:
        """The row that named ``value`` first, when an earlier row did; else None, and ``row``
        holds it now."""
        key = hash((what, value))
        first = self.earlier.get(key) or self.rows.get(key)
        if first is not None and first != row:
            return first
        self.rows[key] = row
        return None

    def release(self, what: str, value: str, row: int) -> None:
        """``row`` was refused after it claimed ``value``: a later row may name it."""
        key = hash((what, value))
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
