"""Shelf labels drawn in HTML: what one store's label says, worded and cut as the printed one.

Browsers cannot be relied on to show a PDF inline (headless Chromium does not), so the preview also
draws the label in HTML. It is built from the item the adapter made (``label_for``) with the shelf
label adapter's own wording, line fitting and barcode geometry, so the drawing says exactly what
the paper says; only the placing of the ink is the browser's. Electronic labels carry the same data
(``channel_adapters.base.shelf``) and are drawn from the same builder.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping

from reportlab.lib.units import mm

from channel_adapters.base import Item, RenderContext
from channel_adapters.base.shelf import label_for
from channel_adapters.shelf_labels import zone
from channel_adapters.shelf_labels.sheet import (
    BOLD, NAME_LEADING, NAME_LINES, NAME_SIZE, PADDING, PRICE_MIN_SIZE, PRICE_SIZE, SKU_SIZE, SMALL, Layout, barcode,
    fit_lines, shrink_to_fit,
)
from channel_adapters.shelf_labels.wording import money_text, sale_until_text, wording_for


@dataclass(frozen=True)
class BarcodeDrawing:
    """An EAN symbol in SVG user units (points), y pointing down: bars and the digits under them."""

    digits: str
    width: float
    height: float
    bars: tuple[tuple[float, float, float, float], ...]
    texts: tuple[tuple[float, float, str, str], ...]


@dataclass(frozen=True)
class LabelDrawing:
    """One label as it prints, for the stores listed (stores whose labels are the same share one)."""

    stores: tuple[str, ...]
    sku: str
    brand: str | None
    name: str
    name_lines: tuple[str, ...]
    name_cut: bool
    details: str | None
    price: str
    price_size: float  # points: the printed price shrinks to leave the barcode room
    was: tuple[str, str, str] | None  # ("au lieu de ", "3,50 €", ""): the middle, the regular price, is struck
    sale_line: str | None
    unit_price: str | None
    barcode: BarcodeDrawing | None
    width: float  # the label on the sheet, in points: the drawing is scaled from these
    height: float

    @property
    def style(self) -> str:
        """The sheet's measures in points, as CSS variables, so the HTML is laid out like the paper;
        set by previews.js (the pages' Content-Security-Policy allows no style attribute)."""
        sizes = {"w": self.width, "h": self.height, "pad": PADDING, "name": NAME_SIZE, "leading": NAME_LEADING,
                 "small": SMALL, "sku": SKU_SIZE, "price": self.price_size,
                 "code-w": self.barcode.width if self.barcode else 0, "code-h": self.barcode.height if self.barcode else 0}
        return "; ".join(f"--{name}: {value:.2f}" for name, value in sizes.items())


def barcode_drawing(digits: str) -> BarcodeDrawing:
    """The printed symbol's geometry (PDF points, y up) turned for SVG (y down)."""
    symbol = barcode(digits)
    top = max(y + h for _, y, _, h in symbol.bars)
    bars = tuple((x, top - (y + h), w, h) for x, y, w, h in symbol.bars)
    texts = tuple((x, top - y, text, anchor) for x, y, text, anchor in symbol.digits)
    return BarcodeDrawing(digits, symbol.width, top, bars, texts)


def _drawing(label: Mapping[str, Any], stores: tuple[str, ...], ctx: RenderContext, layout: Layout) -> LabelDrawing:
    wording = wording_for(ctx.locale)
    on_sale = label.get("sale_price") is not None
    regular = money_text(label["price"], ctx.currency, wording)
    sale_line = None
    if on_sale:
        end = label.get("sale_end")
        sale_line = (sale_until_text(datetime.fromisoformat(end), zone(ctx.settings.get("time_zone", "UTC")), wording)
                     if end else wording.sale)
    name = label.get("name") or ""
    lines, cut = fit_lines(name, BOLD, NAME_SIZE, layout.name_width, NAME_LINES) if name else ([], False)
    unit = (f"{money_text(label['unit_price'], ctx.currency, wording)} / {label['unit_price_unit']}"
            if label.get("unit_price") else None)
    code = barcode_drawing(label["barcode"]) if label.get("barcode") else None
    price = money_text(label["sale_price"], ctx.currency, wording) if on_sale else regular
    price_width = layout.name_width - (code.width + 1 * mm if code else 0)
    was = None
    if on_sale:
        before, _, after = wording.was.partition("{price}")
        was = (before, regular, after)
    return LabelDrawing(
        stores=stores, sku=label["sku"], brand=label.get("brand"), name=name, name_lines=tuple(lines), name_cut=cut,
        details=" · ".join(part for part in (label.get("variant"), label.get("net_content")) if part) or None,
        price=price, price_size=shrink_to_fit(price, BOLD, PRICE_SIZE, PRICE_MIN_SIZE, price_width),
        was=was, sale_line=sale_line, unit_price=unit, barcode=code,
        width=layout.label_width, height=layout.label_height,
    )


def label_drawings(item: Item, ctx: RenderContext) -> list[LabelDrawing]:
    """One drawing per distinct label among the channel's stores, in the stores' order.

    Drawn even when the item is excluded (the label does not print then; the page says so), so
    the merchandiser sees what a fix would bring. Stores without a price get no label.
    """
    layout = Layout.from_settings(ctx.settings)
    unexcluded = replace(item, diagnostics=())
    groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for store in ctx.stores:
        label = label_for(unexcluded, store.code)
        if label is None:
            continue
        key = repr(sorted((k, v) for k, v in label.items() if k != "quantity_in_store"))
        groups.setdefault(key, (label, []))[1].append(store.code)
    return [_drawing(label, tuple(stores), ctx, layout) for label, stores in groups.values()]
