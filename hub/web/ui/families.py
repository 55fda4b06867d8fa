"""Family administration: the list, one family's page, and the create and edit forms, with the
attributes chosen from the catalog's and a grid of which channel requires which of them.

Writes go through ``FamilyService`` with the input loaded by ``FamilyIn``, as the API's family
routes do, each edit guarded by the family's ETag in a hidden field. The role that may write is
the one the API's families collection requires, read from its definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hub.errors import Conflict, ValidationFailed
from hub.services.catalog import FamilyService
from hub.store.models import Attribute, Family
from hub.web.api.catalog import COLLECTIONS
from hub.web.body import load
from hub.web.etag import etag_of
from hub.web.hub import catalog, session
from hub.web.ui.access import current_user, needs
from schemas.family import FamilyIn

WRITE_ROLE = next(c.write_role for c in COLLECTIONS if c.name == "families")
STALE = ("Not saved: someone changed this family after you opened it. The page now shows the current "
         "family; make your change again.")


@dataclass
class FamilyForm:
    """What the form shows: code, labels, the chosen attributes (in order), the required
    (channel, attribute) cells, and the reasons by input, row or cell."""

    code: str
    labels: dict[str, str]
    attributes: list[str]
    required: set[tuple[str, str]]
    errors: dict[str, list[str]] = field(default_factory=dict)  # "code", "label:<locale>", "labels", "requirements"
    row_errors: dict[str, list[str]] = field(default_factory=dict)  # attribute code -> reasons
    cell_errors: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (channel, attribute) -> reasons
    general: list[str] = field(default_factory=list)

    def requirements(self) -> dict[str, list[str]]:
        """Per channel, the required attributes in the form's row order."""
        found: dict[str, list[str]] = {}
        for channel in sorted(catalog().channels):
            codes = [code for code in self.rows() if (channel, code) in self.required]
            if codes:
                found[channel] = codes
        return found

    def rows(self) -> list[str]:
        """The grid's rows: the family's attributes in their order, then the others by code."""
        return [*self.attributes, *sorted(code for code in catalog().attributes if code not in self.attributes)]


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/families", "families", index)
    blp.add_url_rule("/families/+new", "new_family", new)
    blp.add_url_rule("/families", "create_family", create, methods=["POST"])
    blp.add_url_rule("/families/<code>", "family", show)
    blp.add_url_rule("/families/<code>", "save_family", save, methods=["POST"])
    blp.add_url_rule("/families/<code>/delete", "delete_family", delete, methods=["POST"])


def _service() -> FamilyService:
    return FamilyService(session(), catalog(), f"user:{current_user().email}")


def index() -> str:
    service = _service()
    families = sorted(catalog().families.values(), key=lambda f: f.code)
    return render_template("ui/families.html", families=families, states={f.code: service.state(f) for f in families},
                           locales=sorted(catalog().locales), write_role=WRITE_ROLE)


@needs(WRITE_ROLE)
def new() -> str:
    return _render_new(FamilyForm("", {}, [], set()))


@needs(WRITE_ROLE)
def create() -> Response | tuple[str, int]:
    form = _read_form(request.form.get("code", "").strip())
    try:
        family = _service().create(load(FamilyIn(), _data(form)))
    except (ValidationFailed, Conflict) as exc:
        _place_errors(form, exc.errors or {"": [exc.detail]})
    else:
        session().commit()
        flash(f"Family {family.code} created.")
        return redirect(url_for("ui.family", code=family.code))
    session().rollback()
    return _render_new(form, message="Not created: correct the fields marked below."), 422


def show(code: str) -> str:
    service = _service()
    family = service.get(code)
    return _render(service, family, _initial_form(service, family))


@needs(WRITE_ROLE)
def save(code: str) -> Response | tuple[str, int]:
    service = _service()
    family = service.get(code)
    if request.form.get("etag") != etag_of(service.state(family)):
        return _render(service, family, _initial_form(service, family), message=STALE), 409
    form = _read_form(family.code)
    try:
        service.replace(family, load(FamilyIn(), _data(form)))
    except ValidationFailed as exc:
        _place_errors(form, exc.errors or {"": [exc.detail]})
    else:
        session().commit()
        flash("Saved: completeness of the family's products follows the new requirements."
              + (f" Values of the attributes taken out were removed from {service.cleared} products and models;"
                 " their history shows each removal." if service.cleared else ""))
        return redirect(url_for("ui.family", code=code))
    session().rollback()
    return _render(service, service.get(code), form, message="Not saved: correct the fields marked below."), 422


