"""Bulk edits through the API: the same job the product grid starts, for scripts."""

from __future__ import annotations

from typing import Any

from flask import url_for

from hub.errors import NotFound
from hub.store.models import BulkEdit
from hub.web.auth import current_actor, require
from hub.web.body import HubBlueprint
from hub.web.hub import hub, session
from schemas.bulk_edit import BulkEditIn, BulkEditOut

blp = HubBlueprint("bulk_edits", __name__, url_prefix="/bulk-edits",
                   description="One change applied to many products in the background, with a failure report")


@blp.route("", methods=["POST"], endpoint="start")
@require("editor")
@blp.alt_response(503, description="The task queue (CROSSCANAL_BROKER_URL) cannot be reached; nothing was started")
@blp.arguments(BulkEditIn)
@blp.response(202, BulkEditOut)
@blp.doc(summary="Start a bulk edit of the listed SKUs; answers at once, then follow GET /bulk-edits/<id>")
def start(action: dict[str, Any]) -> Any:
    editor = hub().bulk_editor()
    job = editor.start(session(), action, f"api:{current_actor().name}")
    session().commit()  # the job writes through its own sessions
    hub().run_bulk_edit(job.id)
    return job, 202, {"Location": url_for("bulk_edits.one", job_id=job.id)}


@blp.route("/<int:job_id>", methods=["GET"], endpoint="one")
@require("viewer")
@blp.response(200, BulkEditOut)
@blp.doc(summary="A bulk edit's progress, counts, and the products that failed with their reasons")
def one(job_id: int) -> Any:
    job = session().get(BulkEdit, job_id)
    if job is None:
        raise NotFound(f"no bulk edit {job_id}")
    return job
