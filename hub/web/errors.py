"""Every error leaves as ``application/problem+json`` (RFC 9457) with per-field reasons."""

from __future__ import annotations

import logging

from flask import Flask, Response, json, request
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from hub.errors import Conflict, HubError, PreconditionFailed, ValidationFailed
from schemas.errors import flatten_messages

logger = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def from_marshmallow(err: ValidationError) -> ValidationFailed:
    return ValidationFailed("the input is not valid", errors=flatten_messages(err.messages))


def problem_response(error: HubError) -> Response:
    body = error.problem()
    body["instance"] = request.path
    response = Response(json.dumps(body), status=error.status, mimetype=PROBLEM)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="crosscanal"'
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(HubError, problem_response)
    app.register_error_handler(ValidationError, lambda err: problem_response(from_marshmallow(err)))
    app.register_error_handler(
        StaleDataError, lambda _err: problem_response(PreconditionFailed("someone else changed it meanwhile; read it again"))
    )

    @app.errorhandler(IntegrityError)
    def _integrity(err: IntegrityError) -> Response:
        # Two writers creating the same code at once: the loser learns it as a conflict.
        logger.info("integrity error on %s: %s", request.path, err.orig)
        return problem_response(Conflict("the change clashes with stored data (a duplicate or a reference in use)"))

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Response:
        data = getattr(err, "data", None) or {}
        error = HubError(err.description or err.name)
        error.status, error.title = err.code or 500, err.name
        error.type = f"/problems/http-{err.code}"
        if data.get("messages"):
            error.errors = flatten_messages(data["messages"])
        response = problem_response(error)
        for name, value in err.get_headers():  # a 405's Allow, a 416's Content-Range: all but the body's type
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(HubError("an unexpected error happened; it was logged"))
