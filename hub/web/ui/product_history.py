"""A product's history in the UI: every version with its field-level changes, and reverting to one.

The changes are the ones ``ProductService`` recorded when each version was saved; reverting goes
through ``ProductService.revert``, as the API's does, so it records a new version (nothing is
rewritten) and is refused, with the reasons, when the old version breaks today's rules. Reverting
asks for confirmation on a page that shows what it will change, and is guarded by the product's
ETag like the edit form: a revert decided on a stale view changes nothing.
"""

from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from hub.errors import ValidationFailed
from hub.services.history import diff
from hub.services.products import ProductService
from hub.store.models import Product, Version
from hub.web.etag import etag_of
from hub.web.hub import catalog, session
from hub.web.ui.access import current_user, needs
from schemas.errors import flatten_messages
from schemas.product import RevertIn

RECENT = 5  # versions shown on the product page; the history page shows them all
STALE = ("Not reverted: someone changed this product after you opened this page. Below is what reverting "
         "would change now; confirm again if it is still what you want.")


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/products/<sku>/history", "product_history", show)
    blp.add_url_rule("/products/<sku>/history/<int:version>/revert", "confirm_revert", confirm)
    blp.add_url_rule("/products/<sku>/history/<int:version>/revert", "revert_product", revert, methods=["POST"])
    blp.context_processor(template_context)
    blp.add_app_template_filter(change_text, "change_text")
    blp.add_app_template_filter(change_field, "change_field")


def template_context() -> dict[str, Callable[..., Any]]:
    """``versions_of`` for the product page's partial, so that page need not prepare its history."""
    return {"versions_of": versions_of, "recent_versions": RECENT}


def _service() -> ProductService:
    return ProductService(session(), catalog(), f"user:{current_user().email}")


def versions_of(product: Product) -> list[Version]:
    """The product's versions, newest first."""
    return list(reversed(_service().history(product.sku, product)))


def change_field(field: str) -> str:
    """A recorded field as people name it: ``values.name-en_US`` reads ``name · en_US``."""
    if field.startswith("values."):
        return " · ".join(field.removeprefix("values.").split("-"))
    if field.startswith("offers."):
        return "offer " + field.removeprefix("offers.")
    return field


def change_text(value: Any) -> str:
    """A recorded value in words: an offer as its prices and dates, a measurement as amount and unit."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(change_text(v) for v in value)
    if isinstance(value, dict):
        if "currency" in value and "price" in value:
            return _offer_text(value)
        if set(value) == {"amount", "unit"}:
            return f"{value['amount']} {value['unit']}"
        return "; ".join(f"{key}: {change_text(v)}" for key, v in value.items() if v not in (None, "", []))
    return str(value)


def _offer_text(offer: dict[str, Any]) -> str:
    text = f"{offer['price']} {offer['currency']}"
    if offer.get("sale_price"):
        text += f", sale {offer['sale_price']}"
        if offer.get("sale_start"):
            text += f" from {offer['sale_start']}"
        if offer.get("sale_end"):
            text += f" until {offer['sale_end']}"
    if offer.get("channel"):
        text += f" on {offer['channel']}"
    if offer.get("location"):
        text += f" at {offer['location']}"
    return text


def show(sku: str) -> str:
    product = _service().get(sku)
    return render_template("ui/history.html", product=product, versions=versions_of(product))


def _confirm_page(service: ProductService, product: Product, number: int, *, message: str | None = None,
                  errors: dict[str, list[str]] | None = None) -> str:
    """What reverting to version ``number`` would change now; raises NotFound for an unknown version."""
    version = next((v for v in service.history(product.sku, product) if v.version == number), None)
    snapshot = service.as_of(product.sku, number)  # NotFound when there is no such version
    return render_template(
        "ui/history_revert.html", product=product, version=version, changes=diff(service.state(product), snapshot),
        etag=etag_of(service.state(product)), message=message, errors=errors or {},
    )


@needs("editor")
def confirm(sku: str, version: int) -> str:
    service = _service()
    return _confirm_page(service, service.get(sku), version)


@needs("editor")
def revert(sku: str, version: int) -> Response | tuple[str, int]:
    service = _service()
    product = service.get(sku)
    if request.form.get("etag") != etag_of(service.state(product)):
        return _confirm_page(service, product, version, message=STALE), 409
    try:
        number = RevertIn().load({"version": version})["version"]
        saved = service.revert(product, number)
    except ValidationError as exc:
        message, errors = "Not reverted: the version number is not valid.", flatten_messages(exc.messages)
    except ValidationFailed as exc:
        reason = exc.detail if exc.detail != exc.title else f"version {version} does not pass today's rules"
        message, errors = f"Not reverted: {reason}.", exc.errors
    else:
        session().commit()
        flash(f"Reverted to version {number}; recorded as version {product.revision}." if saved.changed
              else f"Nothing to revert: the product is already as in version {number}.")
        return redirect(url_for("ui.product", sku=sku, _anchor="history-heading"))
    session().rollback()
    return _confirm_page(service, service.get(sku), version, message=message, errors=errors), 422
