"""The product page: values (own and inherited), completeness, channel previews side by side,
history, and the edit form for editors.

Edits go through ``ProductService.save`` like the API's, guarded by the product's ETag in a
hidden field: a save made against another version is refused and changes nothing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from hub.errors import HubError, ValidationFailed
from hub.publishing.render import ChannelRenderer
from hub.services.completeness import completeness
from hub.services.products import ProductService
from hub.store.models import Attribute, Product
from hub.web.api.publications import plain
from hub.web.etag import etag_of
from hub.web.hub import catalog, hub, session
from hub.web.ui.access import current_user, needs
from schemas.errors import flatten_messages
from schemas.product import ProductIn

EDITABLE_TYPES = ("text", "textarea")
STALE = ("Not saved: someone changed this product after you opened it. The page now shows the current "
         "version; make your change again.")


@dataclass
class EditField:
    """One input of the edit form: a text value of one attribute in one locale (or for all)."""

    attribute: Attribute
    locale: str | None
    value: str = ""
    inherited: str | None = None  # what the product model gives when this is left empty
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"value:{self.attribute.code}:{self.locale or ''}"

    @property
    def id(self) -> str:
        return f"field-{self.attribute.code}-{self.locale or 'all'}"

    @property
    def label(self) -> str:
        label = _label(self.attribute, self.locale)
        return f"{label} ({self.locale})" if self.locale else label

    @property
    def max_length(self) -> int | None:
        return (self.attribute.validation or {}).get("max_length")


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/products/<sku>", "product", show)
    blp.add_url_rule("/products/<sku>", "save_product", save, methods=["POST"])


def _service() -> ProductService:
    return ProductService(session(), catalog(), f"user:{current_user().email}")


def show(sku: str) -> str:
    service = _service()
    return _render(service, service.get(sku))


@needs("editor")
def save(sku: str) -> Response | tuple[str, int]:
    service = _service()
    product = service.get(sku)
    if request.form.get("etag") != etag_of(service.state(product)):
        return _render(service, product, message=STALE), 409
    fields = _edit_fields(product)
    state = copy.deepcopy(service.state(product))  # the state shares the product's dicts
    submitted = _apply_form(state, fields)
    try:
        saved = service.save(ProductIn().load(state), product)
    except ValidationError as exc:
        errors = flatten_messages(exc.messages)
    except ValidationFailed as exc:
        errors = exc.errors
    else:
        session().commit()
        flash("Saved." if saved.changed else "Nothing to save: no value changed.")
        return redirect(url_for("ui.product", sku=sku))
    session().rollback()
    general = _place_errors(errors, state, fields)
    for edit in fields:
        edit.value = submitted.get(edit.name, edit.value)
    return _render(service, service.get(sku), fields=fields, general_errors=general,
                   enabled=state["enabled"], message="Not saved: correct the fields marked below."), 422


def _label(attribute: Attribute, locale: str | None) -> str:
    labels = attribute.labels or {}
    return labels.get(locale or "") or labels.get("en_US") or next(iter(labels.values()), attribute.code)


def _text(data: Any) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else json.dumps(plain(data), ensure_ascii=False)


def _edit_fields(product: Product) -> list[EditField]:
    """Text inputs for the family's text attributes that are not per channel; variant axes are
    fixed by the product model, so they are not offered."""
    axes = set(product.parent.variant_axes) if product.parent else set()
    own = product.values or {}
    inherited = (product.parent.values or {}) if product.parent else {}
    locales = sorted(catalog().locales)
    fields = []
    for attribute in product.family.attributes:
        if attribute.type not in EDITABLE_TYPES or attribute.scopable or attribute.code in axes:
            continue
        for locale in (locales if attribute.localizable else [None]):
            def data(values: dict[str, list[dict[str, Any]]]) -> Any:
                return next((e["data"] for e in values.get(attribute.code, [])
                             if e["locale"] == locale and e["scope"] is None), None)
            fields.append(EditField(attribute, locale, _text(data(own)),
                                    _text(data(inherited)) if data(inherited) is not None else None))
    return fields


def _apply_form(state: dict[str, Any], fields: list[EditField]) -> dict[str, str]:
    """Put the submitted texts into ``state``; an empty input removes the product's own value."""
    submitted = {}
    values = state["values"]
    for edit in fields:
        text = request.form.get(edit.name)
        if text is None:
            continue
        text = text.replace("\r\n", "\n")
        submitted[edit.name] = text
        code = edit.attribute.code
        entries = [e for e in values.get(code, []) if not (e["locale"] == edit.locale and e["scope"] is None)]
        if text.strip():
            entries.append({"locale": edit.locale, "scope": None, "data": text})
        if entries:
            values[code] = entries
        else:
            values.pop(code, None)
    state["enabled"] = request.form.get("enabled") == "on"
    return submitted


