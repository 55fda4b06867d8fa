"""The product page: values (own and inherited), completeness, channel previews side by side,
history, and the edit form for editors.

Edits go through ``ProductIn().load`` and ``ProductService.save`` like the API's, guarded by the
product's ETag in a hidden field: a save made against another version is refused and changes
nothing. The form itself (one input per attribute, locale and channel; media; offers;
categories) lives in ``product_form``; reading a post back into the API's body shape, in
``product_form_submit``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hub.errors import ValidationFailed
from hub.services.completeness import completeness
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.models import Product
from hub.web.body import load
from hub.web.etag import etag_of
from hub.web.hub import catalog, session
from hub.web.ui.access import can, current_user, needs
from hub.web.ui.product_form import OfferRow, ProductForm, build_form
from hub.web.ui.product_form_submit import place_errors, read_posted
from hub.web.ui.product_form_values import display, label_in
from schemas.product import ProductIn

STALE = ("Not saved: someone changed this product after you opened it. The page now shows the current "
         "version; make your change again.")
REFUSED = "Not saved: correct the fields marked below."
ADDED = "An empty offer row was added below; fill it in, then save. Nothing is saved yet."


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/products/<sku>", "product", show)
    blp.add_url_rule("/products/<sku>", "save_product", save, methods=["POST"])


def service_for_user() -> ProductService:
    return ProductService(session(), catalog(), f"user:{current_user().email}")


def show(sku: str) -> str:
    service = service_for_user()
    return render(service, service.get(sku))


@needs("editor")
def save(sku: str) -> Response | tuple[str, int] | str:
    service = service_for_user()
    product = service.get(sku)
    _read_references()
    state = service.state(product)
    form = build_form(product, state, catalog())
    submission = read_posted(form, request.form, state)
    posted_etag = request.form.get("etag", "")
    if "add_offer" in request.form:
        # Only redraws the form: the ETag stays the one the page was opened with, so the save
        # that follows is still refused if someone changed the product meanwhile.
        form.offers.append(OfferRow(len(form.offers), added=True))
        return render(service, product, form=form, etag=posted_etag, message=ADDED, alert=False)
    if posted_etag != etag_of(state):
        return render(service, product, message=STALE), 409
    try:
        saved = service.save(load(ProductIn(), submission.body), product)
    except ValidationFailed as exc:
        errors = exc.errors
    else:
        session().commit()
        flash("Saved." if saved.changed else "Nothing to save: no value changed.")
        return redirect(url_for("ui.product", sku=sku))
    # Nothing was written, but end the transaction anyway; then read the definitions again in
    # one query each rather than one per expired object.
    session().rollback()
    catalog().refresh()
    place_errors(form, submission, errors)
    return render(service, service.get(sku), form=form, message=REFUSED), 422


def _value_rows(product: Product, representation: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per value, own first, then those inherited from the product model."""
    rows = []
    for attribute in product.family.attributes:
        first = True
        for source, values in (("own", representation["values"]), ("inherited", representation["inherited_values"])):
            for entry in sorted(values.get(attribute.code, []), key=lambda e: (e["locale"] or "", e["scope"] or "")):
                rows.append({"attribute": attribute, "label": label_in(attribute.labels, None, attribute.code),
                             "locale": entry["locale"], "scope": entry["scope"], "first": first,
                             "data": display(attribute, entry["data"], entry["locale"]), "inherited": source == "inherited"})
                first = False
    return rows


def _read_references() -> CatalogContext:
    """Offers name a channel and a store, stock rows a location: reading every channel and
    location first (one query each) lets those references come from the session's identity
    map rather than from one query each."""
    ctx = catalog()
    _ = ctx.channels
    _ = ctx.stores  # reads every location, warehouses included
    return ctx


def render(service: ProductService, product: Product, *, form: ProductForm | None = None, etag: str | None = None,
            message: str | None = None, alert: bool = True) -> str:
    """The page; ``form`` is a posted one to show again (with its reasons), else the product's."""
    ctx = _read_references()
    channels = sorted(ctx.channels.values(), key=lambda c: c.code)
    representation = service.representation(product)
    state = service.state(product)
    if form is None and can("editor"):
        form = build_form(product, state, ctx)
    return render_template(
        "ui/product.html", product=product, representation=representation, rows=_value_rows(product, representation),
        completeness=completeness(product, channels), form=form,
        etag=etag if etag is not None else etag_of(state), message=message, alert=alert,
    )
