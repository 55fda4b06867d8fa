"""JSON merge patch (RFC 7396), and values merged per (attribute, locale, scope)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from hub.web.merge_patch import merge_patch, merge_values

# RFC 7396, appendix A.
RFC_EXAMPLES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize("target, patch, result", RFC_EXAMPLES)
def test_the_rfc_examples(target: Any, patch: Any, result: Any) -> None:
    assert merge_patch(target, patch) == result


def test_the_target_is_not_changed_in_place() -> None:
    target = {"a": {"b": 1}, "values": {"name": [{"locale": "en_US", "scope": None, "data": "x"}]}}
    kept = copy.deepcopy(target)
    merge_patch(target, {"a": {"b": 2}, "values": {"name": [{"locale": "en_US", "scope": None, "data": "y"}]}})
    assert target == kept


def entry(data: Any, locale: str | None = None, scope: str | None = None) -> dict[str, Any]:
    return {"locale": locale, "scope": scope, "data": data}


def test_a_value_replaces_only_the_one_with_its_locale_and_scope() -> None:
    current = {"name": [entry("Tee", "en_US"), entry("T-shirt", "fr_FR")], "brand": [entry("Acme")]}
    merged = merge_patch({"sku": "x", "values": current}, {"values": {"name": [entry("Tee-shirt", "fr_FR")]}})
    assert merged["values"] == {"name": [entry("Tee", "en_US"), entry("Tee-shirt", "fr_FR")], "brand": [entry("Acme")]}


def test_scope_is_part_of_the_key() -> None:
    current = {"description": [entry("a", "en_US", "web"), entry("b", "en_US", "store")]}
    merged = merge_values(current, {"description": [entry("c", "en_US", "web")]})
    assert merged == {"description": [entry("b", "en_US", "store"), entry("c", "en_US", "web")]}


def test_a_missing_locale_or_scope_key_counts_as_null() -> None:
    merged = merge_values({"brand": [entry("Acme")]}, {"brand": [{"data": "Zest"}]})
    assert merged == {"brand": [{"data": "Zest"}]}


def test_null_removes_the_attribute_and_null_data_is_kept_for_the_service_to_drop() -> None:
    current = {"name": [entry("Tee", "en_US"), entry("T-shirt", "fr_FR")], "brand": [entry("Acme")]}
    assert merge_values(current, {"brand": None}) == {"name": current["name"]}
    assert merge_values(current, {"name": [entry(None, "fr_FR")]})["name"] == [entry("Tee", "en_US"), entry(None, "fr_FR")]


def test_new_attributes_are_added() -> None:
    assert merge_values({}, {"ean": [entry("4006381333931")]}) == {"ean": [entry("4006381333931")]}


def test_malformed_entries_pass_through_for_the_schema_to_report() -> None:
    assert merge_values({"name": [entry("Tee", "en_US")]}, {"name": "Tee"}) == {"name": "Tee"}
    assert merge_values({}, {"name": ["Tee"]}) == {"name": ["Tee"]}


def test_values_merge_only_at_the_top_level_of_a_patch() -> None:
    merged = merge_patch({"mapping": {"values": {"a": 1}}}, {"mapping": {"values": {"b": 2}}})
    assert merged == {"mapping": {"values": {"a": 1, "b": 2}}}
