"""The product-model page: the model's own values (what its variants inherit), its axes and
categories, and its variants with their axis values and completeness on every channel, each
linking to the variant's page. Read-only for now; models are edited through the API and imports.

Everything comes in a fixed number of queries whatever the catalog's size: the model, its
variants (by parent, an index), their completeness rows from the product index.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import select

from hub.services.products import ProductModelService
from hub.services.states import axis_values
from hub.store.models import ProductCompleteness
from hub.web.hub import catalog, session
from hub.web.ui.access import current_user
from hub.web.ui.product_form_values import display, label_in

VARIANTS_SHOWN = 500


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/product-models/<code>", "product_model", show)


def show(code: str) -> str:
    db, ctx = session(), catalog()
    service = ProductModelService(db, ctx, f"user:{current_user().email}")
    model = service.get(code)
    variants = list(service.products.variants(model.id))[:VARIANTS_SHOWN]
    channels = sorted(ctx.channels.values(), key=lambda c: c.code)
    ratios: dict[tuple[int, int], float] = {}
    if variants:
        c = ProductCompleteness
        query = select(c.product_id, c.channel_id, c.ratio).where(c.product_id.in_([v.id for v in variants]), c.carried.is_(True))
        ratios = {(pid, cid): ratio for pid, cid, ratio in db.execute(query)}
    return render_template(
        "ui/product_model.html", model=model, channels=channels, values=_value_rows(model.family.attributes, model.values or {}),
        variants=[{"sku": v.sku, "enabled": v.enabled, "axes": axis_values(model, v.values or {}),
                   "ratios": [ratios.get((v.id, ch.id)) for ch in channels]} for v in variants],
        more=len(variants) == VARIANTS_SHOWN,
    )


def _value_rows(attributes: list[Any], values: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per value of the model, in the family's attribute order."""
    return [{"code": attribute.code, "label": label_in(attribute.labels, None, attribute.code),
             "locale": entry["locale"], "scope": entry["scope"], "data": display(attribute, entry["data"], entry["locale"])}
            for attribute in attributes
            for entry in sorted(values.get(attribute.code, []), key=lambda e: (e["locale"] or "", e["scope"] or ""))]
