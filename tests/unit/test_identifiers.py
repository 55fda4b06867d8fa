"""GS1 check digits and GTIN validation."""

from __future__ import annotations

import pytest

from channel_adapters.base.identifiers import gs1_check_digit, gtin_problem, is_valid_gtin

# Published examples: EAN-13 (Wikipedia's 4006381333931), UPC-A, EAN-8 and GS1's GTIN-14 example.
VALID = ["4006381333931", "036000291452", "96385074", "10614141000415", "00012345600012", "5901234123457"]


@pytest.mark.parametrize("gtin", VALID)
def test_published_gtins_are_valid(gtin: str) -> None:
    assert gtin_problem(gtin) is None
    assert is_valid_gtin(gtin)


@pytest.mark.parametrize("gtin", VALID)
def test_the_check_digit_completes_the_body(gtin: str) -> None:
    assert gs1_check_digit(gtin[:-1]) == int(gtin[-1])


@pytest.mark.parametrize("body, digit", [("400638133393", 1), ("03600029145", 2), ("9638507", 4), ("000000000000", 0)])
def test_check_digits_by_hand(body: str, digit: int) -> None:
    assert gs1_check_digit(body) == digit


@pytest.mark.parametrize("gtin", VALID)
def test_every_other_last_digit_is_refused_with_the_expected_one(gtin: str) -> None:
    for wrong in "0123456789".replace(gtin[-1], ""):
        problem = gtin_problem(gtin[:-1] + wrong)
        assert problem == f"bad GTIN check digit: {wrong}, expected {gtin[-1]}"
        assert not is_valid_gtin(gtin[:-1] + wrong)


def test_a_swap_of_two_neighbouring_digits_is_caught() -> None:
    assert not is_valid_gtin("4006381339331")


@pytest.mark.parametrize("value", ["", "1234567", "12345678901", "123456789012345", "4" * 20])
def test_lengths_other_than_8_12_13_14_are_refused(value: str) -> None:
    problem = gtin_problem(value)
    assert problem is not None
    assert "8, 12, 13 or 14" in problem or "digits only" in problem


@pytest.mark.parametrize("value", ["40063813339A1", "4006381333931 ", "-400638133393", "4006381333.93", "４００６３８１３３３９３１"])
def test_anything_but_ascii_digits_is_refused(value: str) -> None:
    assert gtin_problem(value) == "a GTIN has digits only"
