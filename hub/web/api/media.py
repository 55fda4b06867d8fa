"""Media upload through the API; files are served publicly at /media/<path> (see hub.web.files)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from marshmallow import Schema, fields

from hub.errors import ValidationFailed
from hub.services import media
from hub.web.auth import require
from hub.web.body import HubBlueprint
from hub.web.hub import hub, session

blp = HubBlueprint("media", __name__, url_prefix="/media", description="Images and other files")


class MediaOut(Schema):
    path = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    url = fields.String()


@blp.route("", methods=["POST"], endpoint="upload")
@require("editor")
@blp.response(201, MediaOut)
@blp.doc(
    summary="Upload a file (multipart field 'file'); answers the path to use in image values and media",
    requestBody={"content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"],
    }}}},
)
def upload() -> Any:
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed(errors={"file": ["send the file as multipart/form-data in a field named 'file'"]})
    stored = media.store(session(), hub().settings.media_dir, upload.stream, upload.filename or "")
    session().commit()
    return {
        "path": stored.path, "content_type": stored.content_type, "size": stored.size, "sha256": stored.sha256,
        "url": url_for("files.media", path=stored.path, _external=True),
    }
