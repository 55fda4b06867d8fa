"""Printed shelf labels: per store, one A4 PDF of labels in a grid, ready to print and cut.

Each label shows the product's brand, name and variant, the store's price (the sale's, with the
regular price struck and the sale's last day, while one runs), the EU unit price and an EAN-13
barcode. What a label says is shared with the electronic labels (``channel_adapters.base.shelf``);
this package only words it (``wording``), lays it out (``sheet``) and writes the PDF (``pdf``), page
by page as each fills, so memory stays flat however large the catalog.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timezone, tzinfo
from typing import BinaryIO, ClassVar, Iterable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from reportlab.lib.pagesizes import A4

from channel_adapters.base import (
    Diagnostic, FieldSpec, InvalidOutput, Item, OutputFile, Outputs, ProductView, RenderContext, Severity,
)
from channel_adapters.base.shelf import PRODUCT_FIELDS, STORE_FIELDS, ShelfSettings, label_for, shelf_item
from channel_adapters.shelf_labels.sheet import BOLD, NAME_LINES, NAME_SIZE, LabelSheet, Layout, fit_lines, printable
from channel_adapters.shelf_labels.wording import wording_for

FIELDS: tuple[FieldSpec, ...] = PRODUCT_FIELDS + STORE_FIELDS + (
    FieldSpec("barcode", description="EAN-13 (or EAN-8) digits drawn from the GTIN"),
)
PRINTED = ("name", "brand", "variant")  # the product texts a label prints, checked for the font


def zone(name: str) -> tzinfo:
    """The store's time zone; UTC needs no time-zone database, so the default works anywhere."""
    return timezone.utc if name == "UTC" else ZoneInfo(name)


def _known_zone(name: str) -> None:
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"unknown time zone {name}") from exc


class ShelfLabelSettings(ShelfSettings):
    # 3 x 8 on A4 fits the common 70 x 37 mm label sheets; fonts are sized for labels that large,
    # so the grid may be coarser but not finer.
    columns = fields.Integer(load_default=3, validate=validate.Range(min=1, max=3))
    rows = fields.Integer(load_default=8, validate=validate.Range(min=1, max=8))
    margin_mm = fields.Float(load_default=5.0, validate=validate.Range(min=0, max=20))
    cut_lines = fields.Boolean(load_default=True)
    # Where the stores are: a sale ending at midnight UTC ends at 01:00 in Paris.
    time_zone = fields.String(load_default="UTC", validate=_known_zone)


class ShelfLabelsAdapter:
    name: ClassVar[str] = "shelf_labels"
    title: ClassVar[str] = "Printed shelf labels (A4 PDF per store)"
    settings_schema: ClassVar[type[Schema]] = ShelfLabelSettings
    fields: ClassVar[tuple[FieldSpec, ...]] = FIELDS

    def files(self, ctx: RenderContext) -> list[OutputFile]:
        return [OutputFile(f"labels-{store.code}.pdf", "application/pdf", f"shelf labels for {store.name}")
                for store in ctx.stores]

    def items(self, views: Iterable[ProductView], ctx: RenderContext) -> Iterator[Item]:
        layout = Layout.from_settings(ctx.settings)
        for view in views:
            item = shelf_item(view, ctx)
            yield replace(item, diagnostics=item.diagnostics + tuple(self._print_checks(item, layout)))

    @staticmethod
    def _print_checks(item: Item, layout: Layout) -> Iterator[Diagnostic]:
        """What the paper cannot show: characters outside the base fonts, a name too long for two lines."""
        for name in PRINTED:
            text = item.fields.get(name)
            if text and not printable(text):
                yield Diagnostic(Severity.WARNING, "unprintable_characters",
                                 f"{name} has characters the label's font cannot print; they print as '?'",
                                 name, f"check how {name} prints", item.key)
        if item.fields.get("name") and fit_lines(item.fields["name"], BOLD, NAME_SIZE, layout.name_width, NAME_LINES)[1]:
            yield Diagnostic(Severity.WARNING, "name_truncated", f"name is longer than {NAME_LINES} lines of a label; it is cut",
                             "name", "shorten name", item.key)

    def write(self, items: Iterable[Item], outputs: Outputs, ctx: RenderContext) -> None:
        """One pass over the items, each label going to the sheet of every store that prices it."""
        layout, wording = Layout.from_settings(ctx.settings), wording_for(ctx.locale)
        time_zone, cut_lines = zone(ctx.settings.get("time_zone", "UTC")), bool(ctx.settings.get("cut_lines", True))
        sheets = {store.code: LabelSheet(outputs.open(f"labels-{store.code}.pdf"), store, layout, wording,
                                         ctx.currency, time_zone, ctx.now, cut_lines)
                  for store in ctx.stores}
        for item in items:
            for code, sheet in sheets.items():
                label = label_for(item, code)
                if label is not None:
                    sheet.add(label)
        for sheet in sheets.values():
            sheet.close()

    def validate(self, name: str, stream: BinaryIO, ctx: RenderContext) -> None:
        """The file is a PDF that parses, with at least one page, every page A4."""
        try:
            reader = PdfReader(stream)
            pages = len(reader.pages)
            sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages]
        except (PyPdfError, ValueError, KeyError, TypeError) as exc:
            raise InvalidOutput(f"{name} is not a readable PDF: {exc}") from exc
        if pages == 0:
            raise InvalidOutput(f"{name} has no pages")
        for number, (width, height) in enumerate(sizes, start=1):
            if abs(width - A4[0]) > 1 or abs(height - A4[1]) > 1:
                raise InvalidOutput(f"{name} page {number} is {width:.0f} x {height:.0f} pt, not A4")


__all__ = ["FIELDS", "ShelfLabelSettings", "ShelfLabelsAdapter"]
