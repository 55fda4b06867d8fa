"""Attribute administration: the list, one attribute's page, and the create and edit forms.

Writes go through ``AttributeService`` with the input loaded by ``AttributeIn``, as the API's
attribute routes do, each edit guarded by the attribute's ETag in a hidden field. The role that
may write is the one the API's attributes collection requires, read from its definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from channel_adapters.base.units import UNITS
from hub.errors import Conflict, ValidationFailed
from hub.services.catalog import AttributeService
from hub.store.models import Attribute
from hub.web.api.catalog import COLLECTIONS
from hub.web.body import load
from hub.web.etag import etag_of
from hub.web.hub import catalog, session
from hub.web.ui.access import current_user, needs
from schemas.attribute import ATTRIBUTE_TYPES, AttributeIn

WRITE_ROLE = next(c.write_role for c in COLLECTIONS if c.name == "attributes")
STALE = ("Not saved: someone changed this attribute after you opened it. The page now shows the current "
         "attribute; make your change again.")

# Which validation inputs the form offers for each type: those the value checks read.
STRING_TYPES = ("text", "textarea", "identifier", "url", "image")
INPUTS_BY_TYPE: dict[str, tuple[str, ...]] = {
    **{kind: ("max_length", "pattern") for kind in STRING_TYPES},
    "identifier": ("max_length", "pattern", "format"),
    "number": ("min", "max", "whole_numbers"),
    "measurement": ("min", "max", "whole_numbers", "unit"),
    "select": ("options",), "multiselect": ("options",),
}
RULE_INPUTS = {"max_length": "max_length", "pattern": "pattern", "min": "min", "max": "max",
               "decimals_allowed": "whole_numbers", "format": "format"}
# The other way round, for the create form's stylesheet: the types each input is shown for.
TYPES_FOR = {name: " ".join(kind for kind, inputs in INPUTS_BY_TYPE.items() if name in inputs)
             for name in (*RULE_INPUTS.values(), "options", "unit")}
TEXT_INPUTS = ("code", "type", "max_length", "pattern", "min", "max", "format", "unit", "options")


@dataclass
class AttributeForm:
    """What the create or edit form shows: the submitted texts and the reasons, by input name."""

    values: dict[str, str]
    flags: dict[str, bool]  # localizable, scopable, whole_numbers
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def option_lines(self) -> list[tuple[int, str]]:
        return [(n, line.strip()) for n, line in enumerate(self.values.get("options", "").split("\n"), start=1) if line.strip()]

    def offered(self, kind: str, stored: dict[str, Any] | None = None) -> set[str]:
        """The type's inputs, plus any rule already stored (set through the API), so none is lost."""
        return set(INPUTS_BY_TYPE.get(kind, ())) | {RULE_INPUTS[k] for k in (stored or {}) if k in RULE_INPUTS}


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/attributes", "attributes", index)
    blp.add_url_rule("/attributes/+new", "new_attribute", new)
    blp.add_url_rule("/attributes", "create_attribute", create, methods=["POST"])
    blp.add_url_rule("/attributes/<code>", "attribute", show)
    blp.add_url_rule("/attributes/<code>", "save_attribute", save, methods=["POST"])
    blp.add_url_rule("/attributes/<code>/delete", "delete_attribute", delete, methods=["POST"])


def _service() -> AttributeService:
    return AttributeService(session(), catalog(), f"user:{current_user().email}")


def index() -> str:
    attributes = sorted(catalog().attributes.values(), key=lambda a: a.code)
    used_by = {a.code: [f.code for f in sorted(catalog().families.values(), key=lambda f: f.code) if a in f.attributes]
               for a in attributes}
    return render_template("ui/attributes.html", attributes=attributes, used_by=used_by, locales=sorted(catalog().locales),
                           write_role=WRITE_ROLE)


@needs(WRITE_ROLE)
def new() -> str:
    return _render_new(AttributeForm({"type": "text"}, {}))


