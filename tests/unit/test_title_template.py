"""The title template as a view fills it: placeholders by the labels people read, literal text
(braces included) kept, no gap where a value is missing."""

from __future__ import annotations

from hub.services.brand_guide import placeholders, render_title

LABELS = {"brand": "Northwind", "name": "Crew {tee}", "color": "Navy", "size": "M"}


def test_placeholders_take_the_labels_and_literal_text_stays():
    assert render_title("{brand} {name} – {color}, {size}", LABELS) == "Northwind Crew {tee} – Navy, M"
    assert render_title("{{brand}} {0} {} {name}", LABELS) == "{Northwind} {} Crew {tee}"  # "0" is a name too
    assert placeholders("{{brand}} {0} {} {name}") == ["brand", "0", "name"]


def test_a_missing_value_leaves_no_gap_and_no_space_before_a_mark():
    assert render_title("{brand} {missing} {name} , {size} .", LABELS) == "Northwind Crew {tee}, M."
    assert render_title("{missing}", LABELS) is None
    assert render_title("", LABELS) is None and placeholders("") == []
