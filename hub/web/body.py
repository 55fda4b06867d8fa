"""Reading request bodies strictly: the right content type, well-formed JSON, and the schema."""

from __future__ import annotations

from typing import Any, NoReturn

import flask
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser

from hub.errors import UnsupportedMediaType, ValidationFailed
from schemas import json_input
from schemas.errors import flatten_messages

JSON_TYPES = ("application/json", "application/merge-patch+json")


def _malformed(error: Exception) -> ValidationFailed:
    return ValidationFailed("the body is not valid JSON", errors={"body": [f"malformed JSON: {error}"]})


def _require_json_type(req: flask.Request) -> None:
    if req.mimetype not in JSON_TYPES and not req.mimetype.endswith("+json"):
        raise UnsupportedMediaType(f"send JSON with 'Content-Type: application/json', not '{req.mimetype or 'nothing'}'")


class HubParser(FlaskParser):
    """webargs, with our errors: 415 for a body that is not JSON, 422 naming the field otherwise."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        _require_json_type(req)
        try:
            return json_input.loads(req.get_data(cache=True))
        except ValueError as exc:
            raise _malformed(exc) from exc

    def _handle_invalid_json_error(self, error: Exception, req: flask.Request, *args: Any, **kwargs: Any) -> NoReturn:
        raise _malformed(error)

    def handle_error(self, error: ValidationError, req: flask.Request, schema: Schema, **kwargs: Any) -> NoReturn:
        messages = error.messages
        if isinstance(messages, dict) and len(messages) == 1 and next(iter(messages)) in ("json", "query", "form"):
            messages = next(iter(messages.values()))
        raise ValidationFailed("the input is not valid", errors=flatten_messages(messages))


class HubBlueprint(Blueprint):
    ARGUMENTS_PARSER = HubParser()


def json_body() -> Any:
    """The request's JSON, for bodies that are merged before their schema sees them (PATCH)."""
    _require_json_type(flask.request)
    try:
        return json_input.loads(flask.request.get_data(cache=True) or b"")
    except ValueError as exc:
        raise _malformed(exc) from exc


def load(schema: Schema, data: Any) -> Any:
    """Load through a schema, turning its errors into our 422 with field paths."""
    if not isinstance(data, dict) and not getattr(schema, "many", False):
        raise ValidationFailed(errors={"body": ["expected a JSON object"]})
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed("the input is not valid", errors=flatten_messages(exc.messages)) from exc
