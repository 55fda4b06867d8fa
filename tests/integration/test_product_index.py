"""The stored completeness stays equal to the computed one through every change it depends on."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from hub.services import completeness_cache
from hub.services.completeness import completeness
from hub.services.context import CatalogContext
from hub.store.models import Channel, Product, ProductCompleteness
from tests.factories import value
from tests.integration.conftest import GOOD_EAN
from tests.integration.helpers import API, Headers


def cached(app: Flask) -> dict[tuple[str, str], tuple[float, list[str]]]:
    with app.extensions["crosscanal"].sessions() as session:
        rows = session.execute(select(Product.sku, Channel.code, ProductCompleteness.ratio, ProductCompleteness.missing)
                               .join(Product, Product.id == ProductCompleteness.product_id)
                               .join(Channel, Channel.id == ProductCompleteness.channel_id))
        return {(sku, channel): (ratio, list(missing)) for sku, channel, ratio, missing in rows}


def computed(app: Flask) -> dict[tuple[str, str], tuple[float, list[str]]]:
    with app.extensions["crosscanal"].sessions() as session:
        channels = list(CatalogContext(session).channels.values())
        return {(product.sku, row.channel): (row.ratio, row.missing)
                for product in session.scalars(select(Product))
                for row in completeness(product, channels)}


def assert_cache_agrees(app: Flask) -> dict[tuple[str, str], tuple[float, list[str]]]:
    rows = cached(app)
    assert rows == computed(app)
    return rows


def test_saving_products_and_models_keeps_the_cache(app: Flask, client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    rows = assert_cache_agrees(app)
    assert rows[("tee-red-s", "web")] == (round(2 / 3, 4), ["ean"])

    assert client.patch(f"{API}/products/tee-red-s", json={"values": {"ean": value(GOOD_EAN)}},
                        headers=tokens["editor"]).status_code == 200
    assert assert_cache_agrees(app)[("tee-red-s", "web")] == (1.0, [])

    assert client.patch(f"{API}/product-models/tee", json={"values": {"name": value("Tee classique", "fr_FR")}},
                        headers=tokens["editor"]).status_code == 200
    assert assert_cache_agrees(app)[("tee-red-s", "store")] == (1.0, [])


def test_family_requirements_and_channels_keep_the_cache(app: Flask, client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    family = client.get(f"{API}/families/drinks", headers=tokens["admin"]).json
    family["requirements"]["store"] = ["name", "net_content"]
    assert client.put(f"{API}/families/drinks", json=family, headers=tokens["admin"]).status_code == 200
    assert ("juice", "store") in assert_cache_agrees(app)

    created = client.post(f"{API}/channels", json={"code": "social", "adapter": "meta_catalog", "locale": "en_US",
                                                   "currency": "EUR", "country": "FR"}, headers=tokens["admin"])
    assert created.status_code == 201, created.json
    rows = assert_cache_agrees(app)
    assert [rows[(sku, "social")] for sku in ("juice", "tee-red-s")] == [(1.0, [])] * 2

    changed = client.patch(f"{API}/channels/store", json={"locale": "en_US"}, headers=tokens["admin"])
    assert changed.status_code == 200, changed.json
    rows = assert_cache_agrees(app)
    assert rows[("juice", "store")] == (1.0, [])  # its English name counts now


def test_backfill_fills_products_the_cache_lacks(app: Flask, seeded: None) -> None:
    expected = assert_cache_agrees(app)
    with app.extensions["crosscanal"].writers() as session:
        session.execute(delete(ProductCompleteness).where(
            ProductCompleteness.product_id == select(Product.id).where(Product.sku == "juice").scalar_subquery()))
        session.commit()
        assert ("juice", "web") not in cached(app)
        assert completeness_cache.backfill(session, CatalogContext(session)) == 1
        assert completeness_cache.backfill(session, CatalogContext(session)) == 0
        session.commit()
    assert assert_cache_agrees(app) == expected
