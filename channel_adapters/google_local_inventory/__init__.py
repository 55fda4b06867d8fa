"""Google local inventory feed: what each store has of each product, for "available in store" and pickup.

One row per (store, product) in a tab-delimited file, as Google's local inventory data
specification describes: ``store_code`` as in the Business Profile, ``id`` equal to the product
feed's id (the SKU), ``quantity``, the store's ``price`` and sale, ``availability`` derived from the
store's stock, and the channel's ``pickup_method`` and ``pickup_sla``. Field names and supported
values are Google's, written in English as the specification requires.
"""

from __future__ import annotations

import csv
import io
from typing import Any, BinaryIO, ClassVar, Iterable, Iterator

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from channel_adapters.base import (
    Diagnostic, FieldSpec, InvalidOutput, Item, OfferView, OutputFile, Outputs, ProductView, RenderContext, Severity,
    StoreInfo, check_fields,
)
from channel_adapters.base.chunks import read_rows, row_formatter, write_chunked
from channel_adapters.base.formats import apply_overrides, price_text, sale_fields

FILE = "local_inventory.tsv"
AVAILABILITY = ("in_stock", "limited_availability", "on_display_to_order", "out_of_stock")
# "buy" and "reserve" are Google's pickup today; "ship to store" is pickup later.
PICKUP_METHODS = ("buy", "reserve", "ship to store", "not supported")
PICKUP_TODAY_SLAS = ("same day", "next day")
PICKUP_LATER_SLAS = ("next day", "2-day", "3-day", "4-day", "5-day", "6-day", "multi-week")
PICKUP_SLAS = ("same day",) + PICKUP_LATER_SLAS

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("store_code", required=True, description="case-sensitive, as in the Business Profile"),
    FieldSpec("id", required=True, max_length=50, description="the same id as in the product feed"),
    FieldSpec("quantity", required=True, description="integer, 0 or more"),
    FieldSpec("price", description='"24.90 USD"; only needed where the store price differs'),
    FieldSpec("sale_price"),
    FieldSpec("sale_price_effective_date", description="ISO 8601 start/end"),
    FieldSpec("availability", required=True, allowed=AVAILABILITY),
    FieldSpec("pickup_method", allowed=PICKUP_METHODS),
    FieldSpec("pickup_sla", allowed=PICKUP_SLAS),
)
COLUMNS = [spec.name for spec in FIELDS]
_TSV = row_formatter("\t")
SOURCES = {"store_code": "stock", "id": "sku", "quantity": "stock", "availability": "stock",
           "sale_price": "offers", "sale_price_effective_date": "offers",
           "pickup_method": "pickup_method", "pickup_sla": "pickup_sla"}