@needs(WRITE_ROLE)
def create() -> Response | tuple[str, int]:
    form = _read_form(None)
    data = _data(form, None)
    if not form.errors:
        try:
            attribute = _service().create(load(AttributeIn(), data))
        except (ValidationFailed, Conflict) as exc:
            _place_errors(form, exc.errors or {"": [exc.detail]})
        else:
            session().commit()
            flash(f"Attribute {attribute.code} created.")
            return redirect(url_for("ui.attribute", code=attribute.code))
    session().rollback()
    return _render_new(form, message="Not created: correct the fields marked below."), 422


def show(code: str) -> str:
    service = _service()
    attribute = service.get(code)
    return _render(service, attribute, _initial_form(attribute))


@needs(WRITE_ROLE)
def save(code: str) -> Response | tuple[str, int]:
    service = _service()
    attribute = service.get(code)
    if request.form.get("etag") != etag_of(service.state(attribute)):
        return _render(service, attribute, _initial_form(attribute), message=STALE), 409
    form = _read_form(attribute)
    data = _data(form, attribute)
    if not form.errors:
        try:
            service.replace(attribute, load(AttributeIn(), data))
        except ValidationFailed as exc:
            _place_errors(form, exc.errors or {"": [exc.detail]})
        else:
            session().commit()
            flash("Saved.")
            return redirect(url_for("ui.attribute", code=code))
    session().rollback()
    return _render(service, service.get(code), form, message="Not saved: correct the fields marked below."), 422


@needs(WRITE_ROLE)
def delete(code: str) -> Response | tuple[str, int]:
    service = _service()
    attribute = service.get(code)
    if request.form.get("etag") != etag_of(service.state(attribute)):
        return _render(service, attribute, _initial_form(attribute), message=STALE.replace("saved", "deleted")), 409
    try:
        service.delete(attribute)
    except Conflict as exc:
        session().rollback()
        return _render(service, service.get(code), _initial_form(service.get(code)),
                       message=f"Not deleted: {exc.detail}."), 409
    session().commit()
    flash(f"Attribute {code} deleted.")
    return redirect(url_for("ui.attributes"))


def _initial_form(attribute: Attribute) -> AttributeForm:
    rules = attribute.validation or {}
    values = {name: str(rules[key]) for key, name in RULE_INPUTS.items() if key in rules and name != "whole_numbers"}
    values |= {f"label:{locale}": (attribute.labels or {}).get(locale, "") for locale in catalog().locales}
    values |= {"code": attribute.code, "type": attribute.type, "unit": attribute.unit or "",
               "options": "\n".join(_option_line(o) for o in attribute.options or [])}
    flags = {"localizable": attribute.localizable, "scopable": attribute.scopable,
             "whole_numbers": rules.get("decimals_allowed") is False}
    return AttributeForm(values, flags)


def _option_line(option: dict[str, Any]) -> str:
    labels = option.get("labels") or {}
    return " | ".join([option["code"], *(f"{locale}: {label}" for locale, label in sorted(labels.items()))])


def _read_form(attribute: Attribute | None) -> AttributeForm:
    """The submitted form; what an existing attribute cannot change is taken from it, not the form."""
    values = {name: request.form.get(name, "").replace("\r\n", "\n") for name in TEXT_INPUTS}
    values |= {f"label:{locale}": request.form.get(f"label:{locale}", "").strip() for locale in catalog().locales}
    flags = {name: request.form.get(name) == "on" for name in ("localizable", "scopable", "whole_numbers")}
    if attribute is not None:
        values |= {"code": attribute.code, "type": attribute.type}
        flags |= {"localizable": attribute.localizable, "scopable": attribute.scopable}
    return AttributeForm(values, flags)


