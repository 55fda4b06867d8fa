"""The Imports page: upload a file with its options, check its columns in a preview (rename,
ignore, save the renames as a mapping), start the import, follow it, read what was rejected;
and start an export job, follow it and download its file.

Uploads, jobs, reports and exports go through ``hub.web.api.import_files``, which the API uses
too, and the job is ``hub.jobs.imports.Importer``: the same rules whichever door a file came in.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for

from hub.errors import HubError, ValidationFailed
from hub.imports.errors import FileRefused
from hub.imports.mappings import get_mapping, save_mapping
from hub.imports.preview import Preview, preview
from hub.store.imports import ImportRepo
from hub.web.api.import_files import (export_file_response, load_options, refuse_oversized_request, report_response,
                                      save_upload, start_export, start_job, the_export, the_job, uploads)
from hub.web.body import load
from hub.web.hub import catalog, session
from hub.web.ui.access import current_user, needs
from hub.web.ui.import_columns import column_suggestions
from schemas.imports import EXPORT_FORMATS, IMPORT_FORMATS, KINDS, ColumnMappingIn, ExportJobOut, ImportJobOut

FIELD_NAMES = {"file": "File", "kind": "What the file holds", "format": "Format", "encoding": "Encoding",
               "delimiter": "Delimiter", "mapping": "Saved mapping", "columns": "Columns", "name": "Save the mapping as",
               "filename": "File"}


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/imports", "imports", index)
    blp.add_url_rule("/imports", "upload_import", upload, methods=["POST"])
    blp.add_url_rule("/imports/uploads/<token>", "import_preview", show_preview)
    blp.add_url_rule("/imports/uploads/<token>", "start_import", start, methods=["POST"])
    blp.add_url_rule("/imports/<int:job_id>", "import_job", show_job)
    blp.add_url_rule("/imports/<int:job_id>/status", "import_status", status)
    blp.add_url_rule("/imports/<int:job_id>/report.csv", "import_report", report)
    blp.add_url_rule("/exports", "start_export", start_export_job, methods=["POST"])
    blp.add_url_rule("/exports/<int:job_id>", "export_job", show_export)
    blp.add_url_rule("/exports/<int:job_id>/status", "export_status", export_status)
    blp.add_url_rule("/exports/<int:job_id>/file", "export_file", export_file)


def index() -> str:
    repo = ImportRepo(session())
    return render_template("ui/imports.html", jobs=repo.recent_jobs(30), mappings=repo.mappings(), kinds=KINDS,
                           formats=IMPORT_FORMATS, export_formats=EXPORT_FORMATS, exports=repo.recent_exports(10),
                           limit=uploads().limit)


def _refused(what: str, errors: dict[str, list[str]], detail: str = "") -> None:
    if not errors:
        flash(f"{what} {detail}", "error")
    for field, reasons in errors.items():
        label = FIELD_NAMES.get(field.split("[", 1)[0], field)
        flash(f"{what} {label}: {'; '.join(reasons)}", "error")


@needs("editor")
def upload() -> Response:
    try:
        refuse_oversized_request()
        file = request.files.get("file")
        if file is None or not file.filename:
            raise ValidationFailed(errors={"file": ["choose a file to import"]})
        fields = {k: v for k, v in request.form.items() if k != "csrf_token"}
        fields["dry_run"] = "true" if request.form.get("dry_run") else "false"
        options = load_options(fields, file.filename)
        if options.get("mapping"):
            get_mapping(session(), options["mapping"])
        token = save_upload(file.stream, options)
    except HubError as exc:
        _refused("File not uploaded.", exc.errors, exc.detail)
        return redirect(url_for("ui.imports"))
    return redirect(url_for("ui.import_preview", token=token))


def _read(token: str) -> tuple[dict[str, Any], Preview] | None:
    """The upload's options and preview; None (with the reason flashed, the upload deleted) when
    the file cannot be imported at all."""
    folder = uploads()
    options = folder.options(token)
    try:
        return options, preview(session(), folder.path(token), options)
    except FileRefused as exc:
        folder.discard(token)
        _refused(f"“{options.get('filename', 'The file')}” was refused:", exc.errors, exc.detail)
        return None


def show_preview(token: str) -> str | Response:
    found = _read(token)
    if found is None:
        return redirect(url_for("ui.imports"))
    options, checked = found
    return render_template("ui/import_preview.html", token=token, options=options, preview=checked,
                           suggestions=column_suggestions(catalog(), checked.kind), kinds=KINDS)


@needs("editor")
def start(token: str) -> Response:
    back = redirect(url_for("ui.import_preview", token=token))
    if request.form.get("action") == "cancel":
        uploads().discard(token)
        flash("Upload discarded; nothing was imported.", "notice")
        return redirect(url_for("ui.imports"))
    found = _read(token)
    if found is None:
        return redirect(url_for("ui.imports"))
    options, checked = found
    try:
        saved = dict(get_mapping(session(), options["mapping"]).columns) if options.get("mapping") else {}
        chosen = {}
        for index, header in enumerate(checked.headers):
            name = "" if request.form.get(f"ignore-{index}") else request.form.get(f"map-{index}", header.name).strip()
            chosen[header.header] = name
        columns = {h: n for h, n in chosen.items() if n != h or h in saved}
        fields = {"kind": request.form.get("kind") or options.get("kind") or "",
                  "dry_run": "true" if request.form.get("dry_run") else "false"}
        fields.update({name: options.get(name) or "" for name in ("format", "encoding", "delimiter", "mapping")})
        new = load_options({**fields, "columns": json.dumps(columns)}, options["filename"])
        if request.form.get("action") != "start":
            uploads().write_options(token, new)
            return back
        save_as = request.form.get("save_as", "").strip()
        if save_as:
            renames = {h: n for h, n in chosen.items() if n != h}
            save_mapping(session(), load(ColumnMappingIn(), {"name": save_as, "columns": renames}))
            new = {**new, "mapping": save_as, "columns": {h: n for h, n in chosen.items() if n == h and h in saved}}
            flash(f"Column mapping “{save_as}” saved.", "notice")
        job = start_job(new, token, f"user:{current_user().email}")
    except HubError as exc:
        session().rollback()
        _refused("Import not started.", exc.errors, exc.detail)
        return back
    return redirect(url_for("ui.import_job", job_id=job.id))


def show_job(job_id: int) -> str:
    return render_template("ui/import_job.html", job=the_job(job_id))


def status(job_id: int) -> Response:
    return jsonify(ImportJobOut(exclude=("rejections",)).dump(the_job(job_id)))


def report(job_id: int) -> Response:
    return report_response(job_id)


@needs("viewer")
def start_export_job() -> Response:
    """Any signed-in user may export: viewers read the whole catalog anyway."""
    try:
        job = start_export(request.form.get("kind", ""), request.form.get("format", ""), f"user:{current_user().email}")
    except HubError as exc:
        session().rollback()
        _refused("Export not started.", exc.errors, exc.detail)
        return redirect(url_for("ui.imports"))
    return redirect(url_for("ui.export_job", job_id=job.id))


def show_export(job_id: int) -> str:
    return render_template("ui/export_job.html", job=the_export(job_id))


def export_status(job_id: int) -> Response:
    return jsonify(ExportJobOut().dump(the_export(job_id)))


def export_file(job_id: int) -> Response:
    return export_file_response(job_id)
