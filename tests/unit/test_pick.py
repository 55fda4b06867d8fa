"""Which value a channel sees: the precedence of DESIGN.md, checked on every small list."""

from __future__ import annotations

import itertools
from typing import Any

from hub.services.values import pick

LOCALES, SCOPES = (None, "en_US", "fr_FR"), (None, "web", "shop")
KINDS = [(locale, scope) for locale in LOCALES for scope in SCOPES]


def by_precedence(entries: list[dict[str, Any]], locale: str, channel: str) -> Any:
    """The rule as written: channel and locale, then locale, then channel, then global; the
    first entry of a kind wins."""
    for wanted in ((locale, channel), (locale, None), (None, channel), (None, None)):
        for entry in entries:
            if (entry["locale"], entry["scope"]) == wanted:
                return entry["data"]
    return None


def test_pick_follows_the_precedence_on_every_list_of_up_to_three_entries() -> None:
    checked = 0
    for size in range(4):
        for kinds in itertools.product(KINDS, repeat=size):
            entries = [{"locale": locale, "scope": scope, "data": f"{index}:{locale}/{scope}"}
                       for index, (locale, scope) in enumerate(kinds)]
            for locale, channel in (("en_US", "web"), ("fr_FR", "shop"), ("de_DE", "web")):
                assert pick(entries, locale, channel) == by_precedence(entries, locale, channel), entries
                checked += 1
    assert checked > 2000


def test_a_value_stored_once_is_picked_as_the_ranking_would() -> None:
    """pick takes a single entry without ranking: the answer must be the ranking's."""
    for locale_, scope in KINDS:
        entry = {"locale": locale_, "scope": scope, "data": "x"}
        for locale, channel in (("en_US", "web"), ("fr_FR", "shop"), ("de_DE", "web")):
            assert pick([entry], locale, channel) == by_precedence([entry], locale, channel), (entry, locale, channel)
