"""The admin's channel form: what it shows, how its inputs become a ``ChannelIn`` body, and where
each reason the services give goes back on the page.

The form covers the whole configuration (labels, adapter and its settings, locale, currency,
country, filter, title template, category map, field overrides, destination, schedule). It only
reads text into the shape of the API's body; ``ChannelIn().load`` and ``ChannelService`` judge it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from werkzeug.datastructures import MultiDict

from channel_adapters.base.registry import AdapterRegistry
from hub.services.context import CatalogContext
from hub.store.models import Channel
from hub.web.ui import channel_settings

TEXT_FIELDS = ("code", "adapter", "locale", "currency", "country", "schedule", "title_template", "category_map",
               "field_overrides", "destination")
SIMPLE_PATHS = {"code", "adapter", "locale", "currency", "country", "schedule", "destination"}


@dataclass
class ChannelForm:
    """What the form shows: submitted texts and choices, and the reasons, by input name."""

    values: dict[str, str]
    chosen: dict[str, list[str]] = field(default_factory=dict)  # checkbox groups: filter families and categories
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def error(self, name: str, reason: str) -> None:
        self.errors.setdefault(name, []).append(reason)


@dataclass(frozen=True)
class CategoryChoice:
    code: str
    label: str
    depth: int


def category_tree(ctx: CatalogContext, locale: str = "en_US") -> list[CategoryChoice]:
    """The categories in tree order, each with its depth, for an indented list of checkboxes."""
    children: dict[str | None, list[Any]] = {}
    for category in ctx.categories.values():
        parent = category.parent.code if category.parent else None
        children.setdefault(parent, []).append(category)
    found: list[CategoryChoice] = []

    def walk(parent: str | None, depth: int) -> None:
        for category in sorted(children.get(parent, []), key=lambda c: c.code):
            found.append(CategoryChoice(category.code, (category.labels or {}).get(locale, ""), depth))
            walk(category.code, depth + 1)

    walk(None, 0)
    return found


def initial(channel: Channel | None, locales: list[str], registry: AdapterRegistry) -> ChannelForm:
    """The form for a stored channel, or a blank one for a new channel."""
    if channel is None:
        first = registry.names()[0] if registry.names() else ""
        values = {name: "" for name in TEXT_FIELDS} | {"adapter": first, "enabled_only": "on"}
        values |= {f"label:{locale}": "" for locale in locales}
        return ChannelForm(values, {"filter_families": [], "filter_categories": []})
    mapping, filters = channel.mapping or {}, channel.filter or {}
    values = {
        "code": channel.code, "adapter": channel.adapter, "locale": channel.locale, "currency": channel.currency,
        "country": channel.country, "schedule": channel.schedule or "", "destination": channel.destination or "",
        "title_template": mapping.get("title_template") or "",
        "category_map": "\n".join(f"{ours} = {theirs}" for ours, theirs in (mapping.get("category_map") or {}).items()),
        "field_overrides": overrides_text(mapping.get("field_overrides") or {}),
        "enabled_only": "on" if filters.get("enabled_only", True) else "",
    }
    values |= {f"label:{locale}": (channel.labels or {}).get(locale, "") for locale in locales}
    adapter = registry.get(channel.adapter)
    if adapter is not None:
        for setting in channel_settings.inputs_for(adapter.name, adapter.settings_schema()):
            values[setting.name] = channel_settings.as_text(setting, (channel.settings or {}).get(setting.field))
    chosen = {"filter_families": list(filters.get("families", [])), "filter_categories": list(filters.get("categories", []))}
    return ChannelForm(values, chosen)


def overrides_text(overrides: Mapping[str, Any]) -> str:
    """One override per line: ``name = text`` for text (templates too), ``name := JSON`` otherwise."""
    return "\n".join(f"{name} = {value}" if isinstance(value, str) else f"{name} := {json.dumps(value)}"
                     for name, value in overrides.items())


def _parse_overrides(form: ChannelForm) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for number, line in enumerate(form.values["field_overrides"].split("\n"), start=1):
        if not line.strip():
            continue
        name, sep, text = line.partition("=")
        raw_json = name.rstrip().endswith(":")
        name = name.rstrip().removesuffix(":").strip() if raw_json else name.strip()
        if not sep or not name:
            form.error("field_overrides", f"line {number}: write 'field = text' or 'field := JSON'")
        elif raw_json:
            try:
                found[name] = json.loads(text)
            except ValueError as exc:
                form.error("field_overrides", f"line {number}: {name} := is not valid JSON ({exc})")
        else:
            found[name] = text.strip()
    return found


def _parse_category_map(form: ChannelForm) -> dict[str, str]:
    """One ``our_code = channel category`` per line; blank lines are skipped."""
    found: dict[str, str] = {}
    for number, line in enumerate(form.values["category_map"].split("\n"), start=1):
        if not line.strip():
            continue
        ours, sep, theirs = line.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            form.error("category_map", f"line {number}: write 'our_code = channel category'")
            continue
        found[ours.strip()] = theirs.strip()
    return found


def read(submitted: MultiDict[str, str], state: dict[str, Any] | None, locales: list[str],
         registry: AdapterRegistry) -> tuple[ChannelForm, dict[str, Any]]:
    """The submitted form, and the body it makes: the stored ``state`` with the form's parts put in
    (``state`` None for a new channel). A body is only worth loading when the form has no errors."""
    form = ChannelForm({name: submitted.get(name, "").replace("\r\n", "\n") for name in TEXT_FIELDS})
    form.values |= {f"label:{locale}": submitted.get(f"label:{locale}", "").strip() for locale in locales}
    form.values["enabled_only"] = "on" if submitted.get("enabled_only") else ""
    form.chosen = {name: submitted.getlist(name) for name in ("filter_families", "filter_categories")}
    data = copy.deepcopy(state) if state is not None else {"code": form.values["code"].strip()}
    adapter_name = form.values["adapter"].strip()
    data["labels"] = {locale: form.values[f"label:{locale}"] for locale in locales if form.values[f"label:{locale}"]}
    data["adapter"] = adapter_name
    for name in ("locale", "currency", "country"):
        data[name] = form.values[name].strip()
    data["schedule"] = form.values["schedule"].strip() or None
    data["destination"] = form.values["destination"].strip() or None
    data["filter"] = {"families": form.chosen["filter_families"], "categories": form.chosen["filter_categories"],
                      "enabled_only": bool(form.values["enabled_only"])}
    data["mapping"] = {"title_template": form.values["title_template"].strip() or None,
                       "category_map": _parse_category_map(form), "field_overrides": _parse_overrides(form)}
    # Settings only carry over while the adapter stays: another adapter's schema would refuse them.
    stored = (state["settings"] or {}) if state is not None and state["adapter"] == adapter_name else {}
    adapter = registry.get(adapter_name)
    if adapter is None:  # the service names the installed adapters
        data["settings"] = stored
    else:
        schema = adapter.settings_schema()
        for setting in channel_settings.inputs_for(adapter_name, schema):
            form.values[setting.name] = submitted.get(setting.name, "")
        data["settings"] = channel_settings.read(adapter_name, schema, submitted, stored, form.error)
    return form, data


def place_errors(form: ChannelForm, errors: Mapping[str, list[str]]) -> None:
    """Attach each reason to its input; reasons about parts the form does not show go above it."""
    adapter = form.values.get("adapter", "").strip()
    for path, reasons in errors.items():
        head, _, rest = path.partition(".")
        if path in SIMPLE_PATHS:
            target = path
        elif head == "labels" and f"label:{rest}" in form.values:
            target = f"label:{rest}"
        elif path == "mapping.title_template":
            target = "title_template"
        elif path.startswith("mapping.category_map"):
            code = path.removeprefix("mapping.category_map").lstrip(".")
            reasons = [f"{code}: {r}" if code else r for r in reasons]
            target = "category_map"
        elif path.startswith("mapping.field_overrides"):
            target = "field_overrides"
        elif path.startswith("filter.families"):
            target = "filter_families"
        elif path.startswith("filter.categories"):
            target = "filter_categories"
        elif path == "settings":
            target = "settings"
        elif head == "settings":
            setting = rest.split(".", 1)[0].split("[", 1)[0]
            target = f"setting:{adapter}:{setting}"
            if target not in form.values:
                form.general.extend(f"{path}: {reason}" for reason in reasons)
                continue
            inner = rest[len(setting):].lstrip(".")
            reasons = [f"{inner}: {r}" if inner else r for r in reasons]
        else:
            form.general.extend(f"{path}: {reason}" for reason in reasons)
            continue
        form.errors.setdefault(target, []).extend(reasons)
