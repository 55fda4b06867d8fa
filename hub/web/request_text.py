"""Requests whose URL or form fields hold what no stored record can be looked up by are
refused before any view runs.

Bodies are checked where they are loaded (``schemas.common.StrictSchema``); the URL's path, its
query and a plain form's fields reach views as text they may look up directly (a SKU in the
path, a grid's search), and PostgreSQL answered such text with a server error. A number in the
path past what a stored id holds failed the same way ("integer out of range")."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from hub.errors import NotFound, ValidationFailed
from schemas.common import NUL, NUL_REASON

ID_MAX = 2**31 - 1  # PostgreSQL's largest INTEGER: the type of every id and version number a path names


class StoredInteger(IntegerConverter):
    """``<int:...>`` in every route: a number past ``ID_MAX`` matches no route (404), and the
    OpenAPI document states the bound."""

    def __init__(self, map: Any, *args: Any, max: int | None = ID_MAX, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        super().__init__(map, *args, max=min(max, ID_MAX) if max is not None else ID_MAX, **kwargs)


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
    """Before any route is added: the converter is looked up when a rule is."""
    app.url_map.converters["int"] = StoredInteger
    app.before_request(refuse_nul)
