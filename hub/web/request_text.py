"""Requests whose URL or form fields hold a NUL character are refused before any view runs.

Bodies are checked where they are loaded (``schemas.common.StrictSchema``); the URL's path, its
query and a plain form's fields reach views as text they may look up directly (a SKU in the
path, a grid's search), and PostgreSQL answered such text with a server error."""

from __future__ import annotations

from flask import Flask, request

from hub.errors import NotFound, ValidationFailed
from schemas.common import NUL, NUL_REASON


def refuse_nul() -> None:
    if NUL in request.path:
        raise NotFound("nothing is stored under a path holding a NUL character (U+0000)")
    fields = list(request.args.items(multi=True))
    if request.mimetype == "application/x-www-form-urlencoded":
        fields += request.form.items(multi=True)
    errors = {name: [NUL_REASON] for name, text in fields if NUL in name or NUL in text}
    if errors:
        raise ValidationFailed("the input is not valid", errors=errors)


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
