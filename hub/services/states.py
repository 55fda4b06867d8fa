"""The editable state of products and product models: plain dicts, what a version snapshots,
an ETag covers, and a resolved document is built from."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hub.store.models import Offer, Product, ProductModel
from hub.store.product_rows import StoredProduct

State = dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    """UTC, always: the same instant sent as +01:00 must not read as a change."""
    return moment.astimezone(timezone.utc).isoformat() if moment else None


def offer_state(offer: Offer) -> dict[str, Any]:
    return offer_fields(offer.currency, offer.price, offer.channel.code if offer.channel else None,
                        offer.location.code if offer.location else None, offer.sale_price, offer.sale_start, offer.sale_end)


def offer_fields(currency: str, price: Any, channel: str | None, location: str | None, sale_price: Any,
                 start: datetime | None, end: datetime | None) -> dict[str, Any]:
    """An offer's state from its stored columns, whether read as an object or as a plain row."""
    return {
        "currency": currency,
        "price": format(price, "f"),
        "channel": channel,
        "location": location,
        "sale_price": format(sale_price, "f") if sale_price is not None else None,
        "sale_start": iso(start),
        "sale_end": iso(end),
    }


def offer_order(offer: dict[str, Any]) -> tuple[str, str, str]:
    return offer["currency"], offer["channel"] or "", offer["location"] or ""


def product_state(product: Product) -> State:
    """The editable state of a product: what a version snapshots and an ETag covers."""
    return {
        "sku": product.sku,
        "family": product.family.code,
        "parent": product.parent.code if product.parent else None,
        "enabled": product.enabled,
        "categories": sorted(c.code for c in product.categories),
        "values": product.values or {},
        "offers": sorted((offer_state(o) for o in product.offers), key=offer_order),
        "media": product.media or [],
    }


def stored_state(row: StoredProduct, codes: dict[str, dict[int, str]]) -> State:
    """``product_state`` of a product read as plain rows (``hub.store.product_rows``);
    ``codes`` is ``CatalogContext.codes``. Tested to agree with ``product_state``."""
    channels, stores = codes["channels"], codes["stores"]
    offers = [offer_fields(currency, price, channels[channel_id] if channel_id else None,
                           stores[location_id] if location_id else None, sale_price, start, end)
              for currency, channel_id, location_id, price, sale_price, start, end in row.offers]
    return {
        "sku": row.sku,
        "family": codes["families"][row.family_id],
        "parent": row.parent,
        "enabled": row.enabled,
        "categories": sorted(codes["categories"][c] for c in row.category_ids),
        "values": row.values,
        "offers": sorted(offers, key=offer_order),
        "media": row.media,
    }


def axis_values(model: ProductModel, values: dict[str, Any]) -> list[Any]:
    """A variant's values for its model's axes, None where unset: only global values count,
    since an axis is never localizable or scopable."""
    return [next((e["data"] for e in values.get(axis, []) if e["locale"] is None and e["scope"] is None), None)
            for axis in model.variant_axes]


def model_state(model: ProductModel) -> State:
    return {
        "code": model.code,
        "family": model.family.code,
        "variant_axes": list(model.variant_axes),
        "categories": sorted(c.code for c in model.categories),
        "values": model.values or {},
    }
