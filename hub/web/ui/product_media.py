"""Adding an image to a product from its page: the file is stored as the API's ``POST /media``
stores it, then attached as one more media ref through ``ProductIn().load`` and
``ProductService.save``, like any other save of the product.

The upload's inputs sit in the edit form's media section; their button posts that form as
multipart to this route (``formaction``), so the CSRF token and the ETag the page was opened
with come along. Only the new image is saved: the rest of the post is read back into the form,
never stored, so a refused upload shows everything as typed. A stale ETag is refused before the
file is even stored.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from hub.errors import ValidationFailed
from hub.services import media
from hub.services.products import ProductService
from hub.store.models import Product
from hub.web.body import load
from hub.web.etag import etag_of
from hub.web.hub import catalog, hub, session
from hub.web.ui import product_page
from hub.web.ui.access import needs
from hub.web.ui.product_form import Problem, ProductForm, build_form
from hub.web.ui.product_form_submit import read_posted
from schemas.product import ProductIn

ADDED = "Image added."
REFUSED = "Image not added: correct the fields marked below. Nothing was saved."
STALE = ("Image not added: someone changed this product after you opened it. The page now shows the current "
         "version; choose the file again.")
NO_FILE = "choose an image file to upload"


@dataclass
class MediaUpload:
    """The upload's inputs as posted (a file input cannot be refilled) and the reasons it was refused."""

    role: str = "additional"
    alt: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)  # "file", "role", "alt", "alt:<locale>"

    @staticmethod
    def id(part: str) -> str:
        return f"upload-{part}"

    name = id

    def where(self, part: str, locales: list[str]) -> tuple[str, str]:
        """The input and the words for one of ``errors``' keys."""
        if part.startswith("alt:"):
            locale = part.removeprefix("alt:")
            return self.id(f"alt-{locale}"), f"New image alt text ({locale})"
        if part == "alt":
            return self.id(f"alt-{locales[0]}" if locales else "file"), "New image alt text"
        return self.id(part), "New image role" if part == "role" else "New image file"


@dataclass
class UploadForm(ProductForm):
    """The product's edit form together with the upload that was refused, whose reasons join the
    error summary."""

    upload: MediaUpload = field(default_factory=MediaUpload)

    def problems(self) -> list[Problem]:
        return [*super().problems(),
                *(Problem(*self.upload.where(part, self.locales), reasons) for part, reasons in self.upload.errors.items())]


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/products/<sku>/media", "add_product_media", add, methods=["POST"])


@needs("editor")
def add(sku: str) -> Response | tuple[str, int]:
    service = product_page.service_for_user()
    product = service.get(sku)
    state = service.state(product)
    form = _upload_form(product, state)
    upload = form.upload
    if request.form.get("etag", "") != etag_of(state):
        return product_page.render(service, product, form=form, message=STALE), 409
    read_posted(form, request.form, state)  # shown again if refused; never saved here
    try:
        _attach(service, product, state, upload)
    except ValidationFailed as exc:
        session().rollback()
        catalog().refresh()
        _place(form, exc.errors, len(state["media"]))
        return product_page.render(service, service.get(sku), form=form, etag=request.form.get("etag"), message=REFUSED), 422
    session().commit()
    flash(ADDED)
    return redirect(url_for("ui.product", sku=sku))


def _attach(service: ProductService, product: Product, state: dict[str, Any], upload: MediaUpload) -> None:
    """Store the posted file and save the product's state with one more media ref; raises
    ValidationFailed (``file`` for the file, ``media...`` paths for the ref)."""
    posted = request.files.get(upload.name("file"))
    if posted is None or not posted.filename:
        raise ValidationFailed(errors={"file": [NO_FILE]})
    stored = media.store(session(), hub().settings.media_dir, posted.stream, posted.filename)
    body = copy.deepcopy(state)
    body["media"].append({"path": stored.path, "role": upload.role, "alt": {k: v for k, v in upload.alt.items() if v}})
    service.save(load(ProductIn(), body), product)


def _read_upload(locales: list[str]) -> MediaUpload:
    return MediaUpload(role=request.form.get(MediaUpload.name("role"), "additional"),
                       alt={locale: request.form.get(MediaUpload.name(f"alt-{locale}"), "").strip() for locale in locales})


def _upload_form(product: Product, state: dict[str, Any]) -> UploadForm:
    """The product's form as ``build_form`` makes it, with the posted upload's texts."""
    form = build_form(product, state, catalog())
    return UploadForm(**{f.name: getattr(form, f.name) for f in fields(form)}, upload=_read_upload(form.locales))


def _place(form: UploadForm, errors: dict[str, list[str]], index: int) -> None:
    """Reasons about the new ref go on the upload's inputs; "only one main" is about its role,
    since the stored media were valid before it came. Anything else is said in general."""
    prefix = f"media[{index}]"
    for path, reasons in errors.items():
        if path == "file":
            part = "file"
        elif path == "media" or path == f"{prefix}.role":
            part = "role"
        elif path.startswith(f"{prefix}.alt"):
            locale = path.removeprefix(f"{prefix}.alt").lstrip(".")
            part = f"alt:{locale}" if locale in form.locales else "alt"
        elif path.startswith(prefix):
            part = "file"
        else:
            form.errors.setdefault("general", []).extend(f"{path}: {reason}" for reason in reasons)
            continue
        form.upload.errors.setdefault(part, []).extend(reasons)

