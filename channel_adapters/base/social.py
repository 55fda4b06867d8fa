"""Social commerce catalogs (Meta, Pinterest, TikTok): one mapping from the resolved view, one CSV writer.

The three platforms read Google's attribute vocabulary with their own limits, allowed values,
availability spelled with a space ("in stock") and, for TikTok, ``sku_id`` for the id. What differs is
data, so each adapter declares a ``CatalogFormat`` and its own ``FieldSpec`` tuple, and inherits
``SocialCatalogAdapter``; the mapping, the checks and the streaming writer live here once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar, Iterable, Iterator

from marshmallow import Schema, fields, validate

from channel_adapters.base.chunks import RowFormatter, read_rows, row_formatter, write_chunked
from channel_adapters.base.contract import FieldSpec, InvalidOutput, Item, OutputFile, Outputs, RenderContext
from channel_adapters.base.diagnostics import Diagnostic, Severity
from channel_adapters.base.formats import apply_overrides, price_text, sale_fields
from channel_adapters.base.identifiers import gtin_problem
from channel_adapters.base.rules import check_fields, present, truncate
from channel_adapters.base.view import ProductView

CONDITIONS = ("new", "refurbished", "used")
# Our availability codes (Google's) and how the social platforms spell them: in U.S. English, with a space.
AVAILABILITY = {"in_stock": "in stock", "out_of_stock": "out of stock", "preorder": "preorder",
                "backorder": "available for order"}
# Where a catalog field comes from, so a diagnostic names what the merchandiser fixes.
SOURCES = {"id": "sku", "sku_id": "sku", "availability": "stock", "condition": "condition",
           "additional_image_link": "media", "item_group_id": "parent", "product_type": "categories",
           "google_product_category": "categories", "sale_price": "offers", "sale_price_effective_date": "offers"}


@dataclass(frozen=True)
class CatalogFormat:
    """How one platform's catalog file differs from the others: its file, names, limits and options."""

    file_name: str
    fields: tuple[FieldSpec, ...]  # the columns, in the order the file carries them
    id_field: str = "id"
    max_additional_images: int = 10
    sale_dates: bool = True  # whether the platform reads sale_price_effective_date
    truncated: tuple[str, ...] = ("description",)  # text cut with a warning rather than refused
    delimiter: str = ","
    quoting: int = csv.QUOTE_MINIMAL

    @property
    def columns(self) -> list[str]:
        return [spec.name for spec in self.fields]

    def limit(self, name: str) -> int | None:
        return next((spec.max_length for spec in self.fields if spec.name == name), None)


class CatalogSettings(Schema):
    """Settings every social catalog takes; an adapter subclasses it to add its own."""

    condition = fields.String(load_default="new", validate=validate.OneOf(CONDITIONS))


def main_image(view: ProductView, ctx: RenderContext) -> str | None:
    """The main image's absolute URL: the media with role main, else the main_image attribute."""
    path = next((m.path for m in view.media if m.role == "main"), None) or view.values.get("main_image")
    return ctx.image_url(path) if path else None


def list_safe(url: str) -> str:
    """Commas separate the additional images in one cell, so a comma inside a URL is percent-encoded."""
    return url.replace(",", "%2C")


def catalog_values(view: ProductView, ctx: RenderContext, fmt: CatalogFormat) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The view in Google's attribute names, with findings about what could not be mapped."""
    labels, diagnostics = view.labels, []
    main = main_image(view, ctx)
    # Swatches are colour chips, not pictures of the product, so only "additional" media go out.
    extra = [url for url in (ctx.image_url(m.path) for m in view.media if m.role == "additional") if url != main]
    if len(extra) > fmt.max_additional_images:
        diagnostics.append(Diagnostic(
            Severity.WARNING, "too_many_images",
            f"{len(extra)} additional images; the channel takes {fmt.max_additional_images}, the rest were left out",
            "media", f"keep the best {fmt.max_additional_images} additional images", view.sku))
    gtin = view.values.get("ean")
    if gtin and gtin_problem(gtin):
        # The GTIN is optional here: a wrong one is worse than none, and the product can still sell.
        diagnostics.append(Diagnostic(Severity.WARNING, "invalid_gtin", f"gtin {gtin}: {gtin_problem(gtin)}; it was left out",
                                      "ean", "correct the GTIN", view.sku))
        gtin = None
    values: dict[str, Any] = {
        "id": view.sku,
        "title": view.title or labels.get("name"),
        "description": labels.get("description"),
        "availability": AVAILABILITY.get(view.availability, view.availability),
        "condition": ctx.settings.get("condition", "new"),
        "link": view.values.get("product_url"),
        "image_link": list_safe(main) if main else None,
        "additional_image_link": [list_safe(url) for url in extra[: fmt.max_additional_images]],
        "brand": labels.get("brand"),
        "gtin": gtin,
        "mpn": labels.get("mpn"),
        "item_group_id": view.group,
        "google_product_category": view.mapped_category,
        "product_type": " > ".join(view.categories[0].path) if view.categories else None,
        "color": labels.get("color"),
        "size": labels.get("size"),
        "gender": view.values.get("gender"),
        "age_group": view.values.get("age_group"),
    }
    offer = view.offer
    if offer is None:
        diagnostics.append(Diagnostic(Severity.ERROR, "missing_price", f"no price in {ctx.currency}", "offers",
                                      f"add an offer in {ctx.currency}", view.sku))
        return values, diagnostics
    values["price"] = price_text(offer.price, offer.currency)
    sale, notes = sale_fields(offer, view.sku, dated=fmt.sale_dates)
    values.update(sale)
    return values, diagnostics + notes


