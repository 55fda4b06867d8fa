"""Imports through the API: upload a file (multipart, or the raw body) to start a job, follow it,
download its report; and the saved column mappings imports reuse.

The job is ``hub.jobs.imports.Importer``, the same the CLI and the Imports page run.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Response, request, url_for

from hub.errors import ValidationFailed
from hub.imports.mappings import delete_mapping, get_mapping, save_mapping
from hub.store.imports import ImportRepo
from hub.web.api.import_files import load_options, refuse_oversized_request, report_response, save_upload, start_job, the_job
from hub.web.auth import current_actor, require
from hub.web.body import HubBlueprint, load
from hub.web.hub import session
from schemas.import_api import ColumnMappingBodyIn, ColumnMappingListOut, ImportJobListOut
from schemas.imports import IMPORT_FORMATS, KINDS, ColumnMappingIn, ColumnMappingOut, ImportJobOut

blp = HubBlueprint("imports", __name__, url_prefix="/imports",
                   description="Imports of products, product models and stock from CSV, XLSX, JSON, NDJSON or XML files")
mappings_blp = HubBlueprint("column_mappings", __name__, url_prefix="/column-mappings",
                            description="Supplier headers renamed to ours, saved by name for reuse in imports")

RAW_NAMES = {"text/csv": "upload.csv", "application/x-ndjson": "upload.ndjson", "application/json": "upload.json",
             "application/xml": "upload.xml", "text/xml": "upload.xml",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "upload.xlsx"}
OPTION_DOCS = {
    "kind": {"type": "string", "enum": list(KINDS), "description": "default: told by the file's columns"},
    "format": {"type": "string", "enum": list(IMPORT_FORMATS), "description": "default: told by the name or content"},
    "dry_run": {"type": "boolean", "description": "check every row and count what would change, storing nothing"},
    "encoding": {"type": "string", "description": "CSV encoding, e.g. utf-8, utf-8-sig, latin-1 (default: detected)"},
    "delimiter": {"type": "string", "enum": [",", ";", "tab"], "description": "CSV delimiter (default: detected)"},
    "mapping": {"type": "string", "description": "the name of a saved column mapping"},
    "columns": {"type": "string", "description": 'header renames as a JSON object, e.g. {"EAN": "ean", "Notes": ""}'},
}
UPLOAD_BODY = {"content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}, **OPTION_DOCS}}},
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    "text/csv": {"schema": {"type": "string"}},
}}
RAW_PARAMETERS = [{"name": name, "in": "query", "required": False, "schema": schema, "description": schema["description"]}
                  for name, schema in {**OPTION_DOCS, "filename": {
                      "type": "string", "description": "with a raw body: the file's name, which tells its format"}}.items()]
CSV_ANSWER = {"content": {"text/csv": {"schema": {"type": "string"}}}}


@blp.route("", methods=["POST"], endpoint="start")
@require("editor")
@blp.response(202, ImportJobOut)
@blp.alt_response(413, description="The file is bigger than an import may be")
@blp.alt_response(422, description="An option is invalid; errors name it")
@blp.alt_response(503, description="The task queue (CROSSCANAL_BROKER_URL) cannot be reached; nothing was started")
@blp.doc(summary="Upload a file and start importing it; answers at once, then follow GET /imports/<id>",
         description="Send the file as multipart/form-data (field 'file', the options as further fields or in the "
                     "query string), or as the raw body with the options in the query string.",
         requestBody=UPLOAD_BODY, parameters=RAW_PARAMETERS)
def start() -> Any:
    refuse_oversized_request()
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed("the input is not valid",
                                   errors={"file": ["send the file in a multipart field named 'file'"]})
        options = load_options(_both(request.args, request.form), upload.filename or "upload")
        stream = upload.stream
    else:
        fields = {k: v for k, v in request.args.items() if k != "filename"}
        options = load_options(fields, request.args.get("filename") or RAW_NAMES.get(request.mimetype, "upload"))
        stream = request.stream
    if options.get("mapping"):
        get_mapping(session(), options["mapping"])  # refused before the upload is stored
    token = save_upload(stream, options)
    job = start_job(options, token, f"api:{current_actor().name}")
    return job, 202, {"Location": url_for("imports.one", job_id=job.id)}


def _both(query: Mapping[str, str], form: Mapping[str, str]) -> dict[str, str]:
    """A multipart upload's options: its form fields and the query's parameters, which the
    document declares for every upload. (The query was ignored: ``?dry_run=true`` beside a
    multipart file ran a real import.) An option given in both with different values is refused."""
    merged = {name: text for name, text in query.items() if name != "filename"}
    clashes = {name: [f"given as '{merged[name]}' in the query and as '{text}' in the form; give it once"]
               for name, text in form.items() if name in merged and merged[name].strip() != text.strip()}
    if clashes:
        raise ValidationFailed("the input is not valid", errors=clashes)
    return {**merged, **form}


@blp.route("", methods=["GET"], endpoint="recent")
@require("viewer")
@blp.response(200, ImportJobListOut)
@blp.doc(summary="The most recent import jobs, newest first (without their rejections)")
def recent() -> Any:
    return {"items": ImportRepo(session()).recent_jobs(50)}


@blp.route("/<int:job_id>", methods=["GET"], endpoint="one")
@require("viewer")
@blp.response(200, ImportJobOut)
@blp.doc(summary="An import's status, progress, counts and its first rejected rows with their reasons")
def one(job_id: int) -> Any:
    return the_job(job_id)


@blp.route("/<int:job_id>/report.csv", methods=["GET"], endpoint="report")
@require("viewer")
@blp.doc(summary="Every rejected row of an import: row, key, column, value, field and reason",
         responses={"200": {"description": "The report", **CSV_ANSWER}})
def report(job_id: int) -> Response:
    return report_response(job_id)


@mappings_blp.route("", methods=["GET"], endpoint="list")
@require("viewer")
@mappings_blp.response(200, ColumnMappingListOut)
@mappings_blp.doc(summary="The saved column mappings")
def list_mappings() -> Any:
    return {"items": ImportRepo(session()).mappings()}


@mappings_blp.route("/<name>", methods=["GET"], endpoint="one")
@require("viewer")
@mappings_blp.response(200, ColumnMappingOut)
@mappings_blp.doc(summary="One saved column mapping")
def one_mapping(name: str) -> Any:
    return get_mapping(session(), name)


@mappings_blp.route("/<name>", methods=["PUT"], endpoint="put")
@require("editor")
@mappings_blp.arguments(ColumnMappingBodyIn)
@mappings_blp.response(200, ColumnMappingOut)
@mappings_blp.doc(summary="Save (create or replace) a column mapping under this name")
def put_mapping(body: dict[str, Any], name: str) -> Any:
    saved = save_mapping(session(), load(ColumnMappingIn(), {"name": name, "columns": body["columns"]}))
    session().commit()
    return saved


@mappings_blp.route("/<name>", methods=["DELETE"], endpoint="delete")
@require("editor")
@mappings_blp.response(204)
@mappings_blp.doc(summary="Forget a saved column mapping")
def delete(name: str) -> Any:
    delete_mapping(session(), name)
    session().commit()
    return None
