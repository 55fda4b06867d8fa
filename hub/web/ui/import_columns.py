"""The column names the preview suggests for a supplier's header: ours, as the flat convention
(``hub.imports.flat_columns``) names them for the catalog's attributes, locales and currencies."""

from __future__ import annotations

from hub.imports.flat_columns import SINGLE, STOCK_COLUMNS
from hub.services.context import CatalogContext

MAX_SUGGESTIONS = 2000  # a datalist, not a catalog dump: enough for every attribute of a real hub


def column_suggestions(ctx: CatalogContext, kind: str | None) -> list[str]:
    """Names a header can be mapped to for ``kind`` (products when unknown), most used first."""
    if kind == "stock":
        return list(STOCK_COLUMNS)
    names = list(SINGLE["models" if kind == "models" else "products"])
    for code, attribute in sorted(ctx.attributes.items()):
        locales = sorted(ctx.locales) if attribute.localizable else [None]
        for locale in locales:
            base = f"{code}-{locale}" if locale else code
            if attribute.type == "price_collection":
                names.extend(f"{base}-{currency}" for currency in sorted(ctx.currencies))
            else:
                names.append(base)
                if attribute.type == "measurement":
                    names.append(f"{base}-unit")
    if kind != "models":
        names.extend(f"price-{currency}" for currency in sorted(ctx.currencies))
    return names[:MAX_SUGGESTIONS]
