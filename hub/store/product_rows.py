"""Stored products as plain rows, read in three queries per batch: what the bulk write path
compares a batch's bodies with. Loading ORM objects (and their categories and offers, one lazy
load each) for every existing product of an import batch cost more than saving it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Iterator

import orjson
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from hub.store.bulk_rows import among, plain_rows
from hub.store.products import Offer, Product, ProductModel, product_category

OfferRow = tuple[str, int | None, int | None, Decimal, Decimal | None, datetime | None, datetime | None]


@dataclass
class StoredProduct:
    """One product's columns and the ids it refers to; the services turn ids into codes."""

    id: int
    sku: str
    revision: int
    family_id: int
    parent_id: int | None
    parent: str | None  # the model's code
    enabled: bool
    values: dict[str, Any]
    media: list[dict[str, Any]]
    created: datetime | None = None
    updated: datetime | None = None
    category_ids: list[int] = field(default_factory=list)
    offers: list[OfferRow] = field(default_factory=list)  # currency, channel id, location id, price, sale price, start, end


def by_skus(session: Session, skus: Iterable[str]) -> dict[str, StoredProduct]:
    """The stored products with these SKUs, by SKU."""
    wanted = list(set(skus))
    if not wanted:
        return {}
    found = _read(session, _products().where(among(Product.sku, wanted, session.get_bind().dialect.name)))
    return {p.sku: p for p in found}


def page(session: Session, after: str | None, limit: int) -> list[StoredProduct]:
    """The first ``limit`` products in SKU order after the SKU ``after`` (a page of the API's list)."""
    query = _products().order_by(Product.sku).limit(limit)
    return _read(session, query if after is None else query.where(Product.sku > after))


def pages(session: Session, size: int, low: str | None = None, high: str | None = None) -> Iterator[list[StoredProduct]]:
    """Every stored product in SKU order, ``size`` at a time (an export's pass over the catalog);
    only SKUs from ``low`` (included) to ``high`` (excluded) when given."""
    after: str | None = None
    while True:
        query = _products().order_by(Product.sku).limit(size)
        if after is not None:
            query = query.where(Product.sku > after)
        elif low is not None:
            query = query.where(Product.sku >= low)
        if high is not None:
            query = query.where(Product.sku < high)
        page = _read(session, query)
        if not page:
            return
        yield page
        after = page[-1].sku


def sku_bounds(session: Session, total: int, parts: int) -> list[str | None]:
    """SKUs that cut the ``total`` products into ``parts`` runs of about equal size, in SKU order:
    the first run starts at None (the beginning), each next one at its bound, the last ends at None."""
    bounds: list[str | None] = [None]
    for part in range(1, parts):
        bound = session.scalar(select(Product.sku).order_by(Product.sku).offset(part * total // parts).limit(1))
        if bound is not None and bound != bounds[-1]:
            bounds.append(bound)
    return bounds


def _products() -> Any:
    return (select(Product.id, Product.sku, Product.revision, Product.family_id, Product.parent_id, ProductModel.code,
                   Product.enabled, type_coerce(Product.values, Text), type_coerce(Product.media, Text),
                   Product.created, Product.updated)
            .outerjoin(ProductModel, ProductModel.id == Product.parent_id))


def _json(value: Any) -> Any:
    """A JSON column read as it comes: text on SQLite (parsed here, with orjson, without the two
    layers of result processing that were a quarter of an export), already parsed by psycopg."""
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


def _read(session: Session, query: Any) -> list[StoredProduct]:
    """The products ``query`` selects, with their category links and offers (two more queries).
    Read on the session's connection, past the ORM's result handling: what the session holds is
    written first, as its autoflush would."""
    found = [StoredProduct(*row[:7], values=_json(row[7]) or {}, media=_json(row[8]) or [], created=row[9], updated=row[10])
             for row in plain_rows(session, query)]
    connection = session.connection()
    by_id = {p.id: p for p in found}
    if by_id:
        ids = list(by_id)
        links = product_category.c
        for pid, category_id in connection.execute(select(links.product_id, links.category_id)
                                                   .where(among(links.product_id, ids, connection.dialect.name))):
            by_id[pid].category_ids.append(category_id)
        offers = select(Offer.product_id, Offer.currency, Offer.channel_id, Offer.location_id, Offer.price, Offer.sale_price,
                        Offer.sale_start, Offer.sale_end).where(among(Offer.product_id, ids, connection.dialect.name))
        for pid, *offer in connection.execute(offers):
            by_id[pid].offers.append(tuple(offer))  # type: ignore[arg-type]
    return found


def sku_pages(session: Session, size: int) -> Iterator[list[tuple[int, str]]]:
    """Every product's (id, SKU) in SKU order, ``size`` at a time."""
    after: str | None = None
    while True:
        query = select(Product.id, Product.sku).order_by(Product.sku).limit(size)
        page = [tuple(row) for row in session.execute(query if after is None else query.where(Product.sku > after))]
        if not page:
            return
        yield page  # type: ignore[misc]
        after = page[-1][1]


def model_values(session: Session, model_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The own values of these product models, by id."""
    wanted = list(set(model_ids))
    if not wanted:
        return {}
    return {mid: values or {} for mid, values in session.execute(
        select(ProductModel.id, ProductModel.values).where(ProductModel.id.in_(wanted)))}
