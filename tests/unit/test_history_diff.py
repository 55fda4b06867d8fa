"""Field-level differences between two states of a product, as history records them."""

from __future__ import annotations

from typing import Any

from hub.services.history import diff


def state(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sku": "juice", "family": "drinks", "parent": None, "enabled": True, "categories": ["grocery"],
        "values": {"name": [{"locale": "en_US", "scope": None, "data": "Orange juice"},
                            {"locale": "fr_FR", "scope": None, "data": "Jus d'orange"}],
                   "description": [{"locale": "en_US", "scope": "web", "data": "Fresh"}],
                   "brand": [{"locale": None, "scope": None, "data": "Acme"}]},
        "offers": [{"currency": "EUR", "price": "2.50", "channel": None, "sale_price": None, "sale_start": None,
                    "sale_end": None}],
        "media": [],
    }
    return {**base, **changes}


def fields(changes: list[dict[str, Any]]) -> dict[str, tuple[Any, Any]]:
    return {c["field"]: (c["old"], c["new"]) for c in changes}


def test_the_same_state_has_no_changes() -> None:
    assert diff(state(), state()) == []


def test_a_new_record_lists_every_field_from_nothing() -> None:
    changes = fields(diff(None, state()))
    assert changes["sku"] == (None, "juice")
    assert changes["values.name-en_US"] == (None, "Orange juice")
    assert changes["values.name-fr_FR"] == (None, "Jus d'orange")
    assert changes["values.description-en_US-web"] == (None, "Fresh")
    assert changes["values.brand"] == (None, "Acme")
    assert changes["offers.EUR"][0] is None and changes["offers.EUR"][1]["price"] == "2.50"
    assert "values" not in changes and "offers" not in changes


def test_only_the_changed_locale_is_listed() -> None:
    new = state(values={**state()["values"], "name": [{"locale": "en_US", "scope": None, "data": "Orange juice"},
                                                      {"locale": "fr_FR", "scope": None, "data": "Jus"}]})
    assert diff(state(), new) == [{"field": "values.name-fr_FR", "old": "Jus d'orange", "new": "Jus"}]


def test_a_removed_value_changes_to_none() -> None:
    values = {k: v for k, v in state()["values"].items() if k != "brand"}
    assert diff(state(), state(values=values)) == [{"field": "values.brand", "old": "Acme", "new": None}]


def test_offers_are_named_by_currency_and_channel() -> None:
    web = {"currency": "EUR", "price": "2.00", "channel": "web", "sale_price": None, "sale_start": None, "sale_end": None}
    changes = fields(diff(state(), state(offers=[*state()["offers"], web])))
    assert list(changes) == ["offers.EUR-web"]
    assert changes["offers.EUR-web"] == (None, web)


def test_changes_are_sorted_by_field_and_plain_fields_compare_whole() -> None:
    changes = diff(state(), state(enabled=False, categories=["grocery", "drinks"]))
    assert changes == [
        {"field": "categories", "old": ["grocery"], "new": ["grocery", "drinks"]},
        {"field": "enabled", "old": True, "new": False},
    ]
