"""Keys a file names once: the first row holds a key, later rows learn its number; a batch's
claims count only once the batch is kept."""

from __future__ import annotations

from hub.imports.file_keys import BatchKeys, FileKeys, RowTable, gtins


def test_a_later_row_learns_the_first_rows_number_across_kept_batches() -> None:
    kept = FileKeys()
    first = BatchKeys(kept)
    assert first.claim("sku", "juice", 2) is None
    assert first.claim("sku", "juice", 3) == 2
    assert first.claim("sku", "juice", 2) is None  # the row itself, again (a batch saved row by row)
    kept.take(first)
    later = BatchKeys(kept)
    assert later.claim("sku", "juice", 40_002) == 2
    assert later.claim("gtin", "juice", 40_003) is None  # a GTIN and a SKU are different keys


def test_a_batch_tried_again_starts_from_the_kept_batches_and_a_refused_row_frees_its_gtin() -> None:
    kept = FileKeys()
    tried = BatchKeys(kept)
    assert tried.claim("sku", "cola", 5) is None
    again = BatchKeys(kept)  # the first try was not kept
    assert again.claim("sku", "cola", 5) is None
    assert again.claim("gtin", "03760000000994", 5) is None
    again.release("gtin", "03760000000994", 5)
    assert again.claim("gtin", "03760000000994", 6) is None


def test_gtins_are_read_from_the_gtin_attributes_as_fourteen_digits() -> None:
    values = {"ean": [{"locale": None, "scope": None, "data": " 3760000000994 "}], "mpn": [{"data": "X1"}],
              "gtin_box": [{"locale": None, "scope": "web", "data": "12345670"}], "empty": []}
    assert gtins(values, ["ean", "gtin_box", "empty"]) == [("ean", "03760000000994"), ("gtin_box", "00000012345670")]


def test_the_row_table_keeps_every_key_through_collisions_and_growth() -> None:
    table = RowTable(4)
    keys = [n << 40 | 3 for n in range(1, 200)] + [2**64 - 1, 1]  # the same low bits: one probe chain
    for row, key in enumerate(keys, start=2):
        table.put(key, row)
    assert table.count == len(keys) and len(table.hashes) >= 2 * len(keys)
    assert [table.get(key) for key in keys] == list(range(2, len(keys) + 2))
    assert table.get(500 << 40 | 3) is None and table.get(7) is None
    table.put(keys[0], 99)  # a key put again keeps one slot
    assert table.get(keys[0]) == 99 and table.count == len(keys)
