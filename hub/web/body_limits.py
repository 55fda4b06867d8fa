"""How large a request body each route reads: a file upload up to its own limit, the NDJSON bulk
endpoint without one (it reads line by line, in flat memory, as imports do), everything else (a
JSON body, a form) up to ``BODY_MAX``. Past it the answer is 413, before the body is read whole:
a request of a gigabyte of JSON was read into memory."""

from __future__ import annotations

from flask import Flask, request

from hub.services.media import MAX_BYTES as MEDIA_MAX
from hub.web.api.import_files import MULTIPART_SLACK
from hub.web.hub import hub

BODY_MAX = 10 * 1024 * 1024  # a product with every value in every locale is a few hundred KB
UPLOADS = {"imports.start", "ui.upload_import"}
MEDIA = {"media.upload", "ui.add_product_media"}
STREAMED = {"products.bulk"}


def _limit() -> None:
    if request.endpoint in UPLOADS:
        request.max_content_length = hub().settings.import_max_bytes + MULTIPART_SLACK
    elif request.endpoint in MEDIA:
        request.max_content_length = MEDIA_MAX + MULTIPART_SLACK
    elif request.endpoint in STREAMED:
        request.max_content_length = None
    else:
        request.max_content_length = BODY_MAX


def init_app(app: Flask) -> None:
    app.before_request(_limit)
