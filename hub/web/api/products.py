"""Products and product models: the shared collection routes, plus bulk upsert, completeness,
the resolved view, history and revert."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from typing import Any, Iterator

from flask import Response, request, stream_with_context
from marshmallow import fields

from hub.errors import Conflict, HubError, NotFound, UnsupportedMediaType, ValidationFailed
from hub.services import product_index
from hub.services.completeness import completeness
from hub.services.context import CatalogContext
from hub.services.product_batch import ProductBatch
from hub.services.products import ProductModelService, ProductService
from hub.services.states import stored_state
from hub.services.resolve import resolve_product
from hub.store import product_rows
from hub.store.refusals import ROW_REFUSALS, refusal
from hub.web.auth import current_actor, require
from hub.web.body import HubBlueprint, load
from hub.web.crud import Collection, register
from hub.web.etag import check_if_match, etag_of
from hub.web.hub import catalog, hub, session
from hub.web.merge_patch import merge_patch
from schemas import json_input
from schemas.common import StrictSchema
from schemas.product import (
    CompletenessOut, ProductIn, ProductModelIn, ProductModelOut, ProductOut, RevertIn, VersionOut,
)
from schemas.resolved import ResolvedOut

BULK_BATCH = 200  # lines read, looked up and committed together


def _products() -> ProductService:
    return ProductService(session(), catalog(), current_actor().name)


def _models() -> ProductModelService:
    return ProductModelService(session(), catalog(), current_actor().name)


PRODUCTS = Collection("products", "sku", "product", _products, ProductIn, ProductOut)
MODELS = Collection("product-models", "code", "product model", _models, ProductModelIn, ProductModelOut)


class AtArgs(StrictSchema):
    at = fields.AwareDateTime(load_default=None, metadata={"description": "the moment to resolve for (default: now)"})


def blueprints() -> list[HubBlueprint]:
    products = HubBlueprint("products", __name__, url_prefix="/products", description="Products")
    _bulk(products)
    register(products, PRODUCTS)
    _product_extras(products)
    models = HubBlueprint("product-models", __name__, url_prefix="/product-models", description="Product models (variant groups)")
    register(models, MODELS)
    _history_routes(models, _models, "product model")
    return [products, models]


def _history_routes(blp: HubBlueprint, factory: Any, noun: str) -> None:
    @blp.route("/<key>/history", methods=["GET"], endpoint="history")
    @require("viewer")
    @blp.response(200, VersionOut(many=True))
    @blp.doc(summary=f"The {noun}'s versions: who changed which fields, when")
    def history(key: str) -> Any:
        service = factory()
        service.get(key)  # 404 for an unknown one rather than an empty history
        return service.history(key)

    @blp.route("/<key>/history/<int:number>", methods=["GET"], endpoint="as_of")
    @require("viewer")
    @blp.response(200)
    @blp.doc(summary=f"The {noun} as it was saved in one version")
    def as_of(key: str, number: int) -> Any:
        return factory().as_of(key, number)


def _product_extras(blp: HubBlueprint) -> None:
    _history_routes(blp, _products, "product")

    @blp.route("/<key>/revert", methods=["POST"], endpoint="revert")
    @require("editor")
    @blp.arguments(RevertIn)
    @blp.response(200, ProductOut)
    @blp.doc(summary="Restore the product as it was in an earlier version (recorded as a new version)")
    def revert(data: dict[str, Any], key: str) -> Any:
        service = _products()
        product = service.get(key)
        check_if_match(etag_of(service.state(product)))
        service.revert(product, data["version"])
        session().commit()
        return service.representation(product), 200, {"ETag": etag_of(service.state(product))}

    @blp.route("/<key>/completeness", methods=["GET"], endpoint="completeness")
    @require("viewer")
    @blp.response(200, CompletenessOut(many=True))
    @blp.doc(summary="Per channel and locale: the share of required attributes filled, and the missing ones")
    def product_completeness(key: str) -> Any:
        product = _products().get(key)
        return [dataclasses.asdict(c) for c in completeness(product, catalog().channels.values())]

    @blp.route("/<key>/resolved/<channel>", methods=["GET"], endpoint="resolved")
    @require("viewer")
    @blp.arguments(AtArgs, location="query")
    @blp.response(200, ResolvedOut)
    @blp.doc(summary="The product exactly as one channel sees it, with the brand guide's findings")
    def resolved(args: dict[str, Any], key: str, channel: str) -> Any:
        product = _products().get(key)
        found = catalog().channels.get(channel)
        if found is None:
            raise NotFound(f"no channel '{channel}'")
        view, diagnostics = resolve_product(session(), catalog(), product, found, args["at"] or datetime.now(timezone.utc))
        return {**dataclasses.asdict(view), "offer": view.offer, "store_offers": view.store_offers, "diagnostics": diagnostics}


def _bulk(blp: HubBlueprint) -> None:
    @blp.route("", methods=["PATCH"], endpoint="bulk")
    @require("editor")
    @blp.doc(
        summary="Upsert many products from NDJSON, one per line; one result line per input line",
        requestBody={"required": True, "content": {"application/x-ndjson": {"schema": {
            "type": "array", "items": {"$ref": "#/components/schemas/ProductIn"},
            "description": "NDJSON: each line one JSON object, a product or a merge patch naming its sku"}}}},
        responses={"200": {"description": "NDJSON: {line, sku, status: 201|204|422, errors}",
                           "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}},
    )
    def bulk() -> Response:
        if request.mimetype != "application/x-ndjson":
            raise UnsupportedMediaType("send products as 'Content-Type: application/x-ndjson', one JSON object per line")
        return Response(stream_with_context(_bulk_lines(current_actor().name)), mimetype="application/x-ndjson")


def _bulk_lines(author: str) -> Iterator[str]:
    """A bad line is reported and changes nothing; the good lines around it are stored.

    The answer streams while lines are read, so this job owns its session: the request's own
    is closed by the time the body is consumed. Lines are taken in batches through the bulk
    write path (``ProductBatch``: the batch's stored products read in three queries, unchanged
    ones not written, the rest written a statement per table). A line naming a SKU its batch
    already holds starts the next batch, so it patches what the earlier line stored. A batch
    the database refuses then is saved again line by line, each in a savepoint. A batch's
    results are sent once it is committed.
    """
    with hub().writers() as db:
        service = ProductService(db, CatalogContext(db), author)
        batch: list[tuple[int, Any]] = []
        skus: set[str] = set()
        for number, raw in enumerate(read_lines(request.stream), start=1):
            if not raw.strip():
                continue
            body = _parse_line(raw)
            sku = _sku_of(body)
            if len(batch) >= BULK_BATCH or (sku is not None and sku in skus):
                yield from _bulk_batch(service, batch)
                batch, skus = [], set()
            batch.append((number, body))
            if sku is not None:
                skus.add(sku)
        yield from _bulk_batch(service, batch)


def _sku_of(body: Any) -> str | None:
    return body["sku"] if isinstance(body, dict) and isinstance(body.get("sku"), str) else None


def _bulk_batch(service: ProductService, parsed: list[tuple[int, Any]]) -> Iterator[str]:
    if not parsed:
        return
    try:
        results = _batch_lines(service, parsed)
    except (*ROW_REFUSALS, Conflict):
        service.session.rollback()
        results = _careful_lines(service, parsed)
    for result in results:
        yield json.dumps(result, separators=(",", ":")) + "\n"


def _batch_lines(service: ProductService, parsed: list[tuple[int, Any]]) -> list[dict[str, Any]]:
    """The batch through the bulk write path, each line merged into its stored product first."""
    db, ctx = service.session, service.ctx
    stored = product_rows.by_skus(db, filter(None, (_sku_of(body) for _, body in parsed)))
    schema = ProductIn()
    results: list[dict[str, Any]] = []
    bodies, waiting = [], []
    for number, body in parsed:
        sku = _sku_of(body)
        try:
            if isinstance(body, HubError):
                raise body
            row = stored.get(sku) if sku else None
            bodies.append(load(schema, merge_patch(stored_state(row, ctx.codes), body) if row else body))
            waiting.append(len(results))
            results.append({"sku": sku, "line": number})
        except HubError as exc:
            results.append({"sku": sku, "status": exc.status, "errors": exc.errors or {"body": [exc.detail]}, "line": number})
    for position, saved in zip(waiting, ProductBatch(db, ctx, service.author).save(bodies)):
        status = {"created": 201, "updated": 204, "unchanged": 204}.get(saved.status, 422)
        results[position].update(status=status, errors=saved.errors)
    db.commit()
    return [{"sku": r["sku"], "status": r["status"], "errors": r["errors"], "line": r["line"]} for r in results]


def _careful_lines(service: ProductService, parsed: list[tuple[int, Any]]) -> list[dict[str, Any]]:
    """Line by line, each in a savepoint: the line the database refuses is reported, the rest kept."""
    known = service.products.by_skus(filter(None, (_sku_of(body) for _, body in parsed)))
    results = []
    with product_index.deferred(service.session, service.ctx):  # one index refresh and one flush per batch
        for number, body in parsed:
            results.append({**_bulk_line(service, body, known), "line": number})
    service.session.commit()
    return results


def _parse_line(raw: bytes) -> Any:
    try:
        return json_input.loads(raw)
    except ValueError as exc:
        return ValidationFailed(errors={"body": [f"malformed JSON: {exc}"]})


def read_lines(stream: Any, chunk_size: int = 1 << 16) -> Iterator[bytes]:
    """Lines of a request body, read in large chunks: the WSGI stream reads byte by byte otherwise."""
    pending = b""
    while chunk := stream.read(chunk_size):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        yield from complete
    if pending:
        yield pending


def _bulk_line(service: ProductService, body: Any, known: dict[str, Any]) -> dict[str, Any]:
    sku = _sku_of(body)
    try:
        if isinstance(body, HubError):
            raise body
        if not isinstance(body, dict):
            raise ValidationFailed(errors={"body": ["expected a JSON object"]})
        existing = known.get(sku) if sku else None
        data = load(ProductIn(), merge_patch(service.state(existing), body) if existing else body)
        with service.session.begin_nested():
            saved = service.save(data, existing)
        known[saved.obj.sku] = saved.obj
        return {"sku": sku, "status": 201 if saved.created else 204, "errors": {}}
    except HubError as exc:
        return {"sku": sku, "status": exc.status, "errors": exc.errors or {"body": [exc.detail]}}
    except ROW_REFUSALS as exc:
        return {"sku": sku, "status": 422, "errors": {"body": [refusal(exc, "line")]}}  # DESIGN.md: 201, 204 or 422
