"""Bulk edits from the product grid: start one on the ticked products or on every match of the
search, follow its progress, and read (or download) what failed and why.

The job is ``hub.jobs.bulk_edits.BulkEditor``, which saves each product through the same
``ProductService`` as the product page and the API.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for

from hub.errors import ValidationFailed
from hub.services import product_search
from hub.store.models import BulkEdit
from hub.web.body import load
from hub.web.hub import catalog, hub, session
from hub.web.ui.access import current_user, needs
from hub.web.ui.grid import FILTER_NAMES
from schemas.bulk_edit import BulkEditIn, BulkEditOut
from schemas.product_grid import GridQueryIn

ACTION_FIELDS = ("action", "attribute", "locale", "scope", "value", "category")


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/bulk-edits", "start_bulk_edit", start, methods=["POST"])
    blp.add_url_rule("/bulk-edits/<int:job_id>", "bulk_edit", show)
    blp.add_url_rule("/bulk-edits/<int:job_id>/status", "bulk_edit_status", status)
    blp.add_url_rule("/bulk-edits/<int:job_id>/failures.csv", "bulk_edit_failures", failures_csv)


@needs("editor")
def start() -> Response:
    filters = {name: request.form.get(f"filter:{name}", "") for name in FILTER_NAMES}
    back = url_for("ui.products", **{k: v for k, v in filters.items() if v})
    try:
        if request.form.get("target") == "all":
            skus = product_search.matching_skus(session(), catalog(), GridQueryIn().load_args(filters))
        else:
            skus = request.form.getlist("sku")
        fields: dict[str, Any] = {name: request.form.get(name) or None for name in ACTION_FIELDS}
        fields["value"] = request.form.get("value", "")
        action = load(BulkEditIn(), {**fields, "skus": skus})
        job = hub().bulk_editor().start(session(), action, f"user:{current_user().email}")
    except ValidationFailed as exc:
        return _refused(exc.errors, back)
    session().commit()  # the job writes through its own sessions
    hub().run_bulk_edit(job.id)
    return redirect(url_for("ui.bulk_edit", job_id=job.id))


def _refused(errors: dict[str, list[str]], back: str) -> Response:
    session().rollback()
    names = {"skus": "Products", "attribute": "Attribute", "locale": "Locale", "scope": "Channel",
             "value": "Value", "category": "Category", "action": "Change"}
    for field, reasons in errors.items():
        label = names.get(field.split("[", 1)[0], field)
        flash(f"Bulk edit not started. {label}: {'; '.join(reasons)}", "error")
    return redirect(back)


def _job(job_id: int) -> BulkEdit:
    job = session().get(BulkEdit, job_id)
    if job is None:
        abort(404, f"No bulk edit {job_id}.")
    return job


def show(job_id: int) -> str:
    return render_template("ui/bulk_edit.html", job=_job(job_id), attribute=catalog().attributes.get(_job(job_id).action.get("attribute") or ""))


def status(job_id: int) -> Response:
    return jsonify(BulkEditOut(exclude=("failures",)).dump(_job(job_id)))


def failures_csv(job_id: int) -> Response:
    job = _job(job_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "field", "reason"])
    for failure in job.failures:
        for field, reasons in failure["errors"].items():
            for reason in reasons:
                writer.writerow([failure["sku"], field, reason])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="bulk-edit-{job_id}-failures.csv"'})
