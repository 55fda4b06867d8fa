"""A horizon read as PostgreSQL writes a snapshot: which change stamps it had seen."""

from __future__ import annotations

from hub.store.document_changes import Horizon


def test_a_snapshot_sees_what_committed_before_it_and_nothing_in_flight_or_later() -> None:
    seen = Horizon.parse("100:105:101,103")
    assert str(seen) == "100:105:101,103"
    assert not seen.unseen(42) and not seen.unseen(100) and not seen.unseen(102) and not seen.unseen(104)
    assert seen.unseen(101) and seen.unseen(103)  # in flight when it was taken: committed later, if at all
    assert seen.unseen(105) and seen.unseen(10**12)


def test_a_counter_horizon_sees_every_number_up_to_the_counter() -> None:
    seen = Horizon.parse("8:8:")  # SQLite: the counter stood at 7
    assert seen.in_flight == frozenset()
    assert not seen.unseen(7) and seen.unseen(8)
