"""The five routes every collection shares (list, create, read, replace or patch, delete).

Each collection describes itself once as a ``Collection``; this module turns that into routes
that honour DESIGN.md's contract: cursor pages, 201/409 on create, ETags, 412 on a stale
``If-Match``, JSON merge patch, and role checks.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Response, current_app, request, url_for
from marshmallow import Schema, fields

from hub.errors import BadRequest, ValidationFailed
from hub.services.accounts import Actor
from hub.web.auth import current_actor, require
from hub.web.body import HubBlueprint, json_body, load
from hub.web.etag import check_if_match, etag_of
from hub.web.hub import session
from hub.web.merge_patch import merge_patch
from schemas.common import PageArgs

ServiceFactory = Callable[[], Any]


@dataclass(frozen=True)
class Collection:
    name: str  # the URL segment, e.g. "product-models"
    key: str  # "code" or "sku"
    noun: str
    service: ServiceFactory
    schema_in: type[Schema]
    schema_out: type[Schema]
    write_role: str = "editor"
    redact: Callable[[dict[str, Any], Actor], dict[str, Any]] = field(default=lambda rep, _actor: rep)


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        key = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        key = None
    if not key or encode_cursor(key) != cursor:  # only cursors this API made round-trip exactly
        raise BadRequest("the 'after' cursor is not one this API gave out", errors={"after": ["unknown cursor"]})
    return key


def page_schema(collection: Collection) -> type[Schema]:
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(collection.schema_out)), "next": fields.String(allow_none=True)},
        name=f"{collection.schema_out.__name__.removesuffix('Out')}Page",
    )


def _representation(collection: Collection, service: Any, obj: Any) -> dict[str, Any]:
    rep = service.representation(obj) if hasattr(service, "representation") else service.state(obj)
    return collection.redact(rep, current_actor())


def next_cursor(rows: list[Any], limit: int, key: Callable[[Any], str]) -> str | None:
    """The cursor of the page after these ``limit + 1`` rows read, or None when they were the last."""
    return encode_cursor(key(rows[limit - 1])) if len(rows) > limit else None


def _single(collection: Collection, service: Any, obj: Any, status: int) -> tuple[dict[str, Any], int, dict[str, str]]:
    headers = {"ETag": etag_of(service.state(obj))}
    if status == 201:
        headers["Location"] = url_for(f"{request.blueprint}.one", key=getattr(obj, collection.key))
    return _representation(collection, service, obj), status, headers


def register(blp: HubBlueprint, collection: Collection) -> None:
    """Add the collection's routes to ``blp`` (mounted at ``/api/v1/<name>``)."""
    c = collection
    item_out, noun = c.schema_out, c.noun

    @blp.route("", methods=["GET"], endpoint="list")
    @require("viewer")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(c))
    @blp.doc(summary=f"List {c.name}, a page at a time")
    def list_(args: dict[str, Any]) -> Any:
        service, after, limit = c.service(), decode_cursor(args["after"]), args["limit"]
        if hasattr(service, "page_records"):  # answered as built, past the schema's dump (products)
            records = service.page_records(after, limit + 1)
            return current_app.json.response({"items": records[:limit], "next": next_cursor(records, limit, lambda r: r[c.key])})
        rows = list(service.page(after, limit + 1))
        return {"items": [_representation(c, service, row) for row in rows[:limit]],
                "next": next_cursor(rows, limit, lambda row: getattr(row, c.key))}

    @blp.route("", methods=["POST"], endpoint="create")
    @require(c.write_role)
    @blp.arguments(c.schema_in)
    @blp.response(201, item_out)
    @blp.alt_response(409, description=f"A {noun} with this {c.key} exists")
    @blp.doc(summary=f"Create a {noun}")
    def create(data: dict[str, Any]) -> Any:
        service = c.service()
        obj = service.create(data)
        session().commit()
        return _single(c, service, obj, 201)

    @blp.route("/<key>", methods=["GET"], endpoint="one")
    @require("viewer")
    @blp.response(200, item_out)
    @blp.doc(summary=f"Read one {noun}; its ETag is in the header")
    def read(key: str) -> Any:
        service = c.service()
        return _single(c, service, service.get(key), 200)

    @blp.route("/<key>", methods=["PUT"], endpoint="put")
    @require(c.write_role)
    @blp.arguments(c.schema_in)
    @blp.response(200, item_out)
    @blp.alt_response(201, schema=item_out, description="Created")
    @blp.alt_response(412, description="If-Match names a version that is not current")
    @blp.doc(summary=f"Create or replace a {noun}")
    def put(data: dict[str, Any], key: str) -> Any:
        service = c.service()
        existing = service.find(key)
        check_if_match(etag_of(service.state(existing)) if existing is not None else None)
        if existing is None:
            if data[c.key] != key:
                raise ValidationFailed(errors={c.key: [f"the body names '{data[c.key]}' but the URL names '{key}'"]})
            obj, status = service.create(data), 201
        else:
            obj, status = service.replace(existing, data), 200
        session().commit()
        return _single(c, service, obj, status)

    @blp.route("/<key>", methods=["PATCH"], endpoint="patch")
    @require(c.write_role)
    @blp.response(200, item_out)
    @blp.alt_response(412, description="If-Match names a version that is not current")
    @blp.doc(
        summary=f"Change part of a {noun} (JSON merge patch; values merge per attribute, locale and scope)",
        requestBody={"required": True, "content": {
            "application/merge-patch+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        }},
    )
    def patch(key: str) -> Any:
        service = c.service()
        existing = service.get(key)
        check_if_match(etag_of(service.state(existing)))
        body = json_body()
        if not isinstance(body, dict):
            raise ValidationFailed(errors={"body": ["a merge patch is a JSON object"]})
        data = load(c.schema_in(), merge_patch(service.state(existing), body))
        obj = service.replace(existing, data)
        session().commit()
        return _single(c, service, obj, 200)

    @blp.route("/<key>", methods=["DELETE"], endpoint="delete")
    @require(c.write_role)
    @blp.response(204)
    @blp.alt_response(409, description=f"The {noun} is still in use")
    @blp.doc(summary=f"Delete a {noun}")
    def delete(key: str) -> Response:
        service = c.service()
        existing = service.get(key)
        check_if_match(etag_of(service.state(existing)))
        service.delete(existing)
        session().commit()
        return Response(status=204)