class GoogleLocalInventorySettings(Schema):
    """How stock becomes availability, and the click-and-collect terms every store offers."""

    # Google counts 1 or 2 as limited; a retailer that thinks 5 is low raises this. 0 never says limited.
    low_stock_threshold = fields.Integer(load_default=2, validate=validate.Range(min=0))
    pickup_method = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PICKUP_METHODS))
    pickup_sla = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PICKUP_SLAS))

    @validates_schema
    def pickup_terms_go_together(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Google takes a pickup method with its SLA (bar "not supported"), and only the SLAs of its kind."""
        method, sla = data.get("pickup_method"), data.get("pickup_sla")
        if sla and not method:
            raise ValidationError("pickup_sla needs a pickup_method", "pickup_method")
        if method and method != "not supported":
            if not sla:
                raise ValidationError(f"pickup method '{method}' needs a pickup_sla", "pickup_sla")
            allowed = PICKUP_LATER_SLAS if method == "ship to store" else PICKUP_TODAY_SLAS
            if sla not in allowed:
                raise ValidationError(f"pickup method '{method}' takes {', '.join(allowed)}", "pickup_sla")


def availability_for(quantity: int, low_stock_threshold: int) -> str:
    """Google's in-store availability from the store's count: none is out, a few are limited."""
    if quantity <= 0:
        return "out_of_stock"
    return "limited_availability" if quantity <= low_stock_threshold else "in_stock"


class GoogleLocalInventoryAdapter:
    name: ClassVar[str] = "google_local_inventory"
    title: ClassVar[str] = "Google local inventory feed (in store and pickup)"
    settings_schema: ClassVar[type[Schema]] = GoogleLocalInventorySettings
    fields: ClassVar[tuple[FieldSpec, ...]] = FIELDS

    def files(self, ctx: RenderContext) -> list[OutputFile]:
        # Google takes every store in one file, told apart by store_code, so one file whatever the stores.
        return [OutputFile(FILE, "text/tab-separated-values", "one row per store and product")]

    def items(self, views: Iterable[ProductView], ctx: RenderContext) -> Iterator[Item]:
        for view in views:
            yield self.item(view, ctx)

    def item(self, view: ProductView, ctx: RenderContext) -> Item:
        """The product's rows, one per store with a price there, under ``fields["rows"]``."""
        rows: list[dict[str, Any]] = []
        found: dict[tuple[Any, ...], Diagnostic] = {}  # each store repeats the same finding once
        unpriced: list[str] = []
        for store in ctx.stores:
            offer = view.offer_at(store.code)
            if offer is None:
                unpriced.append(store.code)
                continue
            row, notes = self._row(view, store, offer, ctx)
            row = {name: value for name, value in apply_overrides(row, ctx.field_overrides, view.labels).items()
                   if name in COLUMNS}
            for note in notes + check_fields(view.sku, row, FIELDS, SOURCES):
                found.setdefault((note.severity, note.code, note.attribute, note.message), note)
            rows.append({k: v for k, v in row.items() if v not in (None, "")})
        diagnostics = list(found.values())
        if ctx.stores and not rows:
            diagnostics.append(Diagnostic(Severity.ERROR, "missing_price", f"no price in {ctx.currency} at any store",
                                          "offers", f"add an offer in {ctx.currency}", view.sku))
        elif unpriced:
            diagnostics.append(Diagnostic(Severity.WARNING, "missing_store_price",
                                          f"no price at {', '.join(unpriced)}; those stores were left out", "offers",
                                          "add a channel offer or one for each of those stores", view.sku))
        return Item(view.sku, {"id": view.sku, "rows": tuple(rows)}, tuple(diagnostics))

    @staticmethod
    def _row(view: ProductView, store: StoreInfo, offer: OfferView, ctx: RenderContext) -> tuple[dict[str, Any], list[Diagnostic]]:
        notes: list[Diagnostic] = []
        quantity = view.quantity_at(store.code)
        if quantity < 0:
            notes.append(Diagnostic(Severity.WARNING, "negative_stock", f"stock at {store.code} is {quantity}; sent as 0",
                                    "stock", f"count the stock at {store.code}", view.sku))
            quantity = 0
        row: dict[str, Any] = {
            "store_code": store.code,
            "id": view.sku,
            "quantity": quantity,
            "price": price_text(offer.price, offer.currency),
            "availability": availability_for(quantity, ctx.settings.get("low_stock_threshold", 2)),
            "pickup_method": ctx.settings.get("pickup_method"),
            "pickup_sla": ctx.settings.get("pickup_sla"),
        }
        sale, problems = sale_fields(offer, view.sku, where=f" at {store.code}")
        row.update(sale)
        return row, notes + problems

    def write(self, items: Iterable[Item], outputs: Outputs, ctx: RenderContext) -> None:
        write_chunked(self, items, outputs, ctx)

    def head(self, ctx: RenderContext) -> dict[str, bytes]:
        return {FILE: _TSV.row(COLUMNS).encode()}

    def chunk(self, item: Item, ctx: RenderContext) -> dict[str, bytes]:
        """One row per store the product has a price at."""
        return {FILE: "".join(_TSV.row([self._cell(row.get(name)) for name in COLUMNS])
                              for row in item.fields.get("rows", ())).encode()}

    def tail(self, ctx: RenderContext) -> dict[str, bytes]:
        return {FILE: b""}

    @staticmethod
    def _cell(value: Any) -> str:
        return "" if value is None else " ".join(str(value).split())  # TSV cells hold no tabs or line breaks

    def validate(self, name: str, stream: BinaryIO, ctx: RenderContext) -> None:
        if name != FILE:
            raise InvalidOutput(f"{self.name} writes no file named {name}")
        index = {column: position for position, column in enumerate(COLUMNS)}
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        try:
            for number, row in read_rows(text, FILE, COLUMNS, "\t"):
                if not row[index["store_code"]] or not row[index["id"]]:
                    raise InvalidOutput(f"{FILE} line {number} has no store_code or id")
                if not row[index["quantity"]].isdigit():
                    raise InvalidOutput(f"{FILE} line {number}: quantity '{row[index['quantity']]}' is not a count")
                if row[index["availability"]] not in AVAILABILITY:
                    raise InvalidOutput(f"{FILE} line {number}: availability '{row[index['availability']]}' is not Google's")
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidOutput(f"{FILE} is not UTF-8 TSV: {exc}") from exc
        finally:
            text.detach()
