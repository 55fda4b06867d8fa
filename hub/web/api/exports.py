"""Exports through the API: the whole catalog's products, product models or stock as a download
in the flat CSV or XLSX convention, or NDJSON in the API's shapes, ready to import again."""

from __future__ import annotations

from flask import Response

from hub.web.api.import_files import export_response
from hub.web.auth import require
from hub.web.body import HubBlueprint

blp = HubBlueprint("exports", __name__, url_prefix="/exports",
                   description="Downloads of products, product models or stock as CSV, XLSX or NDJSON")

ANSWERS = {"content": {
    "text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
}}


@blp.route("/<kind>.<fmt>", methods=["GET"], endpoint="download")
@require("viewer")
@blp.doc(summary="Export products, models or stock (kind) as csv, xlsx or ndjson (fmt)",
         responses={"200": {"description": "The export, as an attachment", **ANSWERS}})
def download(kind: str, fmt: str) -> Response:
    return export_response(kind, fmt)
