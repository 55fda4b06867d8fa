"""The bulk write path stores exactly what saving the same products one by one stores: the
products, their history, index rows, completeness and resolved documents; and it refuses what
a single save refuses, with the same reasons."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import Conflict
from hub.services.context import CatalogContext
from hub.services.product_batch import ProductBatch
from hub.services.products import ProductService
from hub.services.stock import set_stock
from hub.store.name_search import name_contains
from hub.store.completeness_repo import CompletenessRepo
from hub.store.models import Channel, ChannelTally, Product, ProductCompleteness, ProductDocument, ProductDocumentBody, Version
from schemas.product import ProductIn
from tests import factories
from tests.factories import value

GOOD_EAN = "4006381333931"


def bodies(suffix: str) -> list[dict[str, Any]]:
    """Products of both kinds: simple ones with offers and categories, variants of a model."""
    found = [
        {"sku": f"juice{suffix}", "family": "drinks", "categories": ["grocery"],
         "values": {"name": value("Orange juice", "en_US") + value("Jus d'orange", "fr_FR"), "ean": value(GOOD_EAN),
                    "net_content": value({"amount": "1.5", "unit": "LITER"}), "organic": value(True)},
         "offers": [{"currency": "EUR", "price": "2.49", "sale_price": "1.99", "sale_start": "2026-12-01T00:00:00+01:00",
                     "sale_end": "2026-12-24T00:00:00+00:00"}, {"currency": "USD", "price": "2.99", "channel": "web"}]},
        {"sku": f"water{suffix}", "family": "drinks", "enabled": False, "values": {"name": value("Water", "en_US")}},
    ]
    for colour in ("red", "blue"):
        for size in ("s", "m"):
            found.append({"sku": f"tee-{colour}-{size}{suffix}", "parent": f"tee{suffix}", "categories": ["tops"],
                          "values": {"color": value(colour), "size": value(size)},
                          "offers": [{"currency": "USD", "price": "19.00"}]})
    return [ProductIn().load(body) for body in found]


def stored(session: Session, suffix: str) -> dict[str, Any]:
    """Everything stored for the products whose SKU ends with ``suffix``, with the suffix removed."""
    session.expire_all()
    channels = dict(session.execute(select(Channel.id, Channel.code)).all())
    found: dict[str, Any] = {}
    for product in session.scalars(select(Product).where(Product.sku.endswith(suffix))):
        sku = product.sku.removesuffix(suffix)
        service = ProductService(session, CatalogContext(session), "test")
        state = orjson.loads(orjson.dumps(service.representation(product), default=str).replace(suffix.encode(), b""))
        for moment in ("created", "updated"):
            state.pop(moment)
        versions = [(v.version, v.author, orjson.loads(orjson.dumps(v.changes).replace(suffix.encode(), b"")),
                     orjson.loads(orjson.dumps(v.snapshot).replace(suffix.encode(), b"")))
                    for v in session.scalars(select(Version).where(Version.entity_key == product.sku))]
        index = sorted((channels[row.channel_id], row.ratio, row.missing, row.carried) for row in
                       session.scalars(select(ProductCompleteness).where(ProductCompleteness.product_id == product.id)))
        document = session.get(ProductDocument, product.id)
        found[sku] = {"state": state, "versions": versions, "index": index, "search_text": product.search_text,
                      "doc": orjson.loads(session.get(ProductDocumentBody, product.id).doc.replace(suffix.encode(), b"")),
                      "stock": orjson.loads(document.stock),
                      "moments": document.moments, "stale": document.stale}
    return found


def test_the_bulk_path_stores_what_single_saves_store(db_session: Session):
    factories.catalog(db_session)
    factories.product_model(db_session, "tee_one")
    factories.product_model(db_session, "tee_bulk")
    stock = [{"wh": 5, "paris": 2}, {}, {"wh": 1}, {}, {"paris": 3}, {}]
    ctx = CatalogContext(db_session)
    single = ProductService(db_session, ctx, "test")
    for body, quantities in zip(bodies("_one"), stock):
        single.save(body, None)
        set_stock(db_session, [{"sku": body["sku"], "location": code, "quantity": qty} for code, qty in quantities.items()])
    results = ProductBatch(db_session, ctx, "test").save(bodies("_bulk"), stock)
    db_session.commit()

    assert [r.status for r in results] == ["created"] * 6, [r.errors for r in results]
    one, bulk = stored(db_session, "_one"), stored(db_session, "_bulk")
    assert set(one) == {"juice", "water", "tee-red-s", "tee-red-m", "tee-blue-s", "tee-blue-m"}
    assert bulk == one
    assert all(len(entry["index"]) == 2 and len(entry["versions"]) == 1 for entry in bulk.values())
    assert bulk["juice"]["stock"] == [["wh", 5], ["paris", 2]] and bulk["juice"]["moments"]
    assert bulk["tee-red-s"]["doc"]["values"]["name"][0]["data"] == "Classic tee"  # inherited from the model
    kept = tallies(db_session)  # moved by each save, the batch's from rows it counted before writing
    CompletenessRepo(db_session).retally()
    assert kept == tallies(db_session) and any(carried for carried, _complete in kept.values())


def tallies(session: Session) -> dict[int, tuple[int, int]]:
    return {t.channel_id: (t.carried, t.complete) for t in session.scalars(select(ChannelTally))}


def test_a_big_batch_keeps_each_row_and_the_name_index_finds_every_product(db_session: Session):
    """700 new products: on SQLite they go in as statements of 512, 128, 32, 16, 8 and 4 rows (each
    statement's rows end the name index's trigger work together); every row keeps its own values
    and id, and a name search finds each product, and only it."""
    factories.catalog(db_session)
    made = [ProductIn().load({"sku": f"bulk-{n:04d}", "family": "drinks", "enabled": n % 3 != 0,
                              "values": {"name": value(f"Zebra juice {n:04d}x", "en_US"), "rating": value(str(n % 5))}})
            for n in range(700)]
    results = ProductBatch(db_session, CatalogContext(db_session), "test").save(made)
    db_session.commit()

    assert [r.status for r in results] == ["created"] * 700
    rows = {row.sku: row for row in db_session.execute(select(Product.sku, Product.id, Product.enabled, Product.values))}
    assert {sku: (row.enabled, row.values["name"][0]["data"], row.values["rating"][0]["data"]) for sku, row in rows.items()} == {
        f"bulk-{n:04d}": (n % 3 != 0, f"Zebra juice {n:04d}x", str(n % 5)) for n in range(700)}
    assert [r.product_id for r in results] == [rows[r.sku].id for r in results]
    dialect = db_session.get_bind().dialect.name
    for n in range(700):
        assert db_session.scalars(select(Product.sku).where(name_contains(f"juice {n:04d}x", dialect))).all() == [f"bulk-{n:04d}"]


def test_a_big_batch_of_renames_moves_each_product_in_the_name_index(db_session: Session):
    """700 products renamed in one batch (on SQLite ``UPDATE ... FROM (VALUES ...)`` statements of
    several sizes, the name index's trigger taking out each old name and adding the new one):
    each product is found by its new name, by its old one no more."""
    factories.catalog(db_session)
    ctx = CatalogContext(db_session)

    def named(word: str) -> list[dict[str, Any]]:
        return [ProductIn().load({"sku": f"bulk-{n:04d}", "family": "drinks", "values": {"name": value(f"{word} juice {n:04d}x", "en_US")}})
                for n in range(700)]

    ProductBatch(db_session, ctx, "test").save(named("Zebra"))
    db_session.commit()
    results = ProductBatch(db_session, ctx, "test").save(named("Okapi"))
    db_session.commit()

    assert [r.status for r in results] == ["updated"] * 700
    assert set(db_session.scalars(select(Product.revision))) == {2}
    dialect = db_session.get_bind().dialect.name
    for n in range(700):
        assert db_session.scalars(select(Product.sku).where(name_contains(f"okapi juice {n:04d}x", dialect))).all() == [f"bulk-{n:04d}"]
        assert db_session.scalars(select(Product.sku).where(name_contains(f"zebra juice {n:04d}x", dialect))).all() == []


def test_a_product_changed_after_the_batch_read_it_fails_the_batch(db_session: Session):
    """The batch's update names the revision it read: a product saved in between (another
    writer) makes the whole batch fail with a conflict, and the caller's rollback keeps nothing."""
    factories.catalog(db_session)
    ctx = CatalogContext(db_session)
    juice, water = bodies("_race")[:2]
    ProductBatch(db_session, ctx, "test").save([juice, water])
    db_session.commit()
    renamed, lit = copy.deepcopy(juice), copy.deepcopy(water)
    renamed["values"]["name"] = value("Blood orange juice", "en_US")
    lit["enabled"] = True
    batch = ProductBatch(db_session, ctx, "test")
    prepared = batch.prepare([renamed, lit])
    other = ProductService(db_session, ctx, "another writer")
    other.save(ProductIn().load({**copy.deepcopy(water), "categories": ["grocery"]}), other.get("water_race"))

    with pytest.raises(Conflict):
        batch.write(prepared)
    db_session.rollback()

    assert dict(db_session.execute(select(Product.sku, Product.revision)).all()) == {"juice_race": 1, "water_race": 1}


