"""Fingerprint files and their streaming diff at scale: sorted on disk in bounded runs, compared
with memory that does not grow with the number of items."""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

from hub.publishing import item_fingerprints
from hub.publishing.item_diff import SAMPLE, diff
from hub.publishing.item_fingerprints import FingerprintRecorder, fingerprint

ITEMS = 100_000


def record(data_dir: Path, publication_id: int, items: dict[str, dict[str, str]], run_lines: int) -> None:
    recorder = FingerprintRecorder(data_dir / f"work-{publication_id}", run_lines=run_lines)
    for key, fields in items.items():
        recorder.add(key, fields)
    recorder.finish(item_fingerprints.path_for(data_dir, publication_id), publication_id, "web")


def test_records_are_sorted_across_runs_and_ids_survive_escaping(tmp_path: Path) -> None:
    rng = random.Random(3)
    keys = [f"sku-{n:04d}" for n in range(1000)] + ["tab\there", "100%", "new\nline"]
    rng.shuffle(keys)
    record(tmp_path, 1, {key: {"title": key} for key in keys}, run_lines=7)
    lines = list(item_fingerprints.read(tmp_path, 1))
    assert [key for key, _ in lines] == sorted(key for key, _ in lines)
    assert sorted(item_fingerprints.item_id(key) for key, _ in lines) == sorted(keys)
    assert dict((item_fingerprints.item_id(k), h) for k, h in lines)["tab\there"] == fingerprint({"title": "tab\there"})


def test_the_diff_matches_a_naive_comparison(tmp_path: Path) -> None:
    rng = random.Random(5)
    before = {f"p{n}": {"price": str(n)} for n in rng.sample(range(5000), 3000)}
    after = {key: dict(fields) for key, fields in before.items() if rng.random() > 0.1}
    for key in rng.sample(sorted(after), 200):
        after[key]["price"] += "9"
    after.update({f"new{n}": {"price": "1"} for n in range(120)})
    record(tmp_path, 1, before, run_lines=500)
    record(tmp_path, 2, after, run_lines=500)

    found = diff(item_fingerprints.read(tmp_path, 1), item_fingerprints.read(tmp_path, 2))

    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    assert (found.added.count, found.removed.count, found.changed.count) == (len(added), len(removed), len(changed))
    assert found.unchanged == len(set(before) & set(after)) - len(changed)
    assert (found.added.first, found.removed.first, found.changed.first) == (added[:SAMPLE], removed[:SAMPLE], changed[:SAMPLE])


def test_recording_and_diffing_100000_items_keeps_memory_flat(tmp_path: Path) -> None:
    fields = {"title": "A product title of ordinary length", "price": "19.99 EUR", "link": "https://shop.example.com/p"}
    tracemalloc.start()
    try:
        for publication_id in (1, 2):
            recorder = FingerprintRecorder(tmp_path / f"work-{publication_id}", run_lines=10_000)
            for n in range(ITEMS):  # the second publication changes every 997th item's price
                changed = publication_id == 2 and n % 997 == 0
                recorder.add(f"sku-{(n * 7919) % ITEMS:06d}", {**fields, "price": "1.00 EUR"} if changed else fields)
            recorder.finish(item_fingerprints.path_for(tmp_path, publication_id), publication_id, "web")
        _, recording_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        found = diff(item_fingerprints.read(tmp_path, 1), item_fingerprints.read(tmp_path, 2))
        _, diff_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (found.changed.count, found.unchanged, found.added.count, found.removed.count) == (101, ITEMS - 101, 0, 0)
    # Whole feeds in dicts would take tens of MB; a run of 10,000 short lines takes about 1 MB.
    assert recording_peak < 4_000_000, recording_peak
    assert diff_peak < 500_000, diff_peak
