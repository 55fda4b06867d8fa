"""Importing supplier files (CSV, XLSX, XML, NDJSON) through the import job, against the real
database and services: what is stored, what is reported, and what a dry run leaves alone."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy.orm import Session

from hub.config import Settings
from channel_adapters.base.identifiers import gs1_check_digit
from hub.jobs.imports import Importer
from hub.services.context import CatalogContext
from hub.services.inheritance import effective_values
from hub.services.products import ProductModelService, ProductService
from hub.store.imports import ImportJob
from hub.store.models import Product, Stock, Version
from schemas.imports import ImportOptionsIn
from tests.integration.helpers import API, Headers, everything, row_count

GOOD_EAN, BAD_EAN, OTHER_EAN = "4006381333931", "4006381333932", "400638133394" + str(gs1_check_digit("400638133394"))

SUPPLIER_CSV = f"""sku;family;name-en_US;name-fr_FR;ean;rating;organic;net_content;net_content-unit;price-EUR;categories
apple-1;drinks;Apple juice;Jus de pomme;{GOOD_EAN};4.50;yes;1.5;;2.50;grocery
apple-2;drinks;Apple juice 2;;{BAD_EAN};3;no;1;;2.00;grocery
pear-3;nosuchfamily;Pear juice;;;4;;;;1.00;
plum-4;drinks;Plum juice;;;four;;;;;
kiwi-5;drinks;=HYPERLINK("http://evil.example");;;;1;750;MILLILITER;3;grocery,nosuch
"""


@pytest.fixture
def importer(app: Flask, settings: Settings) -> Importer:
    return Importer(app.extensions["crosscanal"].writers, settings.data_dir)


def run(importer: Importer, db_session: Session, path: Path, **options: Any) -> ImportJob:
    """Start and run an import as the CLI and API do; the job as it ended."""
    job = importer.start(db_session, ImportOptionsIn().load({"filename": path.name, **options}), "test importer")
    db_session.commit()
    return importer.run(job.id, path)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def state(db_session: Session, sku: str) -> dict[str, Any] | None:
    """The product as stored now: the session's own copies are dropped first (they outlive commits)."""
    db_session.rollback()
    db_session.expire_all()
    service = ProductService(db_session, CatalogContext(db_session), "test")
    product = service.find(sku)
    return service.state(product) if product else None


def value(data: Any, locale: str | None = None, scope: str | None = None) -> list[dict[str, Any]]:
    return [{"locale": locale, "scope": scope, "data": data}]