def test_the_bulk_path_refuses_what_a_single_save_refuses_and_keeps_the_rest(db_session: Session):
    factories.catalog(db_session)
    factories.product_model(db_session, "tee_x")
    ctx = CatalogContext(db_session)
    good, *_ = bodies("-ok")
    broken = copy.deepcopy(good) | {"sku": "juice-bad", "categories": ["nowhere"]}
    clash = {**bodies("_x")[2], "sku": "tee-clash"}  # a second red s variant of the model
    first_red = {**bodies("_x")[2], "sku": "tee-first"}
    expected = {}
    for body in (broken,):
        try:
            ProductService(db_session, ctx, "test").check(body, None)
        except Exception as exc:  # noqa: BLE001 - compared below
            expected[body["sku"]] = exc.errors  # type: ignore[attr-defined]
    results = ProductBatch(db_session, ctx, "test").save([good, broken, first_red, clash, good], [{"nowhere": 1}, {}, {}, {}, {}])
    db_session.commit()
    assert [(r.sku, r.status) for r in results] == [
        ("juice-ok", "invalid"), ("juice-bad", "invalid"), ("tee-first", "created"), ("tee-clash", "invalid"),
        ("juice-ok", "invalid")]
    assert results[0].errors == {"stock": ["unknown location 'nowhere'"]}
    assert results[1].errors == expected["juice-bad"] == {"categories[0]": ["unknown category 'nowhere'"]}
    assert results[3].errors == {"values": ["variant 'tee-first' of 'tee_x' already has color=red, size=s"]}
    assert results[4].errors == {"sku": ["'juice-ok' is given twice in one batch (item 1)"]}
    assert set(db_session.scalars(select(Product.sku))) == {"tee-first"}
    assert db_session.scalar(select(ProductDocument.product_id).join(Product, Product.id == ProductDocument.product_id)
                             .where(Product.sku == "tee-first")) is not None


