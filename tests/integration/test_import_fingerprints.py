"""A nightly file's unchanged rows are recognised by their fingerprint (``row_fingerprints``)
without being built, and only where nothing could have changed what the row makes of its
product: the product is at the revision the row left it at, the catalog's rules are the same.
Every rule a built row obeys still holds for them. Against the real import job and database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.imports.row_fingerprints import catalog_digest
from hub.jobs.imports import Importer
from hub.services.catalog import AttributeService
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.models import Attribute, Category, Currency, Family, ImportFingerprint, Locale, Location, Product, Version
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


def test_the_catalogs_digest_moves_with_every_definition_a_row_reads_and_nothing_else(
        db_session: Session, seeded: None) -> None:
    """Each change a row's reading depends on gives another digest (so the rows are built again);
    a product's change, which the revision check covers, leaves it."""
    seen = [catalog_digest(db_session)]

    def changed() -> bool:
        db_session.flush()
        seen.append(catalog_digest(db_session))
        return seen[-1] not in seen[:-1]

    assert catalog_digest(db_session) == seen[0]
    juice = db_session.scalar(select(Product).where(Product.sku == "juice"))
    juice.enabled = not juice.enabled
    assert not changed()
    rating = db_session.scalar(select(Attribute).where(Attribute.code == "rating"))
    rating.validation = {"min": "0", "max": "4"}
    assert changed()
    rating.options = [{"code": "x", "labels": {}}]
    assert changed()
    drinks = db_session.scalar(select(Family).where(Family.code == "drinks"))
    drinks.attributes = [a for a in drinks.attributes if a.code != "rating"]
    assert changed()
    db_session.add(Family(code="empty"))
    assert changed()
    db_session.add(Category(code="new-category"))
    assert changed()
    db_session.add(Locale(code="de_DE", label="German"))
    assert changed()
    db_session.add(Currency(code="CHF", label="Swiss franc"))
    assert changed()
    db_session.add(Location(code="warehouse-2", type="warehouse", name="Second", country="FR"))
    assert not changed()  # stores only: a row names a store's offers and stock
    db_session.add(Location(code="store-9", type="store", name="Ninth", country="FR"))
    assert changed()
    db_session.rollback()
