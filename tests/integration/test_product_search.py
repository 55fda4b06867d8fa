"""The grid's search: every filter, every sort order, and keyset pages that visit each match once."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import ValidationFailed
from hub.services import product_search
from hub.services.completeness import completeness
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.models import Product
from hub.store.repos import PublicationRepo
from schemas.product import ProductIn
from schemas.product_grid import GridQueryIn
from tests import factories
from tests.factories import value
from tests.integration.conftest import GOOD_EAN

SKUS = [f"drink-{n:02d}" for n in range(12)]


@pytest.fixture
def drinks(db_session: Session) -> None:
    """Twelve drinks: every third lacks its EAN, every fourth its net content, odd ones are
    disabled, the first six are filed under grocery, and names say "juice" or "water"."""
    factories.catalog(db_session)
    for n, sku in enumerate(SKUS):
        values: dict[str, Any] = {"name": value(f"{'Juice' if n % 2 else 'Water'} {n}", "en_US")}
        if n % 3:
            values["ean"] = value(GOOD_EAN)
        if n % 4:
            values["net_content"] = value({"amount": "1", "unit": "LITER"})
        factories.product(db_session, sku, values=values, enabled=n % 2 == 0,
                          categories=["grocery"] if n < 6 else [])


def search(session: Session, limit: int = 50, **args: str) -> product_search.Page:
    return product_search.search(session, CatalogContext(session), GridQueryIn().load_args(args), "en_US", limit)


def every_page(session: Session, limit: int, **args: str) -> list[product_search.Row]:
    rows: list[product_search.Row] = []
    after = ""
    while True:
        page = search(session, limit, after=after, **args)
        rows += page.rows
        if page.next_after is None:
            return rows
        after = page.next_after


def skus(page: product_search.Page) -> list[str]:
    return [row.product.sku for row in page.rows]


def test_filters(db_session: Session, drinks: None) -> None:
    assert skus(search(db_session, sku="drink-1")) == ["drink-10", "drink-11"]
    assert skus(search(db_session, q="JUICE")) == [s for n, s in enumerate(SKUS) if n % 2]
    assert skus(search(db_session, enabled="no")) == [s for n, s in enumerate(SKUS) if n % 2]
    assert skus(search(db_session, category="grocery")) == SKUS[:6]
    # A name or a category alone is counted off its own index; beside another filter, off the join.
    assert [search(db_session, **args).total for args in ({"q": "JUICE"}, {"category": "grocery"},
                                                          {"q": "juice", "category": "grocery"})] == [6, 6, 3]
    # Within a category the pages run along the category's members, in SKU order both ways.
    assert [row.product.sku for row in every_page(db_session, 4, category="grocery")] == SKUS[:6]
    assert [row.product.sku for row in every_page(db_session, 4, category="grocery", sort="-sku")] == SKUS[:6][::-1]
    assert skus(search(db_session, family="tees")) == []
    # "web" carries enabled products only, so the channel filter leaves the even ones.
    carried = search(db_session, channel="web")
    assert skus(carried) == [s for n, s in enumerate(SKUS) if n % 2 == 0]
    assert carried.total == 6


def test_completeness_filter_and_sort_agree_with_computed_completeness(db_session: Session, drinks: None) -> None:
    ctx = CatalogContext(db_session)
    web = ctx.channels["web"]
    ratio = {p.sku: completeness(p, [web])[0].ratio for p in db_session.scalars(select(Product))}
    below = search(db_session, channel="web", below="100", enabled="yes")
    assert skus(below) == sorted(s for n, s in enumerate(SKUS) if n % 2 == 0 and ratio[s] < 1)
    assert [row.ratio for row in below.rows] == [ratio[s] for s in skus(below)]

    ordered = every_page(db_session, 2, channel="web", sort="completeness")
    assert [r.product.sku for r in ordered] == sorted((s for n, s in enumerate(SKUS) if n % 2 == 0), key=lambda s: (ratio[s], s))
    reverse = every_page(db_session, 4, channel="web", sort="-completeness")
    assert [r.product.sku for r in reverse] == sorted((s for n, s in enumerate(SKUS) if n % 2 == 0), key=lambda s: (-ratio[s], s))
    channels = list(ctx.channels.values())
    # Both channels carry enabled products only: "below on any channel" means on one carrying it.
    anywhere = sorted(p.sku for p in db_session.scalars(select(Product))
                      if p.enabled and any(row.ratio < 1 for row in completeness(p, channels)))
    assert skus(search(db_session, below="100")) == anywhere


@pytest.mark.parametrize("sort", ["sku", "-sku", "updated", "-updated"])
def test_keyset_pages_visit_each_product_once_in_order(db_session: Session, drinks: None, sort: str) -> None:
    # Touch a few products so update times differ from creation order.
    for sku in ("drink-03", "drink-07", "drink-01"):
        ctx = CatalogContext(db_session)
        service = ProductService(db_session, ctx, "test")
        product = service.get(sku)
        service.save(ProductIn().load({**service.state(product), "enabled": True}), product)
        db_session.commit()
    rows = every_page(db_session, 5, sort=sort)
    found = [r.product for r in rows]
    assert sorted(p.sku for p in found) == SKUS
    key = (lambda p: p.sku) if sort.endswith("sku") else (lambda p: (p.updated, p.sku))
    expected = sorted(found, key=key, reverse=sort == "-sku")
    if sort == "-updated":
        expected = sorted(found, key=lambda p: (-p.updated.timestamp(), p.sku))
    assert [p.sku for p in found] == [p.sku for p in expected]


def test_diagnostic_filter_reads_the_last_publication(app: Flask, db_session: Session, drinks: None) -> None:
    publication = app.extensions["crosscanal"].publisher().publish("web", "test")
    assert publication.status == "succeeded", publication.error
    rows = [(d.code, d.sku) for d in PublicationRepo(db_session).diagnostics(publication.id)]
    assert rows, "the drinks lacking an EAN should get a diagnostic"
    code = rows[0][0]
    expected = sorted({sku for c, sku in rows if c == code})
    assert skus(search(db_session, diagnostic=code)) == expected
    assert skus(search(db_session, diagnostic=code, channel="store")) == []  # never published
    assert skus(search(db_session, diagnostic="no_such_code")) == []


@pytest.mark.parametrize(("args", "field", "words"), [
    ({"below": "0"}, "below", "percentage"),
    ({"below": "lots"}, "below", "integer"),
    ({"sort": "price"}, "sort", "one of"),
    ({"enabled": "maybe"}, "enabled", "yes"),
])
def test_bad_inputs_name_the_field(args: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        GridQueryIn().load_args(args)
    assert words in " ".join(caught.value.messages[field]).lower()


@pytest.mark.parametrize(("args", "field"), [
    ({"family": "shoes"}, "family"), ({"channel": "nowhere"}, "channel"), ({"category": "nope"}, "category"),
    ({"sort": "completeness"}, "sort"), ({"after": "not-a-cursor"}, "after"),
])
def test_unknown_codes_and_bad_cursors_name_the_field(db_session: Session, drinks: None, args: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        search(db_session, **args)
    assert field in caught.value.errors


def test_counts_stop_past_a_limit_and_a_bulk_selection_past_its_own(
        db_session: Session, drinks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """At a million products an exact count of a broad filter costs a scan per page view: the
    grid counts up to a limit and says "more than" past it; "every match" for a bulk edit has a
    limit of its own."""
    assert (search(db_session).total, search(db_session).more) == (12, False)
    monkeypatch.setattr(product_search, "COUNTED", 5)
    monkeypatch.setattr(product_search, "MAX_SELECTION", 8)
    broad, narrow = search(db_session), search(db_session, q="juice", category="grocery")
    assert (broad.total, broad.more, len(broad.rows)) == (6, True, 12)
    assert (narrow.total, narrow.more) == (3, False)
    by_name, by_category = search(db_session, q="juice"), search(db_session, category="grocery")
    assert (by_name.total, by_name.more, by_category.total, by_category.more) == (6, True, 6, True)
    assert len(product_search.matching_skus(db_session, CatalogContext(db_session), GridQueryIn().load_args({}))) == 8


def test_the_name_index_follows_renames_deletes_and_odd_characters(db_session: Session, drinks: None) -> None:
    """The trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL) is kept by the database in the
    transaction that writes the product: a search sees every change at once."""
    service = ProductService(db_session, CatalogContext(db_session), "test")
    renamed = service.get("drink-01")
    state = copy.deepcopy(service.state(renamed))  # the state holds the stored values themselves
    state["values"]["name"] = value("Sparkling 50% lemon_ade", "en_US")
    service.save(ProductIn().load(state), renamed)
    service.delete(service.get("drink-03"))
    db_session.flush()
    assert skus(search(db_session, q="sparkling")) == ["drink-01"]
    assert skus(search(db_session, q="50% lemon_")) == ["drink-01"]
    assert skus(search(db_session, q="0%")) == ["drink-01"]
    assert skus(search(db_session, q="ju")) == [s for n, s in enumerate(SKUS) if n % 2 and n not in (1, 3)]
    assert skus(search(db_session, q="juice 1")) == ["drink-11"] and search(db_session, q="juice 1").total == 1
