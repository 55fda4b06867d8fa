"""The demo catalog is realistic and internally consistent, checked through the real API."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from channel_adapters.base.identifiers import is_valid_gtin
from hub.config import Settings
from hub.services.context import CatalogContext
from hub.services.demo import DemoCatalog
from hub.services.products import ProductModelService, ProductService
from hub.store.models import (
    Category, CategoryMember, Channel, ChannelTally, Product, ProductCompleteness, ProductDocument, ProductDocumentBody, ProductModel, Version,
)
from tests.conftest import wipe

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def demo(db_session: Session, settings: Settings) -> dict[str, int]:
    return DemoCatalog(db_session, settings.media_dir, now=NOW).load()


def all_items(client: FlaskClient, headers: dict[str, str], collection: str) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        url = f"/api/v1/{collection}?limit=100" + (f"&after={cursor}" if cursor else "")
        page = client.get(url, headers=headers).json
        items += page["items"]
        cursor = page["next"]
        if cursor is None:
            return items


def test_demo_catalog_is_consistent(demo, client, tokens):
    viewer = tokens["viewer"]
    products = all_items(client, viewer, "products")
    assert len(products) == 240 and demo["products"] == 240
    families = Counter(p["family"] for p in products)
    assert families["apparel"] >= 80 and families["grocery"] + families["liquids"] >= 80

    variants = [p for p in products if p["parent"]]
    assert variants and all(p["family"] == "apparel" for p in variants)
    assert len({(p["parent"], p["values"]["color"][0]["data"], p["values"]["size"][0]["data"]) for p in variants}) == len(variants)

    gtins = [p["values"]["ean"][0]["data"] for p in products if "ean" in p["values"]]
    assert len(gtins) == len(set(gtins)) and all(is_valid_gtin(g) and len(g) == 13 for g in gtins)
    assert len(gtins) < len(products), "some products lack a GTIN on purpose"

    for product in products:
        if product["family"] in ("grocery", "liquids"):
            content = product["values"].get("net_weight") or product["values"].get("net_volume")
            assert content and Decimal(content[0]["data"]["amount"]) > 0
        currencies = {o["currency"] for o in product["offers"] if o["channel"] is None}
        assert currencies == {"EUR", "USD"}
        assert {s["location"] for s in product["stock"]} == {"WH_LYON", "PAR01", "LYO01", "BDX01"}
    assert any(o["sale_price"] for p in products for o in p["offers"]), "some products are on sale"
    assert any(o["channel"] == "marketplace" for p in products for o in p["offers"]), "some have a marketplace price"


def test_demo_images_are_served_and_are_pngs(demo, client, tokens, settings):
    product = client.get("/api/v1/products/crew-tee-white-m", headers=tokens["viewer"]).json
    path = product["media"][0]["path"] if product["media"] else product["inherited_values"]["main_image"][0]["data"]
    served = client.get(f"/media/{path}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert (Path(settings.media_dir) / path).read_bytes() == served.data


def test_demo_has_incomplete_products_and_one_channel_per_adapter_family(demo, client, tokens):
    channels = {c["code"]: c for c in all_items(client, tokens["viewer"], "channels")}
    adapters = {c["adapter"] for c in channels.values()}
    assert {"google_merchant", "google_local_inventory", "bmecat", "shelf_labels", "esl", "meta_catalog"} <= adapters
    locales = {(c["locale"], c["currency"]) for c in channels.values()}
    assert ("en_US", "USD") in locales and ("fr_FR", "EUR") in locales

    ratios = []
    for product in all_items(client, tokens["viewer"], "products")[:120]:
        rows = client.get(f"/api/v1/products/{product['sku']}/completeness", headers=tokens["viewer"]).json
        ratios += [row["ratio"] for row in rows]
    assert 1.0 in ratios and min(ratios) < 1.0


def test_demo_brand_guide_flags_the_deliberate_mistakes(demo, client, tokens):
    guide = client.get("/api/v1/brand-guide", headers=tokens["viewer"]).json
    assert "Northwind" in guide["brand_names"] and "{brand}" in guide["title_template"]
    codes: Counter[str] = Counter()
    for product in all_items(client, tokens["viewer"], "products"):
        resolved = client.get(f"/api/v1/products/{product['sku']}/resolved/google_shopping?at={NOW.isoformat().replace('+', '%2B')}",
                              headers=tokens["viewer"]).json
        codes.update(d["code"] for d in resolved["diagnostics"])
    assert codes["image_missing"] > 0


def _everything(session: Session) -> dict[str, Any]:
    """What the demo stored, keyed by codes and SKUs (ids and write moments depend on which
    process wrote first): products and models as the API represents them, their versions, index
    rows, documents, category members and the channels' tallies."""
    session.expire_all()
    channels = dict(session.execute(select(Channel.id, Channel.code)).all())
    categories = dict(session.execute(select(Category.id, Category.code)).all())
    skus = dict(session.execute(select(Product.id, Product.sku)).all())
    found: dict[str, Any] = {"products": {}, "models": {}}
    service, models = ProductService(session, CatalogContext(session), "test"), ProductModelService(session, CatalogContext(session), "test")
    for product in session.scalars(select(Product)):
        state = {k: v for k, v in service.representation(product).items() if k not in ("created", "updated")}
        document = session.get(ProductDocument, product.id)
        found["products"][product.sku] = {
            "state": state, "search_text": product.search_text,
            "doc": session.get(ProductDocumentBody, product.id).doc, "stock": document.stock, "hash": document.doc_hash,
            "moments": document.moments,
            "index": sorted((channels[row.channel_id], row.ratio, row.missing, row.carried) for row in
                            session.scalars(select(ProductCompleteness).where(ProductCompleteness.product_id == product.id))),
        }
    for model in session.scalars(select(ProductModel)):
        found["models"][model.code] = {k: v for k, v in models.representation(model).items() if k not in ("created", "updated")}
    found["versions"] = sorted((v.entity, v.entity_key, v.version, v.author, repr(v.changes), repr(v.snapshot))
                               for v in session.scalars(select(Version)))
    found["members"] = sorted((categories[m.category_id], m.sku, skus[m.product_id]) for m in session.scalars(select(CategoryMember)))
    found["tallies"] = sorted((channels[t.channel_id], t.carried, t.complete) for t in session.scalars(select(ChannelTally)))
    return found


def test_workers_write_the_same_catalog_as_one_process(db_session: Session, settings: Settings, engine: Engine) -> None:
    """Two worker processes, each writing every other batch, store what one process stores:
    the same products, models, history, index, documents and tallies."""
    progress: list[int] = []
    made = DemoCatalog(db_session, settings.media_dir, products=2500, now=NOW).load(progress.append)
    alone = _everything(db_session)
    assert made["products"] == 2500 == sum(progress) == len(alone["products"])
    db_session.close()
    wipe(engine)
    progress.clear()
    made = DemoCatalog(db_session, settings.media_dir, products=2500, now=NOW).load(progress.append, workers=2)
    assert made["products"] == 2500 == sum(progress)
    assert len(progress) >= 2  # a batch at a time, from both workers
    together = _everything(db_session)
    for part in alone:
        assert together[part] == alone[part], part
