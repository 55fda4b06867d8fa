"""What a bulk edit does to one product's state: the change made, and the state it was given
left exactly as it was (the bulk path compares the two, and copies only as deep as a change
reaches)."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest

from hub.services.bulk_edit import apply

STATE: dict[str, Any] = {
    "sku": "cola", "family": "drinks", "parent": None, "enabled": True, "categories": ["drinks", "soda"],
    "values": {"name": [{"locale": "en_US", "scope": None, "data": "Cola"}, {"locale": "fr_FR", "scope": None, "data": "Coca"}],
               "tags": [{"locale": None, "scope": None, "data": ["fizzy"]}]},
    "offers": [{"currency": "EUR", "price": "1.20"}], "media": [],
}


@pytest.mark.parametrize(("action", "data", "expected"), [
    ({"action": "disable"}, None, lambda s: {**s, "enabled": False}),
    ({"action": "add_category", "category": "food"}, None, lambda s: {**s, "categories": ["drinks", "food", "soda"]}),
    ({"action": "remove_category", "category": "soda"}, None, lambda s: {**s, "categories": ["drinks"]}),
    ({"action": "set_value", "attribute": "name", "locale": "fr_FR"}, "Cola",
     lambda s: {**s, "values": {**s["values"], "name": [s["values"]["name"][0], {"locale": "fr_FR", "scope": None, "data": "Cola"}]}}),
    ({"action": "set_value", "attribute": "tags"}, None, lambda s: {**s, "values": {"name": s["values"]["name"]}}),
    ({"action": "set_value", "attribute": "brand"}, "Acme",
     lambda s: {**s, "values": {**s["values"], "brand": [{"locale": None, "scope": None, "data": "Acme"}]}}),
])
def test_the_change_is_made_and_the_given_state_is_left_as_it_was(action: dict[str, Any], data: Any, expected: Any) -> None:
    state = deepcopy(STATE)
    changed = apply(state, action, data)
    assert changed == expected(STATE)
    assert state == STATE
    changed["values"].setdefault("name", []).append({"locale": None, "scope": None, "data": "later"})
    changed["categories"].append("later")
    assert state == STATE  # what the caller does with the answer does not reach the state either
