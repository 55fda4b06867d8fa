"""The product index (completeness, carried flags, search text) stays equal to what is computed
from the products through every change it depends on."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from hub.services import product_index
from hub.services.completeness import completeness
from hub.services.context import CatalogContext
from hub.services.inheritance import effective_values
from hub.store.models import Category, CategoryMember, Channel, Product, ProductCompleteness, ProductDocument, ProductDocumentBody
from hub.store.completeness_repo import CompletenessRepo
from hub.store.repos import ProductRepo, in_categories
from tests.factories import value
from tests.integration.conftest import GOOD_EAN
from tests.integration.helpers import API, Headers


Row = tuple[float, list[str]]


Tallies = dict[str, tuple[int, int]]
Index = tuple[dict[tuple[str, str], Row], set[tuple[str, str]], dict[str, str | None], Tallies, set[tuple[str, str]]]


def cached(app: Flask) -> Index:
    """What the index holds: completeness and carried (sku, channel) pairs, search texts, the
    channels' kept tallies (carried, complete), and the (category, sku) pairs of the category members."""
    with app.extensions["crosscanal"].sessions() as session:
        rows = session.execute(select(Product.sku, Channel.code, ProductCompleteness.ratio, ProductCompleteness.missing,
                                      ProductCompleteness.carried)
                               .join(Product, Product.id == ProductCompleteness.product_id)
                               .join(Channel, Channel.id == ProductCompleteness.channel_id)).all()
        texts = dict(session.execute(select(Product.sku, Product.search_text)).all())
        codes = dict(session.execute(select(Channel.id, Channel.code)).all())
        tallies = {codes[cid]: counts for cid, counts in CompletenessRepo(session).tallies().items()}
        members = {(code, sku) for code, sku in session.execute(
            select(Category.code, CategoryMember.sku).join(Category, Category.id == CategoryMember.category_id))}
        return ({(sku, channel): (ratio, list(missing)) for sku, channel, ratio, missing, _ in rows},
                {(sku, channel) for sku, channel, _, _, carried in rows if carried}, texts, tallies, members)


def computed(app: Flask) -> Index:
    """The same computed from scratch: completeness per product, what each channel's product query
    carries, the names the resolved values give, and what each category's subtree holds by the links."""
    with app.extensions["crosscanal"].sessions() as session:
        ctx = CatalogContext(session)
        channels = list(ctx.channels.values())
        products = list(session.scalars(select(Product)))
        completes = {(product.sku, row.channel): (row.ratio, row.missing)
                     for product in products for row in completeness(product, channels)}
        carried = {(product.sku, channel.code) for channel in channels
                   for product in ProductRepo(session).carried(ctx.selection(channel), 0, 10_000)}
        texts = {product.sku: "\n".join(dict.fromkeys(
            e["data"].lower() for e in effective_values(product).get("name", []))) for product in products}
        tallies = {channel.code: (sum(1 for sku, code in carried if code == channel.code),
                                  sum(1 for sku, code in carried if code == channel.code and completes[(sku, code)][0] >= 1.0))
                   for channel in channels}
        members = {(code, sku) for code in ctx.categories for sku in session.scalars(
            select(Product.sku).where(in_categories(ctx.category_subtree([code]))))}
        return completes, carried, texts, tallies, members


def assert_cache_agrees(app: Flask) -> dict[tuple[str, str], Row]:
    found = cached(app)
    assert found == computed(app)
    return found[0]


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
        assert ("juice", "web") not in cached(app)[0]
        assert product_index.backfill(session, CatalogContext(session)) == 1
        assert product_index.backfill(session, CatalogContext(session)) == 0
        session.commit()
    assert assert_cache_agrees(app) == expected


def stored_documents(session: Session) -> dict[int, tuple[Any, ...]]:
    """Each product's (document, stock, hash, stale), from its two rows."""
    query = (select(ProductDocument.product_id, ProductDocumentBody.doc, ProductDocument.stock, ProductDocument.doc_hash,
                    ProductDocument.stale)
             .join(ProductDocumentBody, ProductDocumentBody.product_id == ProductDocument.product_id))
    return {pid: tuple(rest) for pid, *rest in session.execute(query)}


def test_backfill_and_reindex_rebuild_documents_from_the_master_record_and_drop_orphans(app: Flask, seeded: None) -> None:
    with app.extensions["crosscanal"].writers() as session:
        kept = stored_documents(session)
        assert len(kept) == session.scalar(select(func.count()).select_from(Product))
        assert all(stale is False for *_, stale in kept.values())
        session.execute(delete(ProductDocument))
        session.commit()
        assert product_index.backfill(session, CatalogContext(session)) == len(kept)
        session.commit()
        assert stored_documents(session) == kept
        session.execute(update(ProductDocumentBody).values(doc=b"{}"))
        session.execute(update(ProductDocument).values(stale=True))
        session.execute(delete(CategoryMember))
        gone, product, channel, category = 10**6, min(kept), session.scalar(select(func.min(Channel.id))), session.scalar(select(func.min(Category.id)))
        plant_orphans(session, gone, product, channel, category)
        session.commit()
        assert product_index.rebuild(session, CatalogContext(session)) == len(kept)
        session.expire_all()
        assert stored_documents(session) == kept
        assert orphans(session, gone) == [0, 0, 0, 0, 0, 0]
    assert_cache_agrees(app)


