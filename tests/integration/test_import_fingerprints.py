"""A nightly file's unchanged rows are recognised by their fingerprint (``row_fingerprints``)
without being built, and only where nothing could have changed what the row makes of its
product: the product is at the revision the row left it at, the catalog's rules are the same.
Every rule a built row obeys still holds for them. Against the real import job and database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.jobs.imports import Importer
from hub.services.catalog import AttributeService
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.models import Attribute, ImportFingerprint, Product, Version
from schemas.attribute import AttributeIn
from schemas.product import ProductIn
from tests.integration.helpers import row_count
from tests.integration.test_imports_flat import GOOD_EAN, OTHER_EAN, importer, run, state, value, write  # noqa: F401 - fixture

HEADER = "sku;family;name-en_US;ean;rating;price-EUR\n"
NIGHTLY = HEADER + f"apple-1;drinks;Apple juice;{GOOD_EAN};4.5;2.50\npear-2;drinks;Pear juice;{OTHER_EAN};3;2.00\n"


def kept(db_session: Session) -> dict[str, int]:
    """The revision each product's kept fingerprint names, by SKU."""
    db_session.rollback()
    return dict(db_session.execute(select(Product.sku, ImportFingerprint.revision)
                                   .join(ImportFingerprint, ImportFingerprint.product_id == Product.id)).all())


def revisions(db_session: Session) -> dict[str, int]:
    db_session.rollback()
    return dict(db_session.execute(select(Product.sku, Product.revision)).all())


def test_the_same_file_again_is_unchanged_and_writes_nothing(importer: Importer, db_session: Session, seeded: None,
                                                              tmp_path: Path) -> None:
    path = write(tmp_path, "nightly.csv", NIGHTLY)
    first = run(importer, db_session, path)
    assert (first.created, first.rejected) == (2, 0), first.rejections
    assert kept(db_session) == {"apple-1": 1, "pear-2": 1}
    before, versions = revisions(db_session), row_count(db_session, Version)

    again = run(importer, db_session, path)

    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0)
    assert revisions(db_session) == before and row_count(db_session, Version) == versions
    assert kept(db_session) == {"apple-1": 1, "pear-2": 1}


def test_a_product_changed_since_is_built_again_and_takes_the_files_values(
        importer: Importer, db_session: Session, seeded: None, tmp_path: Path) -> None:
    path = write(tmp_path, "nightly.csv", NIGHTLY)
    run(importer, db_session, path)
    service = ProductService(db_session, CatalogContext(db_session), "merchandiser")
    body = {**state(db_session, "apple-1"), "values": {**state(db_session, "apple-1")["values"], "name": value("Renamed", "en_US")}}
    service.save(ProductIn().load({k: v for k, v in body.items() if k not in ("created", "updated", "revision")}),
                 service.find("apple-1"))
    db_session.commit()

    again = run(importer, db_session, path)

    assert (again.updated, again.unchanged) == (1, 1)
    assert state(db_session, "apple-1")["values"]["name"] == value("Apple juice", "en_US")
    assert kept(db_session) == {"apple-1": 3, "pear-2": 1}


def test_a_rule_changed_since_is_checked_again(importer: Importer, db_session: Session, seeded: None,
                                               tmp_path: Path) -> None:
    path = write(tmp_path, "nightly.csv", NIGHTLY)
    run(importer, db_session, path)
    ctx = CatalogContext(db_session)
    rating = db_session.scalar(select(Attribute).where(Attribute.code == "rating"))
    AttributeService(db_session, ctx).replace(rating, AttributeIn().load(
        {"code": "rating", "type": "number", "validation": {"min": "0", "max": "4"}}))
    db_session.commit()

    again = run(importer, db_session, path)

    assert (again.unchanged, again.rejected) == (1, 1)
    assert again.rejections[0]["row"] == 2 and "above the maximum of 4" in again.rejections[0]["reason"]


def test_keys_of_unchanged_rows_are_still_claimed(importer: Importer, db_session: Session, seeded: None,
                                                  tmp_path: Path) -> None:
    run(importer, db_session, write(tmp_path, "nightly.csv", NIGHTLY))
    doubled = NIGHTLY + f"apple-1;drinks;Apple juice;{GOOD_EAN};4.5;2.50\nquince-3;drinks;Quince juice;{OTHER_EAN};2;1.00\n"

    again = run(importer, db_session, write(tmp_path, "doubled.csv", doubled))

    assert (again.created, again.unchanged, again.rejected) == (0, 2, 2)
    reasons = {r["row"]: r["reason"] for r in again.rejections}
    assert "also on row 2 of this file" in reasons[4]  # the SKU of an unchanged row
    assert "also on row 3 of this file" in reasons[5]  # the GTIN an unchanged row's product holds
    assert state(db_session, "quince-3") is None
