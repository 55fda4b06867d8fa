"""An adapter's own settings as form inputs: one input per field its ``settings_schema`` declares.

This module only chooses the widget and turns the submitted text back into JSON-shaped data;
whether a value is acceptable stays the adapter schema's decision, which ``ChannelService``
applies on save. Input names are ``setting:<adapter>:<field>``, so every adapter's inputs can
sit in one form and only the chosen adapter's are read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from marshmallow import Schema, fields, missing, validate

from channel_adapters.base.registry import AdapterRegistry

_INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class SettingInput:
    """One adapter setting as the form shows it."""

    adapter: str
    field: str
    kind: str  # "text", "number", "select", "boolean", "lines" or "json"
    choices: tuple[str, ...] = ()
    default: str = ""  # the schema's default as text ("" when it has none)
    hint: str = ""

    @property
    def name(self) -> str:
        return f"setting:{self.adapter}:{self.field}"

    @property
    def label(self) -> str:
        return self.field.replace("_", " ").capitalize()


@dataclass(frozen=True)
class AdapterSettings:
    name: str
    title: str
    inputs: tuple[SettingInput, ...]


def _default_text(field: fields.Field) -> str:
    default = field.load_default
    if default is missing:
        return ""
    value = default() if callable(default) else default
    if value is None or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _kind(field: fields.Field) -> tuple[str, tuple[str, ...]]:
    one_of = next((v for v in field.validators if isinstance(v, validate.OneOf)), None)
    if isinstance(field, fields.Boolean):
        return "boolean", ()
    if one_of is not None and isinstance(field, fields.String):
        return "select", tuple(str(choice) for choice in one_of.choices)
    if isinstance(field, fields.Number):
        return "number", ()
    if isinstance(field, fields.String):  # Url and Email too
        return "text", ()
    if isinstance(field, fields.List) and isinstance(field.inner, fields.String):
        return "lines", ()
    return "json", ()  # nested schemas, lists of them, dicts


def inputs_for(adapter: str, schema: Schema) -> tuple[SettingInput, ...]:
    """One input per field the adapter's settings schema loads, in the schema's order."""
    found = []
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        kind, choices = _kind(field)
        hint = str(field.metadata.get("description", ""))
        found.append(SettingInput(adapter, name, kind, choices, _default_text(field), hint))
    return tuple(found)


def every_adapter(registry: AdapterRegistry) -> list[AdapterSettings]:
    """Every installed adapter's inputs: the form holds them all and shows the chosen adapter's."""
    return [AdapterSettings(a.name, a.title, inputs_for(a.name, a.settings_schema())) for a in registry]


def as_text(setting: SettingInput, value: Any) -> str:
    """A stored setting as the text its input shows ("" when it is not set: the default applies)."""
    if value is None:
        return ""
    if setting.kind == "boolean":
        return "true" if value else "false"
    if setting.kind == "lines" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if setting.kind == "json" or isinstance(value, (list, dict)):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return str(value)


def _number(text: str, field: fields.Field) -> Any:
    """Integers and floats as JSON numbers, decimals as strings (exact); anything else is left
    as typed, for the schema to refuse with its own reason."""
    if isinstance(field, fields.Integer) and _INTEGER.match(text):
        return int(text)
    if isinstance(field, fields.Float):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def read(adapter: str, schema: Schema, form: Mapping[str, str], kept: Mapping[str, Any],
         error: Callable[[str, str], None]) -> dict[str, Any]:
    """The settings the form holds for ``adapter``: empty inputs are left out (the schema's default
    applies); ``kept`` are stored settings the schema does not declare, carried over untouched.
    Text that cannot even be read (bad JSON) is reported through ``error(input name, reason)``."""
    settings = {name: value for name, value in kept.items() if name not in schema.fields}
    for setting in inputs_for(adapter, schema):
        text = form.get(setting.name, "").replace("\r\n", "\n").strip()
        if not text:
            continue
        field = schema.fields[setting.field]
        if setting.kind == "boolean":
            settings[setting.field] = text == "true"
        elif setting.kind == "number":
            settings[setting.field] = _number(text, field)
        elif setting.kind == "lines":
            settings[setting.field] = [line.strip() for line in text.split("\n") if line.strip()]
        elif setting.kind == "json":
            try:
                settings[setting.field] = json.loads(text)
            except ValueError as exc:
                error(setting.name, f"not valid JSON: {exc}")
        else:
            settings[setting.field] = text
    return settings