def catalog_item(view: ProductView, ctx: RenderContext, fmt: CatalogFormat) -> Item:
    """One catalog row for one view: mapped, overridden, cut where allowed, checked against the format."""
    values, diagnostics = catalog_values(view, ctx, fmt)
    if fmt.id_field != "id":
        values[fmt.id_field] = values.pop("id")
    # Overrides come after the renaming: a channel's mapping speaks the platform's field names.
    values = apply_overrides(values, ctx.field_overrides, view.labels)
    columns = set(fmt.columns)
    values = {name: value for name, value in values.items() if name in columns}
    for name in fmt.truncated:
        limit, text = fmt.limit(name), values.get(name)
        if limit and isinstance(text, str) and len(text) > limit:
            attribute = SOURCES.get(name, name)
            diagnostics.append(Diagnostic(Severity.WARNING, "truncated",
                                          f"{name} has {len(text)} characters; the channel takes {limit}, it was cut",
                                          attribute, f"shorten {attribute} to {limit} characters", view.sku))
            values[name] = truncate(text, limit)
    reported = {d.attribute for d in diagnostics if d.severity is Severity.ERROR}
    diagnostics += [d for d in check_fields(view.sku, values, fmt.fields, SOURCES) if d.attribute not in reported]
    return Item(view.sku, present(values), tuple(diagnostics))


def cell(value: Any) -> str:
    """A value as one cell: lists joined by commas, and no line breaks or tabs inside a row."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(" ".join(str(v).split()) for v in value)
    return " ".join(str(value).split())


def validate_catalog(name: str, stream: BinaryIO, fmt: CatalogFormat) -> None:
    """Check the header, the cell count of every row and the required cells; raises InvalidOutput."""
    columns = fmt.columns
    required = [index for index, spec in enumerate(fmt.fields) if spec.required]
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    try:
        for number, row in read_rows(text, name, columns, fmt.delimiter):
            empty = [columns[index] for index in required if not row[index]]
            if empty:
                raise InvalidOutput(f"{name} line {number} has no {', '.join(empty)}")
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidOutput(f"{name} is not UTF-8 {'CSV' if fmt.delimiter == ',' else 'TSV'}: {exc}") from exc
    finally:
        text.detach()


class SocialCatalogAdapter:
    """The adapter contract for a social catalog; a subclass declares its name, schema, fields and format."""

    name: ClassVar[str]
    title: ClassVar[str]
    settings_schema: ClassVar[type[Schema]]
    fields: ClassVar[tuple[FieldSpec, ...]]
    format: ClassVar[CatalogFormat]

    def files(self, ctx: RenderContext) -> list[OutputFile]:
        kind = "text/csv" if self.format.delimiter == "," else "text/tab-separated-values"
        return [OutputFile(self.format.file_name, kind, f"{self.title}, one product per row")]

    def items(self, views: Iterable[ProductView], ctx: RenderContext) -> Iterator[Item]:
        for view in views:
            yield catalog_item(view, ctx, self.format)

    def write(self, items: Iterable[Item], outputs: Outputs, ctx: RenderContext) -> None:
        """UTF-8 CSV (or TSV) with one header row, then one row per item that is not excluded."""
        write_chunked(self, items, outputs, ctx)

    def _rows(self) -> RowFormatter:
        return row_formatter(self.format.delimiter, self.format.quoting)

    def head(self, ctx: RenderContext) -> dict[str, bytes]:
        return {self.format.file_name: self._rows().row(self.format.columns).encode()}

    def chunk(self, item: Item, ctx: RenderContext) -> dict[str, bytes]:
        fields = item.fields
        return {self.format.file_name: self._rows().row([cell(fields.get(name)) for name in self.format.columns]).encode()}

    def tail(self, ctx: RenderContext) -> dict[str, bytes]:
        return {self.format.file_name: b""}

    def validate(self, name: str, stream: BinaryIO, ctx: RenderContext) -> None:
        if name != self.format.file_name:
            raise InvalidOutput(f"{self.name} writes no file named {name}")
        validate_catalog(name, stream, self.format)
