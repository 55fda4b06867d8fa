"""Test data made through the real services, so every fixture obeys the same rules as the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hub.services.catalog import (
    AttributeService, CategoryService, ChannelService, CurrencyService, FamilyService, LocaleService, LocationService,
)
from hub.services.context import CatalogContext
from hub.services.products import ProductModelService, ProductService
from hub.store.models import Product, ProductModel
from schemas.attribute import AttributeIn
from schemas.category import CategoryIn
from schemas.channel import ChannelIn
from schemas.currency import CurrencyIn
from schemas.family import FamilyIn
from schemas.locale import LocaleIn
from schemas.location import LocationIn
from schemas.product import ProductIn, ProductModelIn

ATTRIBUTES = [
    {"code": "name", "type": "text", "localizable": True, "validation": {"max_length": 150}},
    {"code": "description", "type": "textarea", "localizable": True, "scopable": True},
    {"code": "brand", "type": "text"},
    {"code": "ean", "type": "identifier", "validation": {"format": "gtin"}},
    {"code": "color", "type": "select", "options": [
        {"code": "red", "labels": {"en_US": "Red", "fr_FR": "Rouge"}}, {"code": "blue", "labels": {"en_US": "Blue"}}]},
    {"code": "size", "type": "select", "options": [{"code": "s"}, {"code": "m"}, {"code": "l"}]},
    {"code": "net_content", "type": "measurement", "unit": "LITER"},
    {"code": "organic", "type": "boolean"},
    {"code": "launch", "type": "date"},
    {"code": "rating", "type": "number", "validation": {"min": "0", "max": "5"}},
    {"code": "url", "type": "url"},
]


def catalog(session: Session) -> CatalogContext:
    """Locales, currencies, two channels, attributes, categories, a store and a warehouse, two families."""
    ctx = CatalogContext(session)
    for code in ("en_US", "fr_FR"):
        LocaleService(session, ctx).create(LocaleIn().load({"code": code}))
    for code in ("EUR", "USD"):
        CurrencyService(session, ctx).create(CurrencyIn().load({"code": code}))
    channels = ChannelService(session, ctx)
    channels.create(ChannelIn().load({"code": "web", "adapter": "google_merchant", "locale": "en_US", "currency": "USD", "country": "US"}))
    channels.create(ChannelIn().load({"code": "store", "adapter": "shelf_labels", "locale": "fr_FR", "currency": "EUR", "country": "FR"}))
    for attribute in ATTRIBUTES:
        AttributeService(session, ctx).create(AttributeIn().load(attribute))
    categories = CategoryService(session, ctx)
    categories.create(CategoryIn().load({"code": "apparel", "labels": {"en_US": "Apparel"}}))
    categories.create(CategoryIn().load({"code": "tops", "parent": "apparel", "labels": {"en_US": "Tops"}}))
    categories.create(CategoryIn().load({"code": "grocery"}))
    locations = LocationService(session, ctx)
    locations.create(LocationIn().load({"code": "wh", "type": "warehouse", "name": "Warehouse", "country": "FR"}))
    locations.create(LocationIn().load({"code": "paris", "type": "store", "name": "Paris", "country": "FR"}))
    families = FamilyService(session, ctx)
    families.create(FamilyIn().load({
        "code": "tees", "attributes": ["name", "description", "brand", "ean", "color", "size"],
        "requirements": {"web": ["name", "ean", "color"], "store": ["name"]},
    }))
    families.create(FamilyIn().load({
        "code": "drinks", "attributes": ["name", "brand", "ean", "net_content", "organic", "launch", "rating", "url"],
        "requirements": {"web": ["name", "ean", "net_content"]},
    }))
    session.commit()
    return ctx


def value(data: Any, locale: str | None = None, scope: str | None = None) -> list[dict[str, Any]]:
    return [{"locale": locale, "scope": scope, "data": data}]


def product_model(session: Session, code: str = "tee", **fields: Any) -> ProductModel:
    body = {"code": code, "family": "tees", "variant_axes": ["color", "size"],
            "values": {"name": value("Classic tee", "en_US"), "brand": value("Acme")}, **fields}
    model = ProductModelService(session, CatalogContext(session), "test").create(ProductModelIn().load(body))
    session.commit()
    return model


def product(session: Session, sku: str, **fields: Any) -> Product:
    body = {"sku": sku, "family": "drinks", **fields}
    created = ProductService(session, CatalogContext(session), "test").create(ProductIn().load(body))
    session.commit()
    return created
