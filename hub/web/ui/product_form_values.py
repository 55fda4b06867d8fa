"""How each attribute type appears in the product form: which input, its choices, and the
conversion between a stored value's ``data`` and what the inputs hold.

The conversions only reshape: the submitted texts go into the API's body shape unchanged (a
number stays the exact decimal string typed), so ``ProductIn`` and the catalog services judge
them exactly as they judge an API client's body. Nothing here decides whether a value is valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from channel_adapters.base.units import UNITS
from hub.store.models import Attribute

UI_LOCALE = "en_US"  # the language of the UI itself, for labels of attributes that are not localizable
EDITABLE_TYPES = ("text", "textarea", "identifier", "url", "number", "boolean", "date", "select", "multiselect",
                  "measurement", "image")
BOOLEAN_TEXT = {True: "yes", False: "no"}


@dataclass(frozen=True)
class Choice:
    """One option of a select, a checkbox list or a unit list."""

    value: str
    label: str


@dataclass
class Entry:
    """What the inputs of one value slot hold: a text (or amount), a unit, or chosen options."""

    text: str = ""
    unit: str = ""
    chosen: tuple[str, ...] = ()


def label_in(labels: dict[str, str] | None, locale: str | None, fallback: str) -> str:
    """A label in ``locale``, else in the UI's language, else any, else the code."""
    labels = labels or {}
    return labels.get(locale or UI_LOCALE) or labels.get(UI_LOCALE) or next(iter(labels.values()), fallback)


def option_choices(attribute: Attribute, locale: str | None) -> list[Choice]:
    return [Choice(o["code"], label_in(o.get("labels"), locale, o["code"])) for o in attribute.options or []]


def unit_choices(attribute: Attribute) -> list[Choice]:
    """The units a measurement may be given in: those of its default unit's dimension."""
    default = UNITS.get(attribute.unit or "")
    if default is None:
        return []
    return [Choice(u.code, f"{u.symbol} ({u.code})") for u in UNITS.values() if u.dimension == default.dimension]


def to_entry(attribute: Attribute, data: Any) -> Entry:
    """The inputs' contents for stored ``data`` (None: no value)."""
    if data is None:  # a measurement's unit select starts at the attribute's default unit
        return Entry(unit=(attribute.unit or "") if attribute.type == "measurement" else "")
    kind = attribute.type
    if kind == "boolean":
        return Entry(BOOLEAN_TEXT.get(data, str(data)))
    if kind == "multiselect":
        return Entry(chosen=tuple(data) if isinstance(data, list) else ())
    if kind == "measurement" and isinstance(data, dict):
        return Entry(str(data.get("amount") or ""), str(data.get("unit") or attribute.unit or ""))
    return Entry(data if isinstance(data, str) else str(data))


def from_entry(attribute: Attribute, entry: Entry) -> Any:
    """The ``data`` the API would be sent for these inputs; None means "no own value" (inherit).

    A boolean's "not set" is None rather than false, so a variant keeps falling back to its model.
    Anything unexpected is passed on as typed, for the services to name what is wrong with it.
    """
    kind = attribute.type
    if kind == "multiselect":
        return list(entry.chosen) or None
    if kind == "boolean":
        return {"yes": True, "no": False, "": None}.get(entry.text, entry.text)
    if kind == "measurement":
        amount = entry.text.strip()
        if not amount:
            return None
        return {"amount": amount, "unit": entry.unit} if entry.unit else {"amount": amount}
    if kind in ("text", "textarea"):
        text = entry.text.replace("\r\n", "\n")
        return text if text.strip() else None
    return entry.text.strip() or None


def display(attribute: Attribute, data: Any, locale: str | None) -> str:
    """A stored value as a person reads it: option labels, yes/no, an amount with its unit."""
    if data is None:
        return ""
    kind = attribute.type
    if kind == "boolean":
        return BOOLEAN_TEXT.get(data, str(data))
    labels = {c.value: c.label for c in option_choices(attribute, locale)}
    if kind == "select":
        return labels.get(data, str(data))
    if kind == "multiselect" and isinstance(data, list):
        return ", ".join(labels.get(code, code) for code in data)
    if kind == "measurement" and isinstance(data, dict):
        unit = UNITS.get(data.get("unit") or "")
        return f"{data.get('amount')} {unit.symbol if unit else data.get('unit') or ''}".strip()
    return data if isinstance(data, str) else str(data)
