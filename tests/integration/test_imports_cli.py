"""``crosscanal import`` and ``crosscanal export`` run through click against the real database:
summaries, exit codes, reports, saved column mappings and dry runs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.cli import main
from hub.config import Settings
from hub.store.imports import ColumnMapping
from hub.store.models import Product
from tests.integration.helpers import API, Headers, everything, row_count

GOOD_EAN, BAD_EAN = "4006381333931", "4006381333932"


@pytest.fixture
def cli(settings: Settings):
    env = {"CROSSCANAL_DATABASE_URL": settings.database_url, "CROSSCANAL_DATA_DIR": str(settings.data_dir)}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_prints_a_summary_and_the_rejections_and_exits_3_when_rows_were_rejected(
    cli: Any, seeded: None, client: FlaskClient, tokens: dict[str, Headers], tmp_path: Path
) -> None:
    path = write(tmp_path, "supplier.csv", f"sku,family,ean,rating\nok-1,drinks,{GOOD_EAN},4\nbad-2,drinks,{BAD_EAN},4\n"
                                           "bad-3,drinks,,lots\n")
    report = tmp_path / "report.csv"

    result = cli("import", str(path), "--report", str(report))

    assert result.exit_code == 3, result.output
    assert "rows: 3  created: 1  updated: 0  unchanged: 0  rejected: 2" in result.stdout
    assert f"row 3 column ean value '{BAD_EAN}': ean: bad GTIN check digit" in result.stdout
    assert "row 4 column rating value 'lots': rating: 'lots' is not a number" in result.stdout
    with report.open(encoding="utf-8-sig", newline="") as found:
        assert [(r["row"], r["key"], r["column"]) for r in csv.DictReader(found)] == [
            ("3", "bad-2", "ean"), ("4", "bad-3", "rating")]
    assert client.get(f"{API}/products/ok-1", headers=tokens["viewer"]).json["values"]["ean"][0]["data"] == GOOD_EAN
    assert client.get(f"{API}/products/bad-2", headers=tokens["viewer"]).status_code == 404


def test_a_clean_import_exits_0_and_a_refused_file_exits_2(cli: Any, seeded: None, db_session: Session, tmp_path: Path) -> None:
    assert cli("import", str(write(tmp_path, "a.csv", "sku,brand\njuice,Acme\n"))).exit_code == 0
    refused = cli("import", str(write(tmp_path, "b.csv", "name,brand\njuice,Acme\n")))
    assert refused.exit_code == 2
    assert "cannot tell whether this file holds products" in refused.stderr
    kinded = cli("import", "--kind", "products", str(write(tmp_path, "c.csv", "name-en_US;brand\nJuice;Acme\n")))
    assert kinded.exit_code == 2 and "no 'sku' column" in kinded.stderr
    assert row_count(db_session, Product) == 2


def test_a_dry_run_changes_nothing_and_says_so(
    cli: Any, seeded: None, client: FlaskClient, tokens: dict[str, Headers], tmp_path: Path
) -> None:
    before = everything(client, tokens["admin"])
    result = cli("import", "--dry-run", str(write(tmp_path, "a.csv", "sku,family,brand\njuice,,Other\nnew-1,drinks,New\n")))
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was stored" in result.stdout
    assert "created: 1  updated: 1  unchanged: 0  rejected: 0" in result.stdout
    assert everything(client, tokens["admin"]) == before


def test_a_mapping_is_saved_once_and_reused_by_name(
    cli: Any, seeded: None, db_session: Session, client: FlaskClient, tokens: dict[str, Headers], tmp_path: Path
) -> None:
    first = write(tmp_path, "x1.csv", "Article;Famille;Titre;Code EAN;Remarque\nsup-1;drinks;Jus;" + GOOD_EAN + ";interne\n")
    result = cli("import", str(first), "--save-mapping", "supplier-x", "--map", "Article=sku", "--map", "Famille=family",
                 "--map", "Titre=name-fr_FR", "--map", "Code EAN=ean", "--map", "Remarque=")
    assert result.exit_code == 0, result.output
    saved = db_session.scalar(select(ColumnMapping).where(ColumnMapping.name == "supplier-x"))
    assert saved.columns == {"Article": "sku", "Famille": "family", "Titre": "name-fr_FR", "Code EAN": "ean", "Remarque": ""}

    second = write(tmp_path, "x2.csv", "Article;Famille;Titre;Code EAN;Remarque\nsup-2;drinks;Nectar;" + BAD_EAN + ";x\n")
    again = cli("import", str(second), "--mapping", "supplier-x")
    assert again.exit_code == 3
    assert f"row 2 column Code EAN value '{BAD_EAN}'" in again.stdout  # reported on the supplier's own header
    assert client.get(f"{API}/products/sup-1", headers=tokens["viewer"]).json["values"]["name"] == [
        {"locale": "fr_FR", "scope": None, "data": "Jus"}]

    unknown = cli("import", str(second), "--mapping", "supplier-y")
    assert unknown.exit_code == 1 and "no column mapping 'supplier-y'; saved mappings: supplier-x" in unknown.stderr


def test_bad_options_are_refused_before_anything_runs(cli: Any, seeded: None, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "sku\njuice\n")
    assert cli("import", str(path), "--map", "no equals sign").exit_code == 2
    bad = cli("import", str(path), "--encoding", "klingon")
    assert bad.exit_code == 2 and "unknown encoding 'klingon'" in bad.stderr
    assert cli("import", str(path), "--delimiter", "|").exit_code == 2


def test_export_writes_csv_and_ndjson_to_stdout_and_xlsx_to_a_file(cli: Any, seeded: None, tmp_path: Path) -> None:
    products = cli("export")
    assert products.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(products.stdout.lstrip("\ufeff"))))
    assert [(r["sku"], r["family"], r["ean"]) for r in rows] == [("juice", "drinks", GOOD_EAN), ("tee-red-s", "tees", "")]
    assert "exported 2 products as csv" in products.stderr

    stock = cli("export", "--kind", "stock", "--format", "ndjson")
    assert [json.loads(line) for line in stock.stdout.splitlines()] == [{"location": "wh", "sku": "juice", "quantity": 7}]

    assert cli("export", "--format", "xlsx").exit_code == 2
    target = tmp_path / "models.xlsx"
    assert cli("export", "--kind", "models", "--format", "xlsx", "-o", str(target)).exit_code == 0
    reimported = cli("import", str(target))
    assert reimported.exit_code == 0 and "unchanged: 1" in reimported.stdout
