"""Laying out one store's A4 sheets of shelf labels: the grid, one label, the barcode.

What belongs here: geometry and drawing. What a label says comes from ``channel_adapters.base.shelf``,
how it is worded from ``wording``, and the PDF syntax from ``pdf``; this module only decides where
ink goes. reportlab measures text (the base fonts' metrics) and encodes the EAN symbols.

Text uses the PDF base fonts (Helvetica), which every viewer and printer has without embedding
and which cover the Western European languages (Windows-1252); ``printable`` tells which text they
cannot show, so the adapter can warn before a label prints '?' for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, tzinfo
from typing import Any, BinaryIO, Mapping

from reportlab.graphics.barcode.eanbc import Ean8BarcodeWidget, Ean13BarcodeWidget
from reportlab.graphics.shapes import Rect, String
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from channel_adapters.base import StoreInfo
from channel_adapters.shelf_labels.pdf import Page, PdfFile
from channel_adapters.shelf_labels.wording import Wording, money_text, sale_until_text

REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
PADDING = 2.5 * mm
NAME_SIZE, NAME_LEADING, NAME_LINES = 9.0, 10.5, 2
SMALL = 7.0  # brand, variant, sale and unit price lines
SKU_SIZE = 5.5
PRICE_SIZE, PRICE_MIN_SIZE = 18.0, 9.0
# GS1's smallest magnification (80 %) for the module width; bars are cut short, as shelf-edge
# labels do, since staff scan them from a hand's length with a hand scanner.
MODULE = 0.264 * mm
BAR_HEIGHT = 11 * mm
BARCODE_DIGITS_SIZE = 6.0
FOOTER_SIZE = 6.0


@dataclass(frozen=True)
class Layout:
    """The grid of labels on an A4 page, in points."""

    columns: int
    rows: int
    margin: float

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Layout:
        return cls(int(settings.get("columns", 3)), int(settings.get("rows", 8)), float(settings.get("margin_mm", 5)) * mm)

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def label_width(self) -> float:
        return (A4[0] - 2 * self.margin) / self.columns

    @property
    def label_height(self) -> float:
        return (A4[1] - 2 * self.margin) / self.rows

    @property
    def name_width(self) -> float:
        return self.label_width - 2 * PADDING

    def origin(self, slot: int) -> tuple[float, float]:
        """Bottom-left corner of the label in ``slot``, counted from the top left, row by row."""
        row, column = divmod(slot, self.columns)
        return (self.margin + column * self.label_width,
                A4[1] - self.margin - (row + 1) * self.label_height)


def printable(text: str) -> bool:
    """Whether the base fonts can show ``text``: they draw only Windows-1252 characters."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def fit_lines(text: str, font: str, size: float, width: float, limit: int) -> tuple[list[str], bool]:
    """Wrap ``text`` into at most ``limit`` lines of ``width``; True when it had to be cut."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < limit:
        line = words.pop(0)
        while len(line) > 1 and stringWidth(line, font, size) > width:  # one word wider than the label: cut it
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut -= 1
            words.insert(0, line[cut:])
            line = line[:cut]
        while words and stringWidth(f"{line} {words[0]}", font, size) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if not words:
        return lines, False
    last = lines[-1]
    while last and stringWidth(last + "…", font, size) > width:  # drop whole words first, then letters
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    lines[-1] = last.rstrip(",;:.- ") + "…"
    return lines, True


def shrink_to_fit(text: str, font: str, size: float, smallest: float, width: float) -> float:
    """The largest font size, from ``size`` down to ``smallest``, at which ``text`` fits ``width``."""
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


@dataclass(frozen=True)
class Barcode:
    """An EAN symbol as plain geometry: bars as (x, y, width, height), digits as (x, y, text, anchor)."""

    width: float
    bars: tuple[tuple[float, float, float, float], ...]
    digits: tuple[tuple[float, float, str, str], ...]


@lru_cache(maxsize=256)
def barcode(digits: str) -> Barcode:
    """The EAN-13 (or EAN-8) symbol of ``digits``, by reportlab's encoder, which adds the check digit.

    Kept as geometry and cached because one item's label prints in every store, and because
    drawing it as one filled path is many times faster than rendering reportlab's shape tree.
    """
    widget_class = Ean8BarcodeWidget if len(digits) == 8 else Ean13BarcodeWidget
    widget = widget_class(digits[:-1], barWidth=MODULE, barHeight=BAR_HEIGHT, fontSize=BARCODE_DIGITS_SIZE,
                          fontName=REGULAR)
    bars, texts = [], []
    for node in widget.draw().contents:
        if isinstance(node, Rect) and node.fillColor is not None:  # the first Rect is the unfilled bounding box
            bars.append((node.x, node.y, node.width, node.height))
        elif isinstance(node, String):
            texts.append((node.x, node.y, node.text, node.textAnchor))
    return Barcode(widget.width, tuple(bars), tuple(texts))


class LabelSheet:
    """One store's PDF: labels placed row by row, each page written out as soon as its grid is full.

    Only the page being filled is held, so memory stays flat however many labels a store gets.
    """

    def __init__(self, out: BinaryIO, store: StoreInfo, layout: Layout, wording: Wording,
                 currency: str, zone: tzinfo, now: datetime, cut_lines: bool) -> None:
        self._store, self._layout, self._wording = store, layout, wording
        self._currency, self._zone, self._now, self._cut_lines = currency, zone, now, cut_lines
        self._file = PdfFile(out, *A4)
        self._page = Page()
        self._slot = 0
        self._number = 1
        self._labels = 0

    def add(self, label: Mapping[str, Any]) -> None:
        if self._slot == self._layout.per_page:
            self._finish_page()
            self._page, self._slot, self._number = Page(), 0, self._number + 1
        x, y = self._layout.origin(self._slot)
        self._draw_label(label, x, y)
        self._slot += 1
        self._labels += 1

    def close(self) -> None:
        """Finish the last page and the file; an empty sheet says so rather than staying blank."""
        if self._labels == 0:
            self._page.set_font(REGULAR, 10)
            self._text(A4[0] / 2, A4[1] / 2, self._wording.none, "middle")
        self._finish_page()
        # The file's dates are the render time the pipeline passed in: equal input, equal bytes.
        self._file.close(f"Shelf labels {self._store.code}", f"{self._store.name} ({self._store.code})",
                         "Crosscanal shelf_labels", self._now)

    def _finish_page(self) -> None:
        margin = self._layout.margin
        if margin >= 4 * mm:  # else there is no room for a footer outside the labels
            page = self._page
            page.set_font(REGULAR, FOOTER_SIZE)
            page.fill_gray(0.4)
            footer_y = margin / 2 - FOOTER_SIZE / 3
            page.text(margin, footer_y, f"{self._store.code} {self._store.name} · {self._now.astimezone(self._zone):%Y-%m-%d %H:%M}")
            self._text(A4[0] - margin, footer_y, str(self._number), "end")
            page.fill_gray(0)
        self._file.add_page(self._page)

    def _text(self, x: float, y: float, text: str, anchor: str = "start") -> None:
        """Text placed by its start, middle or end; the page's current font measures it."""
        font, size = self._page.font
        shift = {"start": 0.0, "middle": 0.5, "end": 1.0}[anchor] * stringWidth(text, font, size)
        self._page.text(x - shift, y, text)

    def _draw_label(self, label: Mapping[str, Any], x: float, y: float) -> None:
        page, layout, wording = self._page, self._layout, self._wording
        width, height = layout.label_width, layout.label_height
        left, right, top = x + PADDING, x + width - PADDING, y + height - PADDING
        if self._cut_lines:
            page.stroke_gray(0.75)
            page.line_width(0.25)
            page.stroke_rect(x, y, width, height)

        # Top: brand and SKU, then the name on up to two lines, then the variant and net content.
        page.fill_gray(0.4)
        page.set_font(REGULAR, SKU_SIZE)
        self._text(right, top - SMALL, label["sku"], "end")
        page.fill_gray(0)
        if label.get("brand"):
            room = layout.name_width - stringWidth(label["sku"], REGULAR, SKU_SIZE) - 2 * mm
            page.set_font(REGULAR, SMALL)
            page.text(left, top - SMALL, fit_lines(label["brand"], REGULAR, SMALL, room, 1)[0][0])
        baseline = top - SMALL
        page.set_font(BOLD, NAME_SIZE)
        for line in fit_lines(label["name"], BOLD, NAME_SIZE, layout.name_width, NAME_LINES)[0]:
            baseline -= NAME_LEADING
            page.text(left, baseline, line)
        details = " · ".join(part for part in (label.get("variant"), label.get("net_content")) if part)
        if details:
            page.set_font(REGULAR, SMALL)
            page.text(left, baseline - SMALL - 2, fit_lines(details, REGULAR, SMALL, layout.name_width, 1)[0][0])

        # Bottom right: the barcode. Bottom left, upwards: unit price, the sale's end, price, regular price.
        price_width = right - left
        if label.get("barcode"):
            symbol = barcode(label["barcode"])
            self._draw_barcode(symbol, right - symbol.width, y + PADDING)
            price_width -= symbol.width + 1 * mm
        line_y = y + PADDING
        if label.get("unit_price"):
            page.set_font(REGULAR, SMALL)
            page.text(left, line_y, f"{money_text(label['unit_price'], self._currency, wording)} / {label['unit_price_unit']}")
        line_y += SMALL + 2
        on_sale = label.get("sale_price") is not None
        if on_sale:
            until = sale_until_text(datetime.fromisoformat(label["sale_end"]), self._zone, wording) if label.get("sale_end") else wording.sale
            page.set_font(BOLD, SMALL)
            page.text(left, line_y, until)
        line_y += SMALL + 3
        price = money_text(label["sale_price"] if on_sale else label["price"], self._currency, wording)
        size = shrink_to_fit(price, BOLD, PRICE_SIZE, PRICE_MIN_SIZE, price_width)
        page.set_font(BOLD, size)
        page.text(left, line_y, price)
        if on_sale:
            was_y = line_y + size + 1.5
            regular = money_text(label["price"], self._currency, wording)
            text = wording.was.format(price=regular)
            page.set_font(REGULAR, SMALL)
            page.text(left, was_y, text)
            # Strike through the regular price only, not the words before it.
            start = left + stringWidth(text[: text.index(regular)], REGULAR, SMALL)
            page.line_width(0.6)
            page.stroke_gray(0)
            page.line(start, was_y + SMALL * 0.3, start + stringWidth(regular, REGULAR, SMALL), was_y + SMALL * 0.3)

    def _draw_barcode(self, symbol: Barcode, x: float, y: float) -> None:
        # Drawn in the symbol's own coordinates: every label of one GTIN then writes the same
        # bytes, which the page's compression folds away.
        page = self._page
        page.save()
        page.translate(x, y)
        page.fill_rects(symbol.bars)
        page.set_font(REGULAR, BARCODE_DIGITS_SIZE)
        for text_x, text_y, text, anchor in symbol.digits:
            self._text(text_x, text_y, text, anchor)
        page.restore()
