"""Imports and exports through the API: an upload starts the real import job on the hub's pool,
its status and report tell what happened, and an export imports back as unchanged."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hub.store.imports import ColumnMapping
from hub.store.models import Product, Version
from tests.integration.conftest import BAD_EAN, GOOD_EAN
from tests.integration.helpers import API, Headers, assert_problem, finished, row_count, upload

SUPPLIER_CSV = (f"sku;family;Title;ean;rating\n"
                f"apple-1;drinks;Apple juice;{GOOD_EAN};4.5\n"
                f"apple-2;drinks;Apple juice 2;{BAD_EAN};3\n"
                f"pear-3;drinks;Pear juice;;4\n").encode()


def test_an_upload_imports_good_rows_and_reports_the_bad_one(
        client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None) -> None:
    response = upload(client, tokens["editor"], SUPPLIER_CSV, columns='{"Title": "name-en_US"}')
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.json["status"] in ("queued", "running", "succeeded")
    job = finished(client, tokens["viewer"], response.headers["Location"])
    assert job["status"] == "succeeded", job
    assert (job["kind"], job["format"], job["rows"], job["created"], job["rejected"]) == ("products", "csv", 3, 2, 1)
    assert job["progress"] == 1.0 and job["author"].startswith("api:")
    [rejection] = job["rejections"]
    assert (rejection["row"], rejection["key"], rejection["column"], rejection["value"]) == (3, "apple-2", "ean", BAD_EAN)
    assert "check digit" in rejection["reason"].lower()
    stored = client.get(f"{API}/products/apple-1", headers=tokens["viewer"]).json
    assert stored["values"]["name"] == [{"locale": "en_US", "scope": None, "data": "Apple juice"}]
    assert client.get(f"{API}/products/apple-2", headers=tokens["viewer"]).status_code == 404

    report = client.get(f"{API}/imports/{job['id']}/report.csv", headers=tokens["viewer"])
    assert report.status_code == 200 and report.mimetype == "text/csv"
    assert f"import-{job['id']}-report.csv" in report.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["row"], r["column"], r["value"]) for r in rows] == [("3", "ean", BAD_EAN)]
    assert "check digit" in rows[0]["reason"].lower()

    listed = client.get(f"{API}/imports", headers=tokens["viewer"]).json["items"]
    assert [j["id"] for j in listed] == [job["id"]] and "rejections" not in listed[0]
    # The upload is deleted once its job has ended; the report stays.
    uploads = client.application.extensions["crosscanal"].settings.data_dir / "imports" / "uploads"
    assert not [p for p in uploads.iterdir()]


def test_a_dry_run_counts_and_stores_nothing(client: FlaskClient, db_session: Session, tokens: dict[str, Headers],
                                             seeded: None) -> None:
    products, versions = row_count(db_session, Product), row_count(db_session, Version)
    response = upload(client, tokens["editor"], SUPPLIER_CSV, dry_run="true", columns='{"Title": "name-en_US"}')
    job = finished(client, tokens["editor"], response.headers["Location"])
    assert (job["dry_run"], job["created"], job["rejected"]) == (True, 2, 1)
    assert (row_count(db_session, Product), row_count(db_session, Version)) == (products, versions)


def test_a_raw_body_with_options_in_the_query(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    body = b'{"sku": "raw-1", "family": "drinks"}\n'
    response = client.post(f"{API}/imports?kind=products", data=body, content_type="application/x-ndjson",
                           headers=tokens["editor"])
    assert response.status_code == 202, response.get_data(as_text=True)
    job = finished(client, tokens["editor"], response.headers["Location"])
    assert (job["format"], job["created"]) == ("ndjson", 1)


def test_a_file_too_large_is_refused_with_413_and_nothing_kept(
        app: Flask, client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None) -> None:
    crosscanal = app.extensions["crosscanal"]
    crosscanal.settings = replace(crosscanal.settings, import_max_bytes=100)
    body = assert_problem(upload(client, tokens["editor"], SUPPLIER_CSV * 2000), 413)  # refused by its length
    assert "at most" in body["detail"]
    raw = client.post(f"{API}/imports?filename=big.csv", data=SUPPLIER_CSV, content_type="text/csv",
                      headers=tokens["editor"])  # refused while it is copied
    assert_problem(raw, 413)
    uploads = app.extensions["crosscanal"].settings.data_dir / "imports" / "uploads"
    assert not uploads.exists() or not list(uploads.iterdir())
    assert client.get(f"{API}/imports", headers=tokens["editor"]).json["items"] == []


def test_bad_options_are_named(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    assert_problem(upload(client, tokens["editor"], SUPPLIER_CSV, kind="shoes"), 422, "kind")
    assert_problem(upload(client, tokens["editor"], SUPPLIER_CSV, columns="{not json"), 422, "columns", "JSON")
    assert_problem(upload(client, tokens["editor"], SUPPLIER_CSV, colour="red"), 422, "colour")
    assert_problem(upload(client, tokens["editor"], SUPPLIER_CSV, mapping="nobody"), 404)
    missing = client.post(f"{API}/imports", data={"kind": "products"}, content_type="multipart/form-data",
                          headers=tokens["editor"])
    assert_problem(missing, 422, "file")


def test_a_viewer_cannot_import_or_save_mappings(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    assert_problem(upload(client, tokens["viewer"], SUPPLIER_CSV), 403)
    assert_problem(client.put(f"{API}/column-mappings/acme", json={"columns": {"Title": "name-en_US"}},
                              headers=tokens["viewer"]), 403)
    assert_problem(upload(client, {}, SUPPLIER_CSV), 401)
    assert client.get(f"{API}/imports", headers=tokens["viewer"]).json["items"] == []


def test_a_saved_mapping_is_reused_by_name(client: FlaskClient, db_session: Session, tokens: dict[str, Headers],
                                           seeded: None) -> None:
    url = f"{API}/column-mappings/acme-supplier"
    put = client.put(url, json={"columns": {"Title": "name-en_US", "rating": ""}}, headers=tokens["editor"])
    assert put.status_code == 200 and put.json["columns"] == {"Title": "name-en_US", "rating": ""}
    assert client.get(url, headers=tokens["viewer"]).json["name"] == "acme-supplier"
    assert [m["name"] for m in client.get(f"{API}/column-mappings", headers=tokens["viewer"]).json["items"]] == ["acme-supplier"]
    assert_problem(client.put(f"{API}/column-mappings/bad name", json={"columns": {}}, headers=tokens["editor"]), 422, "name")
    assert_problem(client.put(url, json={"columns": {"": "x"}}, headers=tokens["editor"]), 422)

    job = finished(client, tokens["editor"],
                   upload(client, tokens["editor"], SUPPLIER_CSV, mapping="acme-supplier").headers["Location"])
    assert (job["created"], job["rejected"]) == (2, 1)
    stored = client.get(f"{API}/products/pear-3", headers=tokens["viewer"]).json
    assert "rating" not in stored["values"] and stored["values"]["name"][0]["data"] == "Pear juice"

    assert client.delete(url, headers=tokens["editor"]).status_code == 204
    assert_problem(client.get(url, headers=tokens["viewer"]), 404)
    assert row_count(db_session, ColumnMapping) == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ndjson"])
def test_an_export_imported_again_changes_nothing(client: FlaskClient, db_session: Session,
                                                  tokens: dict[str, Headers], seeded: None, fmt: str) -> None:
    exported = client.get(f"{API}/exports/products.{fmt}", headers=tokens["viewer"])
    assert exported.status_code == 200, exported.get_data(as_text=True)
    assert exported.headers["Content-Disposition"] == f"attachment; filename=products.{fmt}"
    assert exported.mimetype == {"csv": "text/csv", "ndjson": "application/x-ndjson",
                                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[fmt]
    versions = row_count(db_session, Version)
    job = finished(client, tokens["editor"],
                   upload(client, tokens["editor"], exported.data, f"products.{fmt}").headers["Location"])
    assert job["status"] == "succeeded", job
    assert (job["rows"], job["unchanged"], job["created"], job["updated"], job["rejected"]) == (
        row_count(db_session, Product), row_count(db_session, Product), 0, 0, 0)
    assert row_count(db_session, Version) == versions


def test_exports_of_stock_and_models_and_bad_names(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    stock = client.get(f"{API}/exports/stock.csv", headers=tokens["viewer"])
    assert stock.get_data(as_text=True).lstrip("\ufeff").splitlines() == ["location,sku,quantity", "wh,juice,7"]
    models = client.get(f"{API}/exports/models.ndjson", headers=tokens["viewer"])
    assert [line for line in models.get_data(as_text=True).splitlines() if '"code":"tee"' in line]
    assert_problem(client.get(f"{API}/exports/shoes.csv", headers=tokens["viewer"]), 422, "kind")
    assert_problem(client.get(f"{API}/exports/products.pdf", headers=tokens["viewer"]), 422, "format")
    assert_problem(client.get(f"{API}/exports/products.csv"), 401)


def test_unknown_jobs_and_reports_are_404(client: FlaskClient, tokens: dict[str, Headers]) -> None:
    assert_problem(client.get(f"{API}/imports/999", headers=tokens["viewer"]), 404)
    assert_problem(client.get(f"{API}/imports/999/report.csv", headers=tokens["viewer"]), 404)


def test_a_multipart_upload_takes_its_options_from_the_query_too(
        client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None) -> None:
    products, versions = row_count(db_session, Product), row_count(db_session, Version)

    def sent(query: str, **fields: str) -> Any:
        form: dict[str, Any] = {"file": (io.BytesIO(SUPPLIER_CSV), "supplier.csv"), **fields}
        return client.post(f"{API}/imports?{query}", data=form, content_type="multipart/form-data", headers=tokens["editor"])

    previewed = sent("dry_run=true", columns='{"Title": "name-en_US"}')
    assert previewed.status_code == 202, previewed.get_data(as_text=True)
    job = finished(client, tokens["editor"], previewed.headers["Location"])
    assert (job["dry_run"], job["created"], job["rejected"]) == (True, 2, 1)
    assert (row_count(db_session, Product), row_count(db_session, Version)) == (products, versions)
    assert_problem(sent("kind=AAA"), 422, "kind")
    assert_problem(sent("dry_run=true", dry_run="false"), 422, "dry_run", "once")
    assert len(client.get(f"{API}/imports", headers=tokens["viewer"]).json["items"]) == 1
