"""Banned words are found as whole words in any case; the quick substring test in front of the
regular expression must never hide one."""

from __future__ import annotations

import itertools

import pytest

from hub.services.brand_guide import _banned_regex, banned_in
from hub.store.models import BrandGuide

WORDS = [["cheap"], ["best ever", "cheap"], ["Miracle"], ["ſale"], ["\u212aind"], ["naïve"]]
TEXTS = ["A cheap tee", "CHEAP", "cheaper by far", "not-cheap", "the Best Ever bar", "best  ever", "miracles",
         "a MIRACLE cure", "big SALE", "sale", "KIND words", "kind", "naïve art", "NAÏVE", "naive", "", "x" * 300 + " cheap"]


def guide(words: list[str]) -> BrandGuide:
    return BrandGuide(brand_names=[], banned_words=words, title_template="", required_image_roles=[])


@pytest.mark.parametrize(("words", "text"), list(itertools.product(WORDS, TEXTS)))
def test_banned_in_finds_what_the_whole_word_expression_finds(words: list[str], text: str) -> None:
    assert banned_in(text, guide(words)) == [w for w in words if _banned_regex(w).search(text)]


def test_whole_words_in_any_case_and_nothing_else() -> None:
    assert banned_in("The BEST EVER and cheap", guide(["best ever", "cheap", "free"])) == ["best ever", "cheap"]
    assert banned_in("cheapest", guide(["cheap"])) == []
    assert banned_in("big sale", guide(["ſale"])) == ["ſale"]  # the long s matches s, in the expression's terms
    assert banned_in("kind words", guide(["\u212aind"])) == ["\u212aind"]  # the Kelvin sign matches k
