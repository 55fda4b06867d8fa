"""Imports refresh the product index once per batch rather than once per product (the change that
made them fast), and still leave it equal to what is computed from the products: through
creations, updates, a SKU given twice, variants, rejected rows of new and existing products,
re-imports and dry runs. Against the real database, services and import job."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from channel_adapters.base.identifiers import gs1_check_digit
from hub.imports.limits import ReadLimits
from hub.jobs.imports import Importer
from hub.services import product_index
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.imports import ImportJob
from hub.store.models import Product, ProductCompleteness, ProductModel, Version
from schemas.imports import ImportOptionsIn
from schemas.product import ProductIn
from tests.integration.conftest import GOOD_EAN
from tests.integration.helpers import racing_writer, row_count
from tests.integration.test_product_index import assert_cache_agrees, cached

BAD_EAN = GOOD_EAN[:-1] + str((int(GOOD_EAN[-1]) + 1) % 10)
OTHER_EAN = "400638133394" + str(gs1_check_digit("400638133394"))
HEADER = "sku,family,parent,name-en_US,name-fr_FR,ean,net_content,net_content-unit,color,size,price-EUR\n"
ROWS = (
    "juice,drinks,,Fresh orange juice,Jus d'orange,{good},1,LITER,,,2.50\n"  # updated
    "lemonade,drinks,,Lemonade,Limonade,{other},,,,,1.20\n"  # created, lacks net_content on web
    "cola,drinks,,Cola,,{bad},,,,,1.00\n"  # rejected: a new product that must not appear
    "tee-red-m,,tee,,,,,,red,m,19.90\n"  # a variant: names (and search text) from its model
    "lemonade,drinks,,Lemonade 2,Limonade,{other},33,CENTILITER,,,1.20\n"  # the same SKU again: refused
    "juice,drinks,,Bitter orange juice,,{bad},,,,,\n"  # refused: juice keeps the first row's change
)


@pytest.fixture
def importer(app: Flask) -> Importer:
    return Importer(app.extensions["crosscanal"].writers, app.extensions["crosscanal"].settings.data_dir)


@pytest.fixture
def index_replacements(app: Flask) -> Iterator[list[str]]:
    """The statements that replace rows of the product index, as the database receives them."""
    engine = app.extensions["crosscanal"].engine
    seen: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE FROM PRODUCT_COMPLETENESS"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", watch)
    yield seen
    event.remove(engine, "before_cursor_execute", watch)


def run(importer: Importer, db_session: Session, path: Path, **options: Any) -> ImportJob:
    job = importer.start(db_session, ImportOptionsIn().load({"filename": path.name, **options}), "test importer")
    db_session.commit()
    return importer.run(job.id, path)


def csv_file(tmp_path: Path, rows: str = ROWS, name: str = "supplier.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows.format(good=GOOD_EAN, bad=BAD_EAN, other=OTHER_EAN), encoding="utf-8")
    return path


def versions(db_session: Session) -> dict[str, int]:
    db_session.rollback()
    rows = db_session.execute(select(Version.entity_key, Version.version).where(Version.entity == "product")).all()
    found: dict[str, int] = {}
    for key, number in rows:
        found[key] = max(found.get(key, 0), number)
    return found


def counts(job: ImportJob) -> tuple[int, int, int, int, int]:
    return job.rows, job.created, job.updated, job.unchanged, job.rejected


def dry_then_real(importer: Importer, db_session: Session, path: Path, batch: int,
                  monkeypatch: pytest.MonkeyPatch) -> tuple[ImportJob, ImportJob]:
    """A dry run of the file, then the import, in batches of ``batch`` rows: the dry run must
    store nothing and report what the import then does."""
    monkeypatch.setattr("hub.jobs.imports.BATCH", batch)
    before = versions(db_session)
    dry = run(importer, db_session, path, dry_run=True)
    assert versions(db_session) == before
    return dry, run(importer, db_session, path)


def test_an_import_refreshes_the_index_once_per_batch_and_keeps_it_exact(
        app: Flask, db_session: Session, seeded: None, importer: Importer, tmp_path: Path,
        index_replacements: list[str]) -> None:
    job = run(importer, db_session, csv_file(tmp_path))

    assert (job.status, job.created, job.updated, job.unchanged, job.rejected) == ("succeeded", 2, 1, 0, 3), job.rejections
    # The rows naming a SKU again are refused with the row that named it first.
    assert [(r["row"], r["key"], r["column"], r["reason"]) for r in job.rejections if r["row"] > 5] == [
        (6, "lemonade", "sku", "sku 'lemonade' is also on row 3 of this file: a file names each product once"),
        (7, "juice", "sku", "sku 'juice' is also on row 2 of this file: a file names each product once")]
    # One batch: one refresh of the index for the products it saved, not one per product.
    assert len(index_replacements) == 1
    rows = assert_cache_agrees(app)
    assert rows[("lemonade", "web")][1] == ["net_content"]
    assert rows[("tee-red-m", "web")] == (round(2 / 3, 4), ["ean"])
    completes, _, texts, *_ = cached(app)
    assert texts["juice"] == "fresh orange juice\njus d'orange"
    assert texts["lemonade"] == "lemonade\nlimonade"
    assert texts["tee-red-m"] == "classic tee"
    assert "cola" not in texts and not any(sku == "cola" for sku, _ in completes)
    assert versions(db_session) == {"juice": 2, "lemonade": 1, "tee-red-m": 1, "tee-red-s": 1}


def test_reimports_and_dry_runs_leave_the_index_and_history_alone(
        app: Flask, db_session: Session, seeded: None, importer: Importer, tmp_path: Path,
        index_replacements: list[str]) -> None:
    rows = "".join(line + "\n" for line in ROWS.splitlines()[:4])  # each SKU once
    path = csv_file(tmp_path, rows)
    first = run(importer, db_session, path)
    assert (first.created, first.updated, first.rejected) == (2, 1, 1), first.rejections
    before, history = cached(app), versions(db_session)
    index_replacements.clear()

    again = run(importer, db_session, path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 1)
    assert index_replacements == []
    assert cached(app) == before
    assert versions(db_session) == history

    dry = run(importer, db_session, csv_file(tmp_path, rows.replace("Limonade", "Citronnade"), "changed.csv"),
              dry_run=True)
    assert (dry.updated, dry.unchanged) == (1, 2)
    assert cached(app) == before
    assert versions(db_session) == history
    assert_cache_agrees(app)


def test_unchanged_rows_refresh_nothing(app: Flask, db_session: Session, seeded: None, importer: Importer,
                                        tmp_path: Path, index_replacements: list[str]) -> None:
    rows = "juice,drinks,,Orange juice,Jus d'orange,{good},1,LITER,,,2.50\n"
    job = run(importer, db_session, csv_file(tmp_path, rows))
    assert (job.unchanged, job.rejected) == (1, 0), job.rejections
    assert index_replacements == []
    assert versions(db_session)["juice"] == 1


def test_a_deferred_refresh_skips_rolled_back_new_products_and_joins_an_open_block(app: Flask, seeded: None) -> None:
    with app.extensions["crosscanal"].writers() as session:
        ctx = CatalogContext(session)
        service = ProductService(session, ctx, "test")
        with product_index.deferred(session, ctx):
            kept = service.save(ProductIn().load({"sku": "kept", "family": "drinks"}), None).obj
            with pytest.raises(RuntimeError):
                with session.begin_nested():
                    service.save(ProductIn().load({"sku": "dropped", "family": "drinks"}), None)
                    raise RuntimeError("the row failed")
            with product_index.deferred(session, ctx):  # joins the open block: nothing refreshed at its end
                service.save(ProductIn().load({"sku": "inner", "family": "drinks"}), None)
            indexed = select(ProductCompleteness.product_id).distinct()
            assert session.scalars(indexed).all() and kept.id not in session.scalars(indexed).all()
        session.commit()
    assert {sku for sku, _ in cached(app)[0]} == {"juice", "tee-red-s", "kept", "inner"}
    assert_cache_agrees(app)
    with app.extensions["crosscanal"].sessions() as session:
        assert row_count(session, Product) == 4


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_batch_the_database_refuses_is_saved_again_row_by_row(
        app: Flask, db_session: Session, seeded: None, importer: Importer, tmp_path: Path, dry_run: bool) -> None:
    """A batch's rows are written together. Here another writer creates 'lemonade' just before each
    flush that would insert it (in the same transaction, as a unique SKU race would look to the
    database): the batch's flush fails, the batch is saved again row by row, and only that row
    is rejected, with the database's reason; nothing is counted twice. A dry run reports the
    same and keeps nothing."""
    rows = "".join(line + "\n" for line in ROWS.splitlines()[:4])  # juice, lemonade, cola, tee-red-m
    with racing_writer(db_session, "lemonade", "drinks") as races:
        job = run(importer, db_session, csv_file(tmp_path, rows), dry_run=dry_run)

    assert len(races) == 2  # the batch's one flush, then the lemonade row's own savepoint
    assert (job.status, job.rows, job.created, job.updated, job.rejected) == ("succeeded", 4, 1, 1, 2), job.rejections
    refused = [r for r in job.rejections if r["key"] == "lemonade"]
    assert len(refused) == 1 and refused[0]["row"] == 3
    assert refused[0]["reason"].startswith("the database refused the row: ")
    assert "lemonade" not in versions(db_session)
    if dry_run:
        assert versions(db_session)["juice"] == 1 and "tee-red-m" not in versions(db_session)
        return
    assert versions(db_session)["juice"] == 2 and versions(db_session)["tee-red-m"] == 1
    assert db_session.scalar(select(Product.id).where(Product.sku == "lemonade")) is None
    assert_cache_agrees(app)


def test_a_sku_or_gtin_named_again_is_refused_with_both_rows_in_any_batch_and_in_a_dry_run(
        app: Flask, db_session: Session, seeded: None, importer: Importer, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of two rows: 'lemonade' is named again in later batches, and its GTIN is given to
    another product; each later row is refused naming the first, whatever lies between, and a
    dry run (which rolls every batch back) refuses the same rows for the same reasons."""
    lemonade = "lemonade,drinks,,Lemonade,Limonade,{other},,,,,1.20\n"
    rows = (lemonade + "cola,drinks,,Cola,,{bad},,,,,1.00\n"  # row 3: an invalid GTIN holds nothing
            + "juice,drinks,,Orange juice,Jus d'orange,{good},1,LITER,,,2.50\n" + lemonade
            + "fanta,drinks,,Fanta,,{other},,,,,1.10\n"  # row 6: lemonade's GTIN on another product
            + lemonade.replace("1.20", "1.30")
            + "tonic,drinks,,Tonic,,{bad},,,,,1.00\n"  # row 8: the GTIN cola failed on is not taken
            + "juice,drinks,,Fresh orange juice,Jus d'orange,{good},1,LITER,,,2.50\n"
            + "tee-red-m,,tee,,,,,,red,m,19.90\n" + "tee-red-m,,tee,,,,,,red,l,19.90\n")
    dry, real = dry_then_real(importer, db_session, csv_file(tmp_path, rows), 2, monkeypatch)

    expected = [
        (3, "cola", "ean"), (5, "lemonade", "sku"), (6, "fanta", "ean"), (7, "lemonade", "sku"), (8, "tonic", "ean"),
        (9, "juice", "sku"), (11, "tee-red-m", "sku")]
    for job in (dry, real):
        assert [(r["row"], r["key"], r["column"]) for r in job.rejections] == expected, job.rejections
        reasons = {r["row"]: r["reason"] for r in job.rejections}
        assert reasons[5] == reasons[7] == "sku 'lemonade' is also on row 2 of this file: a file names each product once"
        assert reasons[6] == (f"ean {OTHER_EAN} is also on row 2 of this file, for another product: "
                              "a GTIN names one product")
        assert reasons[9] == "sku 'juice' is also on row 4 of this file: a file names each product once"
        assert "also on row" not in reasons[8] and "also on row" not in reasons[3]
    assert counts(real) == (10, 2, 0, 1, 7), real.rejections
    assert counts(dry) == counts(real)
    db_session.rollback()
    assert db_session.scalar(select(Product.values).where(Product.sku == "tee-red-m"))["size"][0]["data"] == "m"


