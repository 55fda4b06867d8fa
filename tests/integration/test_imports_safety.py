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
from tests.integration.helpers import Headers, everything, tiny_png


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


@pytest.mark.parametrize(("first_line", "said"), [
    ("x" * (50 << 20), "longer than 16,777,216 characters"),  # 50 MB, no delimiter, no line end
    ("," * (1 << 20), "more than 16,384 columns"),  # counted before it is parsed
    ("sku," + "n" * 200_000, "the header row cannot be read"),  # a cell past the csv module's field limit
])
def test_a_csv_whose_first_line_is_no_header_is_refused_with_a_reason(
    importer: Importer, db_session: Session, client: FlaskClient, tokens: dict[str, Headers], seeded: None, tmp_path: Path,
    first_line: str, said: str,
) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(first_line)
    before = everything(client, tokens["admin"])

    job = run(importer, db_session, path)

    assert (job.status, job.rows) == ("failed", 0)
    assert said in job.error and "Traceback" not in job.error
    assert everything(client, tokens["admin"]) == before


def test_a_csv_line_past_the_longest_record_fails_the_import_at_its_row(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    path.write_text("sku,family\nwater,drinks\n" + "," * (17 << 20) + "\n")
    job = run(importer, db_session, path)
    assert job.status == "failed" and job.error.startswith("row 3: a line longer than 16,777,216 characters"), job.error


def test_an_xlsx_with_a_doctype_is_refused_without_naming_where_the_upload_lies(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = tmp_path / "prices.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY e "x">]><Types/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
    job = run(importer, db_session, path)
    assert job.status == "failed" and "DOCTYPE" in job.error and "[Content_Types].xml" in job.error
    assert str(tmp_path) not in job.error and "/" not in job.error.replace("[Content_Types].xml", ""), job.error


@pytest.mark.parametrize("name", ["../../../escaped.csv", "..\\..\\escaped.csv", "/tmp/escaped.csv", "sub/../../escaped.csv"])
def test_an_upload_name_never_becomes_a_path(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, settings: Settings, name: str
) -> None:
    import io

    from tests.integration.helpers import finished, upload

    job = finished(client, tokens["editor"], upload(client, tokens["editor"], b"sku;family\nsafe-1;drinks\n", name=name)
                   .headers["Location"])
    assert (job["status"], job["created"]) == ("succeeded", 1)
    assert job["filename"].endswith("escaped.csv")  # kept as text for the report (a multipart parser may drop backslashes)
    media = client.post("/api/v1/media", data={"file": (io.BytesIO(tiny_png()), name.replace(".csv", ".png"))},
                        content_type="multipart/form-data", headers=tokens["editor"])
    assert media.status_code == 201 and ".." not in media.json["path"] and media.json["path"].endswith(".png")
    root = settings.data_dir.parent
    assert not [path for path in root.rglob("escaped*")] and not Path("/tmp/escaped.csv").exists()