def _place_errors(errors: dict[str, list[str]], state: dict[str, Any], fields: list[EditField]) -> list[str]:
    """Attach each reason to the input it is about; the others are shown above the form."""
    by_key = {(f.attribute.code, f.locale): f for f in fields}
    by_path: dict[str, list[EditField]] = {}
    for code, entries in state["values"].items():
        for index, entry in enumerate(entries):
            found = by_key.get((code, entry["locale"])) if entry["scope"] is None else None
            if found is not None:
                by_path[f"values.{code}[{index}]"] = [found]
        by_path[f"values.{code}"] = [f for f in fields if f.attribute.code == code]
    general = []
    for path, reasons in errors.items():
        base = path.split("].", 1)[0] + "]" if "]." in path else path
        targets = by_path.get(base) or by_path.get(path.split("[", 1)[0])
        if targets:
            for target in targets:
                target.errors.extend(reasons)
        else:
            general.extend(f"{path}: {reason}" for reason in reasons)
    return general


@dataclass
class Preview:
    channel: str
    adapter: str
    locale: str
    fields: dict[str, str] = field(default_factory=dict)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    excluded: bool = False
    error: str | None = None


def _previews(product: Product) -> list[Preview]:
    """Each channel's item exactly as it would publish, rendered by the publishing code itself."""
    the_hub = hub()
    now = datetime.now(timezone.utc)
    previews = []
    for channel in sorted(catalog().channels.values(), key=lambda c: c.code):
        preview = Preview(channel.code, channel.adapter, channel.locale)
        try:
            (item,) = ChannelRenderer(session(), the_hub.adapters, the_hub.settings, channel, now).render([product], catalog())
        except HubError as exc:
            preview.error = exc.detail
        else:
            preview.fields = {str(k): _text(v) for k, v in plain(dict(item.fields)).items()}
            preview.diagnostics = [d.as_dict() for d in item.diagnostics]
            preview.excluded = item.excluded
        previews.append(preview)
    return previews


def _value_rows(product: Product, representation: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per value, own first, then those inherited from the product model."""
    rows = []
    for attribute in product.family.attributes:
        for source, values in (("own", representation["values"]), ("inherited", representation["inherited_values"])):
            for entry in sorted(values.get(attribute.code, []), key=lambda e: (e["locale"] or "", e["scope"] or "")):
                rows.append({"attribute": attribute, "label": _label(attribute, None), "locale": entry["locale"],
                             "scope": entry["scope"], "data": _text(entry["data"]), "inherited": source == "inherited"})
    return rows


def _render(service: ProductService, product: Product, *, fields: list[EditField] | None = None,
            general_errors: list[str] | None = None, enabled: bool | None = None, message: str | None = None) -> str:
    representation = service.representation(product)
    fields = fields if fields is not None else _edit_fields(product)
    return render_template(
        "ui/product.html", product=product, representation=representation, rows=_value_rows(product, representation),
        completeness=completeness(product, sorted(catalog().channels.values(), key=lambda c: c.code)),
        previews=_previews(product), history=list(reversed(service.history(product.sku))),
        fields=fields, editable={(f.attribute.code, f.locale) for f in fields},
        etag=etag_of(service.state(product)), general_errors=general_errors or [],
        enabled=product.enabled if enabled is None else enabled, message=message,
    )