def test_a_batch_updates_existing_products_and_sets_their_stock(db_session: Session):
    factories.catalog(db_session)
    ctx = CatalogContext(db_session)
    first, water = bodies("_old")[:2]
    assert [r.status for r in ProductBatch(db_session, ctx, "test").save([first, water])] == ["created", "created"]
    db_session.commit()
    renamed = copy.deepcopy(first)
    renamed["values"]["name"] = value("Blood orange juice", "en_US")
    results = ProductBatch(db_session, ctx, "test").save([renamed, water], [{"wh": 9}, {}])
    db_session.commit()
    assert [r.status for r in results] == ["updated", "unchanged"]
    state = stored(db_session, "_old")
    assert [v[0] for v in state["juice"]["versions"]] == [1, 2] and [v[0] for v in state["water"]["versions"]] == [1]
    assert state["juice"]["doc"]["values"]["name"][0]["data"] == "Blood orange juice"
    assert state["juice"]["stock"] == [["wh", 9]] and "blood orange juice" in state["juice"]["search_text"]


def changed_bodies(suffix: str) -> list[dict[str, Any]]:
    """Every kind of change a batch can make to the products of ``bodies``, and one body unchanged."""
    juice, water, red_s, red_m, blue_s, blue_m = (copy.deepcopy(b) for b in bodies(suffix))
    juice["values"]["name"] = value("Blood orange juice", "en_US")
    juice["offers"] = [{**juice["offers"][0], "price": "2.59"}]  # one offer changed, the other dropped
    juice["categories"] = []
    water["enabled"] = True
    water["categories"] = ["grocery"]
    water["offers"] = [{"currency": "EUR", "price": "0.99", "channel": "web"}]
    red_s["values"]["size"] = value("l")  # a variant moves to free axis values
    blue_s["media"] = []
    return [ProductIn().load(b) for b in (juice, water, red_s, red_m, blue_s, blue_m)]


