"""What the import API and the Imports page share: keeping an upload, starting its job on the
hub's pool, starting an export job, and sending a job's report, an export job's file or a
catalog export as a download.

Both front ends call these, so an upload from a script and one from the browser meet the same
size limit, the same options schema and the same job.
"""

from __future__ import annotations

import json
import tempfile
from functools import partial
from typing import Any, BinaryIO, Mapping

from flask import Response, request, send_file

from hub.errors import Gone, NotFound, ValidationFailed
from hub.exports.catalog_export import export
from hub.imports.uploads import UploadTooLarge, Uploads
from hub.jobs.imports import Importer
from hub.store.export_jobs import ExportJob
from hub.store.imports import ImportJob
from hub.web.body import load
from hub.web.hub import hub, session
from schemas.imports import ExportOptionsIn, ImportOptionsIn

OPTION_FIELDS = ("kind", "format", "dry_run", "encoding", "delimiter", "mapping", "columns")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MULTIPART_SLACK = 64 * 1024  # room for the multipart envelope around the file itself


def uploads() -> Uploads:
    """The upload folder, with the size limit (``CROSSCANAL_IMPORT_MAX_BYTES``)."""
    return Uploads(hub().settings.data_dir, hub().settings.import_max_bytes)


def importer() -> Importer:
    return Importer(hub().writers, hub().settings.data_dir)


def refuse_oversized_request() -> None:
    """Refuse a body whose declared length is already too big, before reading any of it."""
    folder = uploads()
    if request.content_length is not None and request.content_length > folder.max_bytes + MULTIPART_SLACK:
        raise UploadTooLarge(folder.too_large())


def load_options(fields: Mapping[str, str], filename: str) -> dict[str, Any]:
    """Import options sent as form fields or query parameters (text), through ``ImportOptionsIn``:
    empty fields mean "detect it", and ``columns`` is a JSON object. Raises ValidationFailed."""
    data: dict[str, Any] = {"filename": filename}
    for name, text in fields.items():
        if name not in OPTION_FIELDS and name != "filename":
            data[name] = text  # the strict schema names it as unknown
        elif name != "filename" and text.strip():
            data[name] = text.strip()
    if "columns" in data:
        try:
            data["columns"] = json.loads(data["columns"])
        except ValueError:
            raise ValidationFailed("the input is not valid", errors={
                "columns": ['a JSON object of renames, as {"EAN": "ean", "Notes": ""}']}) from None
    return load(ImportOptionsIn(), data)


def start_job(options: dict[str, Any], token: str, author: str) -> ImportJob:
    """Record the job in the request's session, commit, and run it on the hub's pool (or queue it
    for the workers); the upload is deleted when the job ends. Raises NotFound for an unknown
    saved mapping, ServiceUnavailable when the broker cannot be reached."""
    job = importer().start(session(), options, author)
    session().commit()  # the job writes through its own sessions
    hub().run_import(job.id, token, partial(uploads().run_then_discard, importer().run, job.id, token))
    return job


def save_upload(stream: BinaryIO, options: dict[str, Any]) -> str:
    return uploads().save(stream, options)


def the_job(job_id: int) -> ImportJob:
    job = session().get(ImportJob, job_id)
    if job is None:
        raise NotFound(f"no import job {job_id}")
    return job


def report_response(job_id: int) -> Response:
    """The job's full report of rejected rows, as CSV; raises NotFound before the job has run."""
    the_job(job_id)
    path = importer().report_path(job_id)
    if not path.is_file():
        raise NotFound(f"import {job_id} has no report yet: it is written once the job starts")
    return send_file(path, mimetype="text/csv", as_attachment=True, download_name=f"import-{job_id}-report.csv",
                     max_age=0)


def export_response(kind: str, fmt: str) -> Response:
    """The whole catalog's products, models or stock as a download. Written to a temporary file
    first (memory stays flat) so an export that fails answers an error, not half a file."""
    options = load(ExportOptionsIn(), {"kind": kind, "format": fmt})
    out = tempfile.TemporaryFile()
    try:
        export(session(), options["kind"], options["format"], out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return send_file(out, mimetype=CONTENT_TYPES[options["format"]], as_attachment=True,
                     download_name=f"{options['kind']}.{options['format']}", max_age=0)


def start_export(kind: str, fmt: str, author: str) -> ExportJob:
    """Record an export job, commit, and run it on the hub's pool (or queue it for the workers).
    Raises ValidationFailed naming ``kind`` or ``format``, ServiceUnavailable when the broker
    cannot be reached."""
    options = load(ExportOptionsIn(), {"kind": kind, "format": fmt})
    job = hub().exporter().start(session(), options, author)
    session().commit()  # the job writes through its own sessions
    hub().run_export(job.id)
    return job


def the_export(job_id: int) -> ExportJob:
    job = session().get(ExportJob, job_id)
    if job is None:
        raise NotFound(f"no export job {job_id}")
    return job


def export_file_response(job_id: int) -> Response:
    """A finished export job's file; NotFound before it succeeded, Gone once newer jobs' files
    replaced it."""
    job = the_export(job_id)
    if job.status != "succeeded":
        raise NotFound(f"export {job_id} has no file: it is {job.status}" + (f" ({job.error})" if job.error else ""))
    path = hub().exporter().path(job)
    if not path.is_file():
        raise Gone(f"the file of export {job_id} was removed to make room for newer exports: export again")
    return send_file(path, mimetype=CONTENT_TYPES[job.format], as_attachment=True,
                     download_name=f"{job.kind}.{job.format}", max_age=0)
