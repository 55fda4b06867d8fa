"""The served OpenAPI document says what the API answers: every error as
``application/problem+json`` (RFC 9457, ``hub.web.errors``) with its schema, never the framework's
default ``application/json`` error body the API does not send."""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask_smorest import Api
from marshmallow import Schema, fields

PROBLEM = "application/problem+json"


class ProblemOut(Schema):
    """An error: RFC 9457's members, and ``errors``, the reasons by field path."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "reasons by field path, e.g. values.ean[0].data"})


class _ProblemContent(BasePlugin):
    """An error response declared by its description alone (an ``alt_response``) gets the problem body."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any) -> None:
        for operation in (operations or {}).values():
            for status, response in operation.get("responses", {}).items():
                if str(status)[0] in "45" and isinstance(response, dict) and "$ref" not in response and not response.get("content"):
                    response["content"] = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}


class HubApi(Api):
    ERROR_SCHEMA = ProblemOut

    def _init_spec(self, **options: Any) -> None:
        super()._init_spec(**{**options, "extra_plugins": [*options.get("extra_plugins", ()), _ProblemContent()]})

    def _register_responses(self) -> None:
        """The framework's error responses, for every status, as problems."""
        self.spec.components.schema("Problem", schema=ProblemOut)
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM  # for these responses only
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE
