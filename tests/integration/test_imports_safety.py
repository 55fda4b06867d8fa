"""Hostile files uploaded as imports are refused cleanly: the job fails with a reason a person
understands, nothing is stored, and nothing the file points at is read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.jobs.imports import Importer
from hub.store.imports import ImportJob
from schemas.imports import ImportOptionsIn
from tests.integration.helpers import Headers, everything


@pytest.fixture
def importer(app: Flask, settings: Settings) -> Importer:
    return Importer(app.extensions["crosscanal"].writers, settings.data_dir)


def run(importer: Importer, db_session: Session, path: Path) -> ImportJob:
    job = importer.start(db_session, ImportOptionsIn().load({"filename": path.name}), "test importer")
    db_session.commit()
    return importer.run(job.id, path)


def zip_bomb(path: Path) -> Path:
    """A real workbook's parts, with a sheet of 100 MB of zeros that compresses to about 100 KB."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"0" * (1 << 20)
            for _ in range(100):
                sheet.write(block)
    return path


def test_a_zip_bomb_xlsx_is_refused_and_stores_nothing(
    importer: Importer, db_session: Session, client: FlaskClient, tokens: dict[str, Headers], seeded: None, tmp_path: Path
) -> None:
    path = zip_bomb(tmp_path / "prices.xlsx")
    assert path.stat().st_size < 1 << 20
    before = everything(client, tokens["admin"])

    job = run(importer, db_session, path)

    assert (job.status, job.rows, job.created) == ("failed", 0, 0)
    assert "zip bomb" in job.error and "over the limit of 200 to 1" in job.error
    assert everything(client, tokens["admin"]) == before


def test_a_billion_laughs_xml_is_refused_and_stores_nothing(
    importer: Importer, db_session: Session, client: FlaskClient, tokens: dict[str, Headers], seeded: None, tmp_path: Path
) -> None:
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    path = tmp_path / "laughs.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE rows [<!ENTITY l0 "lol">{entities}]>'
                    '<rows><row><cell column="sku">juice</cell><cell column="brand">&l9;</cell></row></rows>')
    before = everything(client, tokens["admin"])

    job = run(importer, db_session, path)

    assert (job.status, job.rows) == ("failed", 0)
    assert "DOCTYPE" in job.error and "refused" in job.error
    assert everything(client, tokens["admin"]) == before


def test_an_external_entity_is_never_fetched_and_its_content_appears_nowhere(
    importer: Importer, db_session: Session, client: FlaskClient, tokens: dict[str, Headers], seeded: None, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    path = tmp_path / "xxe.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE rows [<!ENTITY s SYSTEM "file://{secret}">]>'
                    '<rows><row><cell column="sku">juice</cell><cell column="brand">&s;</cell></row></rows>')
    before = everything(client, tokens["admin"])

    job = run(importer, db_session, path)

    assert job.status == "failed" and "DOCTYPE" in job.error
    assert "TOP-SECRET" not in job.error
    assert "TOP-SECRET" not in importer.report_path(job.id).read_text()
    after = everything(client, tokens["admin"])
    assert after == before and "TOP-SECRET" not in repr(after)


def test_a_file_that_is_not_what_its_name_says_is_refused(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = tmp_path / "products.xlsx"
    path.write_text("sku,name\nx,y\n")
    job = run(importer, db_session, path)
    assert job.status == "failed" and "not an XLSX file" in job.error
