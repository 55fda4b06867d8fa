"""The product grid: search, filters and keyset pagination."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from hub.services import product_search
from hub.web.hub import catalog, session

PAGE_SIZE = 50
ENABLED = {"yes": True, "no": False}


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/products", "products", products)


def _locale() -> str:
    """Names show in the first locale by code (en_US before fr_FR); a locale picker comes later."""
    return min(catalog().locales, default="en_US")


def products() -> str:
    args = request.args
    filters = {"sku": args.get("sku", "").strip()[:64], "q": args.get("q", "").strip()[:200],
               "family": args.get("family", ""), "enabled": args.get("enabled", "")}
    query = product_search.Query(sku=filters["sku"], text=filters["q"], family=filters["family"],
                                 enabled=ENABLED.get(filters["enabled"]), after=args.get("after") or None, limit=PAGE_SIZE)
    page = product_search.search(session(), catalog(), query, _locale())
    families = sorted(catalog().families)
    return render_template("ui/products.html", page=page, filters=filters, families=families,
                           first_page=query.after is None)
