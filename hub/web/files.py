"""Public files: media (channels fetch product images without a token) and the offline API docs."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, Response, send_file, send_from_directory

from hub.services import media
from hub.web.hub import hub, session

blp = Blueprint("files", __name__)

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Crosscanal API</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>"""
# A file of its own: the pages' Content-Security-Policy runs no inline script.
DOCS_INIT = 'SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#docs", deepLinking: true});\n'


@blp.route("/media/<path:path>", endpoint="media")
def media_file(path: str) -> Response:
    found, record = media.locate(session(), hub().settings.media_dir, path)
    response = send_file(found, mimetype=record.content_type, etag=record.sha256, conditional=True, max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if record.content_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@blp.route("/api/docs")
def docs() -> Response:
    """Swagger UI from the swagger-ui-bundle package, so the docs work without the internet."""
    return Response(DOCS_PAGE, mimetype="text/html")


@blp.route("/api/docs/init.js")
def docs_init() -> Response:
    return Response(DOCS_INIT, mimetype="text/javascript")


@blp.route("/api/docs/static/<path:name>")
def docs_static(name: str) -> Response:
    return send_from_directory(Path(swagger_ui_bundle.swagger_ui_path), name)