def test_a_file_failing_after_some_batches_keeps_them_and_says_where_the_rest_begins(
        app: Flask, db_session: Session, seeded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader refuses the file at its sixth row (past the row limit), in the third batch of
    two: the first two batches stay stored, and the job's error says which rows are in."""
    monkeypatch.setattr("hub.jobs.imports.BATCH", 2)
    hub = app.extensions["crosscanal"]
    limited = Importer(hub.writers, hub.settings.data_dir, ReadLimits(max_rows=5))
    rows = "".join(f"new-{n},drinks,,Drink {n},,,,,,,1.00\n" for n in range(1, 8))
    for dry_run in (True, False):
        job = run(limited, db_session, csv_file(tmp_path, rows), dry_run=dry_run)
        assert job.status == "failed" and "more than 5 rows" in job.error, job.error
        done = "checked" if dry_run else "saved"
        assert f"Rows up to 5 were {done} (the rejected ones are in the report); nothing from row 6 on was." in job.error
        assert (job.rows, job.created) == (4, 4)
    db_session.rollback()
    stored = set(db_session.scalars(select(Product.sku).where(Product.sku.like("new-%"))))
    assert stored == {"new-1", "new-2", "new-3", "new-4"}


def test_a_dry_run_rejects_a_variant_taking_an_earlier_batchs_axis_values(
        app: Flask, db_session: Session, seeded: None, importer: Importer, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """'tee-red-m' takes red/m in the first batch; 'tee-red-m2' asks for red/m two batches later.
    The import rejects it; so must the dry run, whose first batch was rolled back by then."""
    rows = ("tee-red-m,,tee,,,,,,red,m,19.90\n"
            "lemonade,drinks,,Lemonade,Limonade,{other},,,,,1.20\n"
            "juice,drinks,,Orange juice,Jus d'orange,{good},1,LITER,,,2.50\n"
            "tee-red-l,,tee,,,,,,red,l,19.90\n"
            "tee-red-m2,,tee,,,,,,red,m,19.90\n")
    dry, real = dry_then_real(importer, db_session, csv_file(tmp_path, rows), 2, monkeypatch)

    assert counts(real) == (5, 3, 0, 1, 1), real.rejections
    assert counts(dry) == counts(real)
    reasons = lambda job: [(r["row"], r["key"], r["reason"]) for r in job.rejections]  # noqa: E731
    assert reasons(dry) == reasons(real) == [(6, "tee-red-m2", "variant 'tee-red-m' of 'tee' already has color=red, size=m")]


def test_a_dry_run_saving_a_batch_row_by_row_still_sees_the_earlier_batches_variants(
        app: Flask, db_session: Session, seeded: None, importer: Importer, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """As above, but the database refuses the last batch's bulk insert ('fizz' created by another
    writer just before it), so that batch is checked row by row: 'tee-red-m2' is still refused
    for the axis values 'tee-red-m' took two batches earlier, and 'fizz' for the database's
    reason."""
    monkeypatch.setattr("hub.jobs.imports.BATCH", 2)
    rows = ("tee-red-m,,tee,,,,,,red,m,19.90\n"
            "lemonade,drinks,,Lemonade,Limonade,{other},,,,,1.20\n"
            "juice,drinks,,Orange juice,Jus d'orange,{good},1,LITER,,,2.50\n"
            "tee-red-l,,tee,,,,,,red,l,19.90\n"
            "tee-red-m2,,tee,,,,,,red,m,19.90\n"
            "fizz,drinks,,Fizz,Fizz,,,,,,1.00\n")
    with racing_writer(db_session, "fizz", "drinks") as races:
        dry = run(importer, db_session, csv_file(tmp_path, rows), dry_run=True)

    assert races == ["fizz", "fizz"]  # the batch's bulk insert, then fizz's own savepoint
    assert counts(dry) == (6, 3, 0, 1, 2), dry.rejections
    reasons = [(r["row"], r["key"], r["reason"]) for r in dry.rejections]
    assert reasons[0] == (6, "tee-red-m2", "variant 'tee-red-m' of 'tee' already has color=red, size=m")
    assert reasons[1][:2] == (7, "fizz") and reasons[1][2].startswith("the database refused the row: ")


def test_a_models_file_naming_a_model_twice_refuses_the_second_row(
        db_session: Session, seeded: None, importer: Importer, tmp_path: Path) -> None:
    path = tmp_path / "models.csv"
    path.write_text('code,family,variant_axes,name-en_US\npolo,tees,"color,size",Polo\npolo,tees,"color,size",Polo shirt\n')
    for dry_run in (True, False):
        job = run(importer, db_session, path, dry_run=dry_run)
        assert (job.kind, job.created, job.updated, job.rejected) == ("models", 1, 0, 1), job.rejections
        assert [(r["row"], r["reason"]) for r in job.rejections] == [
            (3, "code 'polo' is also on row 2 of this file: a file names each model once")]
    db_session.rollback()
    assert db_session.scalar(select(ProductModel.values).where(ProductModel.code == "polo"))["name"][0]["data"] == "Polo"