def test_a_supplier_csv_stores_the_good_rows_and_reports_each_bad_one_on_its_column(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    job = run(importer, db_session, write(tmp_path, "supplier.csv", SUPPLIER_CSV))

    assert (job.status, job.kind, job.format, job.rows) == ("succeeded", "products", "csv", 5)
    assert (job.created, job.updated, job.unchanged, job.rejected) == (1, 0, 0, 4)
    assert job.progress == 1.0
    found = {(r["row"], r["column"], r["value"]): r["reason"] for r in job.rejections}
    assert "check digit" in found[(3, "ean", BAD_EAN)]
    assert found[(4, "family", "nosuchfamily")] == "unknown family 'nosuchfamily'"
    assert found[(5, "rating", "four")] == "rating: 'four' is not a number"
    assert found[(6, "categories", "grocery,nosuch")] == "unknown category 'nosuch'"
    assert all(r["key"] for r in job.rejections)

    assert state(db_session, "apple-1") == {
        "sku": "apple-1", "family": "drinks", "parent": None, "enabled": True, "categories": ["grocery"],
        "values": {"ean": value(GOOD_EAN), "name": value("Apple juice", "en_US") + value("Jus de pomme", "fr_FR"),
                   "net_content": value({"amount": "1.5", "unit": "LITER"}), "organic": value(True),
                   "rating": value("4.5")},
        "offers": [{"currency": "EUR", "price": "2.50", "channel": None, "location": None, "sale_price": None,
                    "sale_start": None, "sale_end": None}],
        "media": [],
    }
    for rejected in ("apple-2", "pear-3", "plum-4", "kiwi-5"):
        assert state(db_session, rejected) is None

    with importer.report_path(job.id).open(encoding="utf-8-sig", newline="") as report:
        lines = list(csv.DictReader(report))
    assert {(line["row"], line["key"], line["column"]) for line in lines} >= {
        ("3", "apple-2", "ean"), ("4", "pear-3", "family"), ("5", "plum-4", "rating"), ("6", "kiwi-5", "categories")}
    assert next(line for line in lines if line["row"] == "3")["field"] == "values.ean[0].data"


def test_one_row_reports_every_problem_it_has_not_just_the_first_kind(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.csv", "sku,family,organic,price-EUR,rating\nbad-1,nosuchfamily,maybe,cheap,nine\n")
    job = run(importer, db_session, path)
    assert job.rejected == 1
    assert {(r["column"], r["value"]) for r in job.rejections} == {
        ("family", "nosuchfamily"), ("organic", "maybe"), ("price-EUR", "cheap"), ("rating", "nine")}


def test_a_file_without_its_key_column_is_refused_whole_and_stores_nothing(
    importer: Importer, db_session: Session, client: FlaskClient, tokens: dict[str, Headers], seeded: None, tmp_path: Path
) -> None:
    before = everything(client, tokens["admin"])
    job = run(importer, db_session, write(tmp_path, "f.csv", "family,name-en_US\ndrinks,Juice\n"), kind="products")
    assert job.status == "failed" and job.rows == 0
    assert "no 'sku' column" in job.error
    after = everything(client, tokens["admin"])
    assert after == before


def test_unknown_columns_are_refused_with_every_problem_named(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.csv", "sku,colour,name-de_DE,brand-en_US,price-XYZ,media-0,name-en_US,name-en_US\na,b,c,d,e,f,g,h\n")
    job = run(importer, db_session, path)
    assert job.status == "failed"
    for expected in ("'colour' is not an attribute", "unknown locale 'de_DE'", "brand is not localizable",
                     "unknown currency 'XYZ'", "media-<n>", "'name-en_US' is given twice"):
        assert expected in job.error, job.error
    assert row_count(db_session, Product) == 2


def test_reimporting_the_same_file_changes_nothing_and_records_no_version(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.csv", SUPPLIER_CSV.replace(BAD_EAN, OTHER_EAN).replace("nosuchfamily", "drinks")
                 .replace("four", "4").replace(",nosuch", ""))
    first = run(importer, db_session, path)
    assert (first.created, first.rejected) == (5, 0), first.rejections
    versions = row_count(db_session, Version)
    revisions = {sku: state(db_session, sku) for sku in ("apple-1", "kiwi-5")}

    again = run(importer, db_session, path)

    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 5, 0)
    assert row_count(db_session, Version) == versions
    assert {sku: state(db_session, sku) for sku in ("apple-1", "kiwi-5")} == revisions
    # The formula-like name is stored as the supplier wrote it; only exports neutralize it.
    assert state(db_session, "kiwi-5")["values"]["name"] == value('=HYPERLINK("http://evil.example")', "en_US")


def test_a_dry_run_reports_what_would_change_and_stores_nothing(
    importer: Importer, db_session: Session, client: FlaskClient, tokens: dict[str, Headers], seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.csv", "sku,family,name-en_US,rating\n"
                 "juice,drinks,Orange juice,5\n"  # juice exists: the rating is new
                 "tee-red-s,,,\n"  # the variant exists and the row sets nothing new
                 "new-1,drinks,New,1\n"
                 "new-2,drinks,Newer,high\n")
    before = everything(client, tokens["admin"])

    job = run(importer, db_session, path, dry_run=True)

    assert (job.status, job.dry_run) == ("succeeded", True)
    assert (job.created, job.updated, job.unchanged, job.rejected) == (1, 1, 1, 1)
    assert job.rejections[0]["row"] == 5 and job.rejections[0]["column"] == "rating"
    assert everything(client, tokens["admin"]) == before

    real = run(importer, db_session, path)
    assert (real.created, real.updated, real.unchanged, real.rejected) == (1, 1, 1, 1)
    assert everything(client, tokens["admin"]) != before


def test_empty_cells_remove_values_and_absent_columns_leave_them(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.csv", "sku,name-fr_FR,price-EUR,price-USD,categories\njuice,,,1.99,grocery\n")
    job = run(importer, db_session, path)
    assert (job.updated, job.rejected) == (1, 0), job.rejections
    juice = state(db_session, "juice")
    assert juice["values"]["name"] == value("Orange juice", "en_US")  # the French name was emptied
    assert juice["values"]["ean"] == value(GOOD_EAN)  # no column: untouched
    assert [(o["currency"], o["price"]) for o in juice["offers"]] == [("USD", "1.99")]
    assert juice["categories"] == ["grocery"]


def test_offers_with_sales_channels_and_stores_and_typed_values_are_read_from_their_columns(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.tsv", "sku\tfamily\tlaunch\turl\tprice-EUR\tsale_price-EUR\tsale_start-EUR\tsale_end-EUR"
                 "\tprice-USD-web\tprice-EUR@paris\tenabled\n"
                 "cola\tdrinks\t2025-03-01\thttps://x.example/cola\t2.00\t1.50\t2025-01-01T00:00:00+00:00"
                 "\t2025-02-01T00:00:00+01:00\t2.10\t1.95\tno\n")
    job = run(importer, db_session, path)
    assert job.created == 1, job.rejections
    cola = state(db_session, "cola")
    assert cola["enabled"] is False
    assert cola["values"] == {"launch": value("2025-03-01"), "url": value("https://x.example/cola")}
    assert cola["offers"] == [
        {"currency": "EUR", "price": "2.00", "channel": None, "location": None, "sale_price": "1.50",
         "sale_start": "2025-01-01T00:00:00+00:00", "sale_end": "2025-01-31T23:00:00+00:00"},
        {"currency": "EUR", "price": "1.95", "channel": None, "location": "paris", "sale_price": None,
         "sale_start": None, "sale_end": None},
        {"currency": "USD", "price": "2.10", "channel": "web", "location": None, "sale_price": None,
         "sale_start": None, "sale_end": None},
    ]


def test_models_and_their_variants_import_from_two_flat_files(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    models = write(tmp_path, "models.csv", "code,family,variant_axes,name-en_US,description-en_US-web\n"
                   "polo,tees,\"color,size\",Polo,\"Soft polo\nwith two lines\"\nbad,tees,\"colour\",Bad,\n")
    job = run(importer, db_session, models)
    assert (job.kind, job.created, job.rejected) == ("models", 1, 1)
    assert job.rejections[0]["column"] == "variant_axes" and "colour" in job.rejections[0]["reason"]

    variants = write(tmp_path, "variants.csv", "sku,parent,color,size\npolo-red-s,polo,red,s\npolo-red-s2,polo,red,s\n")
    job = run(importer, db_session, variants)
    assert (job.created, job.rejected) == (1, 1)
    assert "already has color=red, size=s" in job.rejections[0]["reason"]
    polo = state(db_session, "polo-red-s")
    assert (polo["family"], polo["parent"]) == ("tees", "polo")


def test_a_models_file_again_finds_its_stored_models_unchanged_or_changed(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    """Each batch finds its stored models by code: the same file again changes nothing, and a new
    name updates the stored model (a second version), which its variant then shows."""
    header = "code,family,variant_axes,name-en_US\n"
    first = write(tmp_path, "models.csv", header + 'polo,tees,"color,size",Polo\nhenley,tees,"color,size",Henley\n')
    assert run(importer, db_session, first).created == 2
    run(importer, db_session, write(tmp_path, "variants.csv", "sku,parent,color,size\npolo-red-s,polo,red,s\n"))
    versions = row_count(db_session, Version)

    again = run(importer, db_session, first)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0), again.rejections
    assert row_count(db_session, Version) == versions

    renamed = run(importer, db_session, write(tmp_path, "renamed.csv", header + 'polo,tees,"color,size",Polo shirt\n'))
    assert (renamed.created, renamed.updated, renamed.rejected) == (0, 1, 0), renamed.rejections
    service = ProductModelService(db_session, CatalogContext(db_session), "test")
    assert [v.version for v in service.history("polo")] == [1, 2]
    assert "name" not in state(db_session, "polo-red-s")["values"]  # not the variant's own value...
    variant = ProductService(db_session, CatalogContext(db_session), "test").get("polo-red-s")
    assert effective_values(variant)["name"] == value("Polo shirt", "en_US")  # ...but what it inherits


def xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_an_xlsx_file_imports_like_a_csv_file(importer: Importer, db_session: Session, seeded: None, tmp_path: Path) -> None:
    path = xlsx(tmp_path / "supplier.xlsx", [
        ["sku", "family", "name-en_US", "ean", "rating", "organic", "price-EUR"],
        ["x-1", "drinks", "'=1+2", int(GOOD_EAN), 4.5, True, 2.5],
        ["x-2", "drinks", "Bad", int(BAD_EAN), 1, False, 3],
    ])
    job = run(importer, db_session, path)
    assert (job.format, job.total, job.created, job.rejected) == ("xlsx", 2, 1, 1)
    assert (job.rejections[0]["row"], job.rejections[0]["column"], job.rejections[0]["value"]) == (3, "ean", BAD_EAN)
    stored = state(db_session, "x-1")
    assert stored["values"]["name"] == value("=1+2", "en_US")
    assert stored["values"]["rating"] == value("4.5") and stored["values"]["organic"] == value(True)
    assert stored["offers"][0]["price"] == "2.5"


def test_an_xml_file_imports_and_a_missing_cell_leaves_its_value(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<products>
  <row><cell column="sku">juice</cell><cell column="brand">Acme &amp; Co</cell></row>
  <row><cell column="sku">xml-1</cell><cell column="family">drinks</cell><cell column="ean">{BAD_EAN}</cell></row>
  <row><cell column="sku">xml-2</cell><cell column="family">drinks</cell><cell column="colour">red</cell></row>
</products>""")
    job = run(importer, db_session, path)
    assert (job.format, job.kind, job.updated, job.rejected) == ("xml", "products", 1, 2), job.rejections
    assert [(r["row"], r["column"]) for r in job.rejections] == [(4, "ean"), (5, "")]
    assert "'colour' is not an attribute" in job.rejections[1]["reason"]
    juice = state(db_session, "juice")
    assert juice["values"]["brand"] == value("Acme & Co") and juice["values"]["ean"] == value(GOOD_EAN)


def test_ndjson_lines_are_complete_products_and_errors_name_their_field(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.ndjson", '{"sku": "n-1", "family": "drinks", "values": {"brand": [{"data": "Acme"}]}}\n'
                 'not json\n'
                 f'{{"sku": "n-2", "family": "drinks", "values": {{"ean": [{{"data": "{BAD_EAN}"}}]}}}}\n')
    job = run(importer, db_session, path)
    assert (job.kind, job.created, job.rejected) == ("products", 1, 2)
    assert job.rejections[0]["row"] == 2 and job.rejections[0]["reason"].startswith("malformed JSON")
    assert (job.rejections[1]["row"], job.rejections[1]["column"]) == (3, "values.ean[0].data")


def test_a_column_mapping_renames_a_suppliers_headers_and_can_ignore_one(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.csv", "Article;Title;EAN;Internal note\nm-1;Mapped;" + GOOD_EAN + ";keep out\n")
    job = run(importer, db_session, path, columns={"Article": "sku", "Title": "name-en_US", "EAN": "ean",
                                                   "Internal note": ""})
    assert job.rejected == 1  # a new product and no family column: the reason is on the family
    assert job.rejections[0]["column"] == "family"

    job = run(importer, db_session, write(tmp_path, "g.csv", "Article;Title;EAN;Fam\nm-1;Mapped;" + GOOD_EAN + ";drinks\n"),
              columns={"Article": "sku", "Title": "name-en_US", "EAN": "ean", "Fam": "family"})
    assert job.created == 1
    assert state(db_session, "m-1")["values"]["name"] == value("Mapped", "en_US")


def test_a_stock_file_sets_quantities_in_bulk_without_touching_product_history(
    importer: Importer, db_session: Session, client: FlaskClient, tokens: dict[str, Headers], seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "stock.csv", "location,sku,quantity\nwh,juice,12\nparis,juice,3\nwh,tee-red-s,0\n"
                 "wh,nosuch,1\nmars,juice,1\nwh,juice,-4\nwh,juice,lots\n")
    revision = client.get(f"{API}/products/juice", headers=tokens["viewer"]).json["revision"]
    versions = row_count(db_session, Version)

    job = run(importer, db_session, path)

    assert (job.kind, job.created, job.updated, job.unchanged, job.rejected) == ("stock", 2, 1, 0, 4)
    found = {(r["row"], r["column"]): r["reason"] for r in job.rejections}
    assert found[(5, "sku")] == "no product with SKU 'nosuch'"
    assert found[(6, "location")] == "unknown location 'mars'"
    assert found[(7, "quantity")] == "'-4' is not a quantity: a whole number, 0 or more"
    assert "not a quantity" in found[(8, "quantity")]
    juice = client.get(f"{API}/products/juice", headers=tokens["viewer"]).json
    assert sorted((s["location"], s["quantity"]) for s in juice["stock"]) == [("paris", 3), ("wh", 12)]
    assert juice["revision"] == revision
    assert row_count(db_session, Version) == versions
    assert row_count(db_session, Stock) == 3

    again = run(importer, db_session, path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 4)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_accented_supplier_files_import_in_every_encoding(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path, encoding: str
) -> None:
    path = write(tmp_path, "f.csv", "sku;family;name-fr_FR\ncreme;drinks;Crème brûlée à l'érable\n", encoding)
    job = run(importer, db_session, path)
    assert job.created == 1, job.error or job.rejections
    assert state(db_session, "creme")["values"]["name"] == value("Crème brûlée à l'érable", "fr_FR")


def test_a_wrongly_declared_encoding_is_refused_with_a_hint(
    importer: Importer, db_session: Session, seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.csv", "sku;family;name-fr_FR\ncreme;drinks;Crème\n", "latin-1")
    job = run(importer, db_session, path, encoding="utf-8")
    assert job.status == "failed" and "not utf-8" in job.error and "encoding" in job.error
    assert state(db_session, "creme") is None
