"""A small stored catalog most API tests start from, made through the real services."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from hub.cli import main
from hub.config import Settings

from hub.services import brand_guide
from hub.services.stock import set_stock
from schemas.brand_guide import BrandGuideIn
from tests import factories
from tests.factories import value
from tests.support.plugins import pip_install

# A real EAN-13 (its check digit is 1) and the same number with a wrong check digit.
GOOD_EAN = "4006381333931"
BAD_EAN = "4006381333932"


@pytest.fixture
def seeded(db_session: Session) -> None:
    """The factories' catalog, plus: product model ``tee`` with variant ``tee-red-s``, product
    ``juice`` (names in two locales, an EAN, a litre, a EUR offer), a brand guide and stock."""
    factories.catalog(db_session)
    factories.product_model(db_session)
    factories.product(db_session, "tee-red-s", family="tees", parent="tee",
                      values={"color": value("red"), "size": value("s")})
    factories.product(db_session, "juice", values={
        "name": value("Orange juice", "en_US") + value("Jus d'orange", "fr_FR"),
        "ean": value(GOOD_EAN),
        "net_content": value({"amount": "1", "unit": "LITER"}),
    }, offers=[{"currency": "EUR", "price": "2.50"}])
    brand_guide.put(db_session, BrandGuideIn().load({"brand_names": ["Acme"], "banned_words": ["cheap"]}))
    set_stock(db_session, [{"sku": "juice", "location": "wh", "quantity": 7}])
    db_session.commit()


@pytest.fixture(scope="session")
def acme_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pip_install("acme_adapter", tmp_path_factory.mktemp("site"))


@pytest.fixture
def acme(acme_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ACME adapter installed as a separate package, visible to entry-point discovery."""
    monkeypatch.syspath_prepend(str(acme_site))


@pytest.fixture
def run(settings: Settings):
    """The ``crosscanal`` command on the test's database, in this process: ``run("init").exit_code``."""
    env = {"CROSSCANAL_DATABASE_URL": settings.database_url, "CROSSCANAL_DATA_DIR": str(settings.data_dir)}

    def invoke(*args: str, stdin: str | None = None):
        return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)

    return invoke
