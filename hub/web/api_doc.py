"""The served OpenAPI document says what the API answers: every error as
``application/problem+json`` (RFC 9457, ``hub.web.errors``) with its schema, never the framework's
default ``application/json`` error body the API does not send; and how answers lead on, as links
(an answer naming a record -> every operation on that record), so a client generator or a
stateful fuzzer can follow create -> get -> patch -> delete."""

from __future__ import annotations

import re
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


# The field that names a record in its answer, by preference: products by SKU, catalog entities by
# code, jobs, publications and tokens by id, column mappings by name.
NAMING_FIELDS = ("sku", "code", "id", "name")
_PARAM = re.compile(r"\{([^}]+)\}")
_METHODS = ("get", "put", "post", "patch", "delete")


def _answer_schema(operation: dict[str, Any]) -> str | None:
    """The component a successful answer holds (a record, not a page of them), if any."""
    for status, response in operation.get("responses", {}).items():
        if str(status).startswith("2"):
            for content in response.get("content", {}).values():
                ref = content.get("schema", {}).get("$ref", "")
                if ref.startswith("#/components/schemas/"):
                    return ref.rsplit("/", 1)[1]
    return None


def declare_links(paths: dict[str, dict[str, Any]], schemas: dict[str, dict[str, Any]]) -> None:
    """Add OpenAPI links: an answer holding record S links to every operation addressed by the
    field that names S (``/products/{key}/...`` takes a product's ``sku``).

    Which records a path addresses is read off the document itself: the first parameter of the
    path names the record its collection's create (or the item's own get) answers. A new resource
    is linked without a line here."""
    record_of: dict[str, str] = {}  # "/api/v1/products/{key}" -> "ProductOut"
    for path in paths:
        if not (match := _PARAM.search(path)):
            continue
        item = path[:match.end()]
        collection = item[:match.start() - 1]
        for owner, method in ((collection, "post"), (item, "get"), (item, "put")):
            schema = _answer_schema(paths.get(owner, {}).get(method, {}))
            if schema:
                record_of[item] = schema
                break
    for source_path, operations in paths.items():
        for method, operation in operations.items():
            if method not in _METHODS or not (schema := _answer_schema(operation)):
                continue
            naming = next((name for name in NAMING_FIELDS if name in schemas.get(schema, {}).get("properties", {})), None)
            if naming is None:
                continue
            links = {}
            for target_path, target_operations in paths.items():
                match = _PARAM.search(target_path)
                if not match or record_of.get(target_path[:match.end()]) != schema:
                    continue
                pointer = "#/paths/" + target_path.replace("~", "~0").replace("/", "~1")
                for target_method in target_operations:
                    if target_method in _METHODS and (target_path, target_method) != (source_path, method):
                        name = re.sub(r"[^A-Za-z0-9]+", "_", f"{target_method} {target_path.split('/', 3)[-1]}").strip("_")
                        links[name] = {"operationRef": f"{pointer}/{target_method}",
                                       "parameters": {match.group(1): f"$response.body#/{naming}"}}
            for status, response in operation["responses"].items():
                if str(status).startswith("2") and links and response.get("content"):
                    response["links"] = links


class HubApi(Api):
    ERROR_SCHEMA = ProblemOut

    def _init_spec(self, **options: Any) -> None:
        super()._init_spec(**{**options, "extra_plugins": [*options.get("extra_plugins", ()), _ProblemContent()]})

    def declare_links(self) -> None:
        """Once every blueprint is registered: the links between operations (``declare_links``)."""
        declare_links(self.spec._paths, self.spec.components.schemas)  # apispec keeps no public view of them

    def _register_responses(self) -> None:
        """The framework's error responses, for every status, as problems."""
        self.spec.components.schema("Problem", schema=ProblemOut)
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM  # for these responses only
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE
