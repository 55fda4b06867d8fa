"""Export jobs through the API: started, followed and downloaded like an import, the file the
same bytes as the direct download; a bad kind or format refused naming it; the files of old jobs
removed (410), and a job that cannot write its file failed with a reason and no half file."""

from __future__ import annotations


import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hub.jobs import exports
from hub.store.models import ExportJob, Product
from tests.integration.helpers import API, Headers, assert_problem, finished, row_count, xlsx_cells


def _export(client: FlaskClient, tokens: dict[str, Headers], kind: str, fmt: str) -> dict:
    started = client.post(f"{API}/exports", json={"kind": kind, "format": fmt}, headers=tokens["viewer"])
    assert started.status_code == 202, started.get_data(as_text=True)
    assert started.json["status"] in ("queued", "running", "succeeded") and started.json["author"] == "api:token:test viewer"
    return finished(client, tokens["viewer"], started.headers["Location"])


@pytest.mark.parametrize("kind, fmt", [("products", "csv"), ("products", "xlsx"), ("models", "ndjson"), ("stock", "csv")])
def test_an_export_job_gives_the_same_file_as_the_direct_download(client: FlaskClient, db_session: Session,
                                                                   tokens: dict[str, Headers], seeded: None,
                                                                   kind: str, fmt: str) -> None:
    job = _export(client, tokens, kind, fmt)
    assert job["status"] == "succeeded", job
    assert job["progress"] == 1.0 and job["written"] == job["total"] > 0 and job["size"] > 0
    if kind == "products":
        assert job["total"] == row_count(db_session, Product)
    got = client.get(f"{API}/exports/{job['id']}/file", headers=tokens["viewer"])
    assert got.status_code == 200 and got.headers["Content-Disposition"] == f"attachment; filename={kind}.{fmt}"
    direct = client.get(f"{API}/exports/{kind}.{fmt}", headers=tokens["viewer"])
    if fmt == "xlsx":  # an XLSX holds the moment it was written: compare the sheets' cells
        assert xlsx_cells(got.data) == xlsx_cells(direct.data)
    else:
        assert got.data == direct.data and len(got.data) == job["size"]


def test_bad_options_unknown_jobs_and_files_not_ready(client: FlaskClient, tokens: dict[str, Headers], seeded: None,
                                                      db_session: Session) -> None:
    assert_problem(client.post(f"{API}/exports", json={"kind": "shoes"}, headers=tokens["viewer"]), 422, "kind")
    assert_problem(client.post(f"{API}/exports", json={"format": "pdf"}, headers=tokens["viewer"]), 422, "format")
    assert_problem(client.post(f"{API}/exports", json={"kind": "products"}), 401)
    assert row_count(db_session, ExportJob) == 0
    assert_problem(client.get(f"{API}/exports/999", headers=tokens["viewer"]), 404)
    assert_problem(client.get(f"{API}/exports/999/file", headers=tokens["viewer"]), 404)
    queued = ExportJob(author="test", kind="products", format="csv", status="queued")
    db_session.add(queued)
    db_session.commit()
    problem = assert_problem(client.get(f"{API}/exports/{queued.id}/file", headers=tokens["viewer"]), 404)
    assert "queued" in problem["detail"]


def test_the_files_of_old_jobs_are_removed(client: FlaskClient, tokens: dict[str, Headers], seeded: None,
                                           monkeypatch: pytest.MonkeyPatch, app: Flask) -> None:
    monkeypatch.setattr(exports, "KEPT_FILES", 1)
    first = _export(client, tokens, "stock", "csv")
    second = _export(client, tokens, "stock", "ndjson")
    assert (first["status"], second["status"]) == ("succeeded", "succeeded")
    problem = assert_problem(client.get(f"{API}/exports/{first['id']}/file", headers=tokens["viewer"]), 410)
    assert "export again" in problem["detail"]
    assert client.get(f"{API}/exports/{second['id']}/file", headers=tokens["viewer"]).status_code == 200
    folder = app.extensions["crosscanal"].settings.data_dir
    assert sorted(p.name for p in (folder / "exports").iterdir()) == [f"export-{second['id']}.ndjson"]


def test_a_job_that_cannot_write_its_file_fails_with_a_reason(client: FlaskClient, tokens: dict[str, Headers], seeded: None,
                                                              app: Flask) -> None:
    folder = app.extensions["crosscanal"].settings.data_dir / "exports"
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_bytes(b"not a folder")  # where the files go is taken
    job = _export(client, tokens, "products", "csv")
    assert job["status"] == "failed" and job["error"] and str(folder) not in job["error"], job
    assert job["finished"] and job["size"] is None
    assert_problem(client.get(f"{API}/exports/{job['id']}/file", headers=tokens["viewer"]), 404)
