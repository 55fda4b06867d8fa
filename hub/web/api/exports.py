"""Exports through the API: the whole catalog's products, product models or stock in the flat
CSV or XLSX convention, or NDJSON in the API's shapes, ready to import again. An export job
(``POST /exports``) writes the file in the background, on the workers when a broker is set, and
follows like an import; the direct download answers from the request itself, for small catalogs
and quick scripts."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for

from hub.web.api.import_files import export_file_response, export_response, start_export, the_export
from hub.web.auth import current_actor, require
from hub.web.body import HubBlueprint
from schemas.imports import ExportJobOut, ExportOptionsIn

blp = HubBlueprint("exports", __name__, url_prefix="/exports",
                   description="Products, product models or stock as CSV, XLSX or NDJSON: export jobs and direct downloads")

ANSWERS = {"content": {
    "text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
}}


@blp.route("", methods=["POST"], endpoint="start")
@require("viewer")
@blp.arguments(ExportOptionsIn)
@blp.response(202, ExportJobOut)
@blp.alt_response(503, description="The task queue (CROSSCANAL_BROKER_URL) cannot be reached; nothing was started")
@blp.doc(summary="Start an export job; answers at once, then follow GET /exports/<id> and download GET /exports/<id>/file")
def start(options: dict[str, Any]) -> Any:
    job = start_export(options["kind"], options["format"], f"api:{current_actor().name}")
    return job, 202, {"Location": url_for("exports.one", job_id=job.id)}


@blp.route("/<int:job_id>", methods=["GET"], endpoint="one")
@require("viewer")
@blp.response(200, ExportJobOut)
@blp.doc(summary="An export job's status, progress and size")
def one(job_id: int) -> Any:
    return the_export(job_id)


@blp.route("/<int:job_id>/file", methods=["GET"], endpoint="file")
@require("viewer")
@blp.alt_response(410, description="The file was removed to make room for newer exports")
@blp.doc(summary="A finished export job's file (404 until it succeeded)",
         responses={"200": {"description": "The export, as an attachment", **ANSWERS}})
def file(job_id: int) -> Response:
    return export_file_response(job_id)


@blp.route("/<kind>.<fmt>", methods=["GET"], endpoint="download")
@require("viewer")
@blp.doc(summary="Export products, models or stock (kind) as csv, xlsx or ndjson (fmt), answered by the request itself",
         responses={"200": {"description": "The export, as an attachment", **ANSWERS}})
def download(kind: str, fmt: str) -> Response:
    return export_response(kind, fmt)
