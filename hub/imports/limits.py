"""How much an import file may make us read: the bounds that keep a hostile file from exhausting
memory, disk or time. Jobs use the defaults; tests pass smaller ones."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadLimits:
    # XLSX is a zip: these are checked on its directory before anything is decompressed.
    max_uncompressed: int = 1 << 30  # bytes, all entries together
    max_ratio: int = 200  # uncompressed / compressed, per entry; real sheets stay well under 100
    max_entries: int = 10_000
    # Read limits, whatever the format.
    max_rows: int = 1_048_576  # the most a spreadsheet holds
    max_columns: int = 16_384
    max_cells: int = 50_000_000
    max_record_bytes: int = 16 << 20  # one JSON record or one XML row