def _parse_options(form: AttributeForm) -> list[dict[str, Any]]:
    """One option per line: ``code | en_US: Label | fr_FR: Libellé``."""
    options = []
    for number, line in form.option_lines():
        code, *parts = [part.strip() for part in line.split("|")]
        labels = {}
        for part in parts:
            locale, sep, label = part.partition(":")
            if not sep or not locale.strip():
                form.errors.setdefault("options", []).append(
                    f"line {number}: write each label as 'locale: label', as in 'en_US: Navy'")
                continue
            labels[locale.strip()] = label.strip()
        options.append({"code": code, "labels": labels})
    return options


def _data(form: AttributeForm, attribute: Attribute | None) -> dict[str, Any]:
    """The input ``AttributeIn`` loads, shaped as the API's body, from the inputs the type offers."""
    kind = form.values["type"].strip()
    stored = attribute.validation if attribute is not None else None
    offered = form.offered(kind, stored)
    validation: dict[str, Any] = {}
    for key, name in RULE_INPUTS.items():
        if name == "whole_numbers" or name not in offered or not form.values[name].strip():
            continue
        # A pattern keeps its spaces: they are part of the expression.
        validation[key] = form.values[name] if name == "pattern" else form.values[name].strip()
    if "whole_numbers" in offered:
        if form.flags["whole_numbers"]:
            validation["decimals_allowed"] = False
        elif (stored or {}).get("decimals_allowed") is True:
            validation["decimals_allowed"] = True  # unticked keeps an explicit "decimals allowed"
    return {
        "code": form.values["code"].strip(), "type": kind,
        "labels": {locale: text for locale in sorted(catalog().locales) if (text := form.values[f"label:{locale}"])},
        "localizable": form.flags["localizable"], "scopable": form.flags["scopable"], "validation": validation,
        "options": _parse_options(form) if "options" in offered else [],
        "unit": (form.values["unit"].strip() or None) if "unit" in offered else None,
    }


def _place_errors(form: AttributeForm, errors: dict[str, list[str]]) -> None:
    """Attach each reason to its input; a reason about one option names its line."""
    lines = form.option_lines()
    for path, reasons in errors.items():
        head = path.split(".", 1)[0].split("[", 1)[0]
        if path.startswith("labels.") and f"label:{path.removeprefix('labels.')}" in form.values:
            form.errors.setdefault(f"label:{path.removeprefix('labels.')}", []).extend(reasons)
        elif path.startswith("validation."):
            name = RULE_INPUTS.get(path.removeprefix("validation."), "validation")
            form.errors.setdefault(name, []).extend(reasons)
        elif head == "options" and path.startswith("options["):
            index = int(path[len("options["):].split("]", 1)[0])
            where = f"line {lines[index][0]}" if index < len(lines) else f"option {index + 1}"
            detail = path.split("].", 1)[1] if "]." in path else ""
            form.errors.setdefault("options", []).extend(f"{where}{' ' + detail if detail else ''}: {r}" for r in reasons)
        elif head in ("code", "type", "localizable", "scopable", "validation", "options", "unit", "labels"):
            form.errors.setdefault(head, []).extend(reasons)
        else:
            form.general.extend(f"{path}: {reason}" if path else reason for reason in reasons)


def _choices() -> dict[str, Any]:
    return {"types": ATTRIBUTE_TYPES, "units": sorted(UNITS), "locales": sorted(catalog().locales),
            "write_role": WRITE_ROLE, "types_for": TYPES_FOR}


def _render_new(form: AttributeForm, message: str | None = None) -> str:
    return render_template("ui/attribute_new.html", form=form, message=message, **_choices())


def _render(service: AttributeService, attribute: Attribute, form: AttributeForm, message: str | None = None) -> str:
    families = [f.code for f in sorted(catalog().families.values(), key=lambda f: f.code) if attribute in f.attributes]
    return render_template("ui/attribute.html", attribute=attribute, state=service.state(attribute), form=form,
                           offered=form.offered(attribute.type, attribute.validation), etag=etag_of(service.state(attribute)),
                           families=families, message=message, **_choices())