@needs(WRITE_ROLE)
def delete(code: str) -> Response | tuple[str, int]:
    service = _service()
    family = service.get(code)
    if request.form.get("etag") != etag_of(service.state(family)):
        return _render(service, family, _initial_form(service, family), message=STALE.replace("saved", "deleted")), 409
    try:
        service.delete(family)
    except Conflict as exc:
        session().rollback()
        family = service.get(code)
        return _render(service, family, _initial_form(service, family), message=f"Not deleted: {exc.detail}."), 409
    session().commit()
    flash(f"Family {code} deleted.")
    return redirect(url_for("ui.families"))


def _initial_form(service: FamilyService, family: Family) -> FamilyForm:
    state = service.state(family)
    required = {(channel, code) for channel, codes in state["requirements"].items() for code in codes}
    return FamilyForm(family.code, dict(state["labels"] or {}), list(state["attributes"]), required)


def _read_form(code: str) -> FamilyForm:
    chosen = set(request.form.getlist("attribute"))
    required = {(channel, attribute) for channel in catalog().channels
                for attribute in request.form.getlist(f"require:{channel}")}
    labels = {locale: request.form.get(f"label:{locale}", "").strip() for locale in sorted(catalog().locales)}
    # The submitted order is the grid's row order, which keeps the family's own order first.
    order = [c for c in request.form.getlist("order") if c in chosen] + sorted(chosen - set(request.form.getlist("order")))
    return FamilyForm(code, labels, order, required)


def _data(form: FamilyForm) -> dict[str, Any]:
    """The input ``FamilyIn`` loads, shaped as the API's body."""
    return {"code": form.code, "labels": {k: v for k, v in form.labels.items() if v},
            "attributes": form.attributes, "requirements": form.requirements()}


def _place_errors(form: FamilyForm, errors: dict[str, list[str]]) -> None:
    """Attach each reason to its input, its grid row (an attribute) or its cell (a requirement)."""
    requirements = form.requirements()
    for path, reasons in errors.items():
        if path == "code" or path == "labels":
            form.errors.setdefault(path, []).extend(reasons)
        elif path.startswith("labels.") and path.removeprefix("labels.") in form.labels:
            form.errors.setdefault(f"label:{path.removeprefix('labels.')}", []).extend(reasons)
        elif path.startswith("attributes[") and (code := _indexed(form.attributes, path)) in catalog().attributes:
            form.row_errors.setdefault(code, []).extend(reasons)
        elif path.startswith("requirements."):
            channel, _, rest = path.removeprefix("requirements.").partition("[")
            codes = requirements.get(channel, [])
            index = int(rest.split("]", 1)[0]) if rest else -1
            if 0 <= index < len(codes):
                form.cell_errors.setdefault((channel, codes[index]), []).extend(reasons)
                form.row_errors.setdefault(codes[index], []).extend(f"required on {channel}: {r}" for r in reasons)
            else:
                form.errors.setdefault("requirements", []).extend(f"{channel}: {r}" for r in reasons)
        else:
            form.general.extend(f"{path}: {reason}" if path else reason for reason in reasons)


def _indexed(codes: list[str], path: str) -> str | None:
    """The code a path such as ``attributes[3]`` points at, if the list has that many."""
    index = int(path.split("[", 1)[1].split("]", 1)[0])
    return codes[index] if index < len(codes) else None


def _choices() -> dict[str, Any]:
    attributes: dict[str, Attribute] = catalog().attributes
    return {"locales": sorted(catalog().locales), "channels": sorted(catalog().channels), "all_attributes": attributes,
            "write_role": WRITE_ROLE}


def _render_new(form: FamilyForm, message: str | None = None) -> str:
    return render_template("ui/family_new.html", form=form, message=message, **_choices())


def _render(service: FamilyService, family: Family, form: FamilyForm, message: str | None = None) -> str:
    return render_template("ui/family.html", family=family, state=service.state(family), form=form,
                           etag=etag_of(service.state(family)), message=message, **_choices())
