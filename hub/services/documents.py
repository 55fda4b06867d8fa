"""The resolved document: a product's master record after inheritance, flattened into one
channel-independent dict, so publishing reads one row per product instead of an object graph.

A document holds what every channel's view is made from: the values after the model's are
merged under the variant's own, the categories of both, the offers (by channel and store
code), the media, and the identity of the product (SKU, family, model, axes, enabled,
revision). Stock is kept beside it in its own column, because stock files change it far more
often than anything else and must not re-encode the document. What depends on a channel (the
locale's labels, the category paths, the category map, the offer a channel picks) is left to
``hub.services.resolve``: a channel's settings can change without touching a million rows.

The same functions build documents from stored products (a single save, ``reindex``) and from
validated states (the bulk write path), so both write identical rows.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import orjson

from hub.services.inheritance import merged_values
from hub.services.states import State, model_state, product_state
from hub.store.models import Product

Document = dict[str, Any]
StockPairs = list[tuple[str, int]]  # (location code, quantity), in location order


def build(state: State, revision: int, model: State | None) -> Document:
    """The document of a product ``state`` (as ``product_state`` gives it) with its model's state."""
    return {
        "sku": state["sku"],
        "family": state["family"],
        "group": model["code"] if model else None,
        "axes": list(model["variant_axes"]) if model else [],
        "enabled": state["enabled"],
        "revision": revision,
        "values": merged_values(model["values"], state["values"]) if model else state["values"],
        "categories": sorted(set(state["categories"]) | set(model["categories"] if model else ())),
        "offers": state["offers"],
        "media": state["media"],
    }


def of_product(product: Product) -> Document:
    """The document of a stored product, read through its ORM relations."""
    model = model_state(product.parent) if product.parent is not None else None
    return build(product_state(product), product.revision, model)


def moments(document: Document) -> str:
    """The instants at which the document's view changes by itself (sales starting or ending),
    sorted, space-separated: which of them have passed is part of a rendered item's key."""
    found = {o[end] for o in document["offers"] if o["sale_price"] is not None for end in ("sale_start", "sale_end") if o[end]}
    return " ".join(sorted(found, key=datetime.fromisoformat))


def phase(moments: str, now: datetime) -> int:
    """How many of a document's ``moments`` have passed at ``now``."""
    return sum(1 for moment in moments.split() if datetime.fromisoformat(moment) <= now) if moments else 0


def next_moment(moments: str, now: datetime) -> str | None:
    """The earliest of a document's ``moments`` still to come at ``now``: when its item's key
    changes next with no write."""
    return earliest(*(moment for moment in moments.split() if datetime.fromisoformat(moment) > now))


def earliest(*moments: str | None) -> str | None:
    """The earliest of these moments (ISO text), ignoring None; None when there is none."""
    known = [moment for moment in moments if moment]
    return min(known, key=datetime.fromisoformat) if known else None


def encode(document: Document) -> bytes:
    """Compact JSON with sorted keys: equal documents give equal bytes, and so equal hashes."""
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


def decode(raw: bytes | str) -> Any:
    return orjson.loads(raw)


def digest(doc: bytes, stock: bytes) -> str:
    """The hash a document and its stock are known by: what changed since the last publication.
    Two halves, the document's and the stock's, so that a stock file (a line per SKU, every
    night) rehashes only the stock and never reads the document back."""
    return _half(doc) + _half(stock)


def with_stock(doc_hash: str, stock: bytes) -> str:
    """``digest`` of the same document with new stock."""
    return doc_hash[:16] + _half(stock)


def _half(part: bytes) -> str:
    return hashlib.blake2b(part, digest_size=8).hexdigest()