def test_the_bulk_path_updates_as_single_saves_update(db_session: Session):
    factories.catalog(db_session)
    ctx = CatalogContext(db_session)
    for suffix in ("_one", "_bulk"):
        factories.product_model(db_session, f"tee{suffix}")
        ProductBatch(db_session, ctx, "test").save(bodies(suffix), [{"wh": 4}, {}, {}, {}, {}, {}])
    db_session.commit()
    single = ProductService(db_session, ctx, "test")
    saved_one = [single.save(body, single.get(body["sku"])) for body in changed_bodies("_one")]
    db_session.commit()
    db_session.expire_all()
    results = ProductBatch(db_session, ctx, "test").save(changed_bodies("_bulk"))
    db_session.commit()

    assert [r.status for r in results] == ["updated" if s.changed else "unchanged" for s in saved_one]
    assert [r.status for r in results] == ["updated", "updated", "updated", "unchanged", "unchanged", "unchanged"]
    one, bulk = stored(db_session, "_one"), stored(db_session, "_bulk")
    assert bulk == one
    assert bulk["juice"]["state"]["revision"] == 2 and bulk["tee-red-m"]["state"]["revision"] == 1
    assert [v[0] for v in bulk["water"]["versions"]] == [1, 2]
    assert bulk["juice"]["stock"] == [["wh", 4]]
    created = {body["sku"].removesuffix("_bulk"): body for body in bodies("_bulk")}
    for sku in ("juice", "water"):  # the update stored the creation's state as version 1's snapshot
        first, second = bulk[sku]["versions"][0][3], bulk[sku]["versions"][1][3]
        assert (first["values"], first["categories"]) == (created[sku]["values"], sorted(created[sku]["categories"]))
        assert first != second
    assert bulk["tee-red-m"]["versions"][0][3] is None  # still the latest: the record holds its state


def test_stored_rows_give_the_state_the_orm_gives(db_session: Session):
    from hub.services.states import product_state, stored_state
    from hub.store import product_rows

    factories.catalog(db_session)
    factories.product_model(db_session, "tee_s")
    ctx = CatalogContext(db_session)
    ProductBatch(db_session, ctx, "test").save(bodies("_s") + changed_bodies("_t")[:2])  # a sale offer, a channel offer
    db_session.commit()
    db_session.expire_all()
    products = db_session.scalars(select(Product)).all()
    rows = product_rows.by_skus(db_session, [p.sku for p in products])
    assert len(rows) == len(products) == 8
    for product in products:
        assert stored_state(rows[product.sku], ctx.codes) == product_state(product), product.sku