def test_a_refresh_writes_no_rows_for_a_product_deleted_since_it_was_read(app: Flask, seeded: None) -> None:
    """As a publication's refresh of stale documents could find a product a concurrent request
    deleted (committed between the read and the write): no foreign key refuses its rows now."""
    with app.extensions["crosscanal"].writers() as session:
        products = list(CompletenessRepo(session).by_id_list(list(session.scalars(select(Product.id)))))
        for product in products:  # what refresh reads of them, loaded before the delete
            _ = (product.family.requirements, product.categories, product.offers, product.media, product.values)
        gone = products[0].id
        # What another request's ProductService.delete does, committed after the read:
        session.execute(delete(Product).where(Product.id == gone))
        product_index.forget(session, [gone])
        tallies = CompletenessRepo(session).tallies()

        product_index.refresh(session, CatalogContext(session), products)

        assert orphans(session, gone)[0::2] == [0, 0, 0]  # its completeness, category members, document
        assert orphans(session, gone)[5] == 0  # nor a body
        assert CompletenessRepo(session).tallies() == tallies
        CompletenessRepo(session).retally()
        assert CompletenessRepo(session).tallies() == tallies  # as a recount finds them
        session.rollback()


def plant_orphans(session: Session, gone: int, product: int, channel: int, category: int) -> None:
    """Derived rows of product, channel and category ``gone``, which do not exist: nothing stops
    them (the derived tables have no foreign keys), as a write that raced a delete could leave."""
    session.add_all([ProductCompleteness(product_id=gone, channel_id=channel, ratio=1.0, missing=[], carried=True),
                     ProductCompleteness(product_id=product, channel_id=gone, ratio=1.0, missing=[], carried=True),
                     CategoryMember(category_id=category, sku="gone", product_id=gone),
                     CategoryMember(category_id=gone, sku="gone", product_id=product),
                     ProductDocument(product_id=gone, stock=b"[]", doc_hash="x", moments="", stale=False, changed=0),
                     ProductDocumentBody(product_id=gone, doc=b"{}")])
    session.flush()
    assert orphans(session, gone) == [1, 1, 1, 1, 1, 1]


def orphans(session: Session, gone: int) -> list[int]:
    return [session.scalar(select(func.count()).select_from(table).where(column == gone)) for table, column in (
        (ProductCompleteness, ProductCompleteness.product_id), (ProductCompleteness, ProductCompleteness.channel_id),
        (CategoryMember, CategoryMember.product_id), (CategoryMember, CategoryMember.category_id),
        (ProductDocument, ProductDocument.product_id), (ProductDocumentBody, ProductDocumentBody.product_id))]


def test_category_members_follow_filing_models_and_moves(app: Flask, client: FlaskClient, tokens: dict[str, Headers],
                                                         seeded: None) -> None:
    assert client.patch(f"{API}/product-models/tee", json={"categories": ["tops"]}, headers=tokens["editor"]).status_code == 200
    assert client.patch(f"{API}/products/juice", json={"categories": ["grocery"]}, headers=tokens["editor"]).status_code == 200
    assert cached(app)[4] == {("tops", "tee-red-s"), ("apparel", "tee-red-s"), ("grocery", "juice")}  # the variant through its model
    assert_cache_agrees(app)

    moved = client.patch(f"{API}/categories/tops", json={"parent": "grocery"}, headers=tokens["admin"])
    assert moved.status_code == 200, moved.json
    assert cached(app)[4] == {("tops", "tee-red-s"), ("grocery", "tee-red-s"), ("grocery", "juice")}
    assert_cache_agrees(app)

    with app.extensions["crosscanal"].writers() as session:
        session.execute(delete(CategoryMember))
        session.commit()
        product_index.rebuild(session, CatalogContext(session))
    assert cached(app)[4] == {("tops", "tee-red-s"), ("grocery", "tee-red-s"), ("grocery", "juice")}

    assert client.delete(f"{API}/products/juice", headers=tokens["admin"]).status_code == 204
    assert cached(app)[4] == {("tops", "tee-red-s"), ("grocery", "tee-red-s")}


def test_channel_filters_and_category_moves_keep_what_is_carried(app: Flask, client: FlaskClient,
                                                                 tokens: dict[str, Headers], seeded: None) -> None:
    assert client.patch(f"{API}/products/juice", json={"categories": ["grocery"], "values": {"name": value("Blood ORANGE", "en_US")}},
                        headers=tokens["editor"]).status_code == 200
    assert "blood orange" in cached(app)[2]["juice"]
    changed = client.patch(f"{API}/channels/web", json={"filter": {"categories": ["apparel"]}}, headers=tokens["admin"])
    assert changed.status_code == 200, changed.json
    assert_cache_agrees(app)
    assert ("juice", "web") not in cached(app)[1]

    moved = client.patch(f"{API}/categories/grocery", json={"parent": "apparel"}, headers=tokens["admin"])
    assert moved.status_code == 200, moved.json
    assert_cache_agrees(app)
    assert ("juice", "web") in cached(app)[1]  # grocery is inside apparel now

    assert client.patch(f"{API}/products/juice", json={"enabled": False}, headers=tokens["editor"]).status_code == 200
    assert_cache_agrees(app)
    assert ("juice", "web") not in cached(app)[1]
