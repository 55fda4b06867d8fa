"""Shelf-edge data the in-store signage adapters share: what one store's label says about one product.

The printed shelf labels and the electronic shelf labels must never disagree, so the price a store
charges, its running sale, the EU unit price and the barcode digits are computed here once, and each
adapter only lays them out. What belongs here: the shared settings, the item builder and its rules.

The unit price follows Directive 98/6/EC: the selling price per kilogram, litre, metre, square metre
or piece of the net content. Member States may set another reference quantity (100 g or 100 ml for
small packs in some), so the reference per dimension is a setting; the default, per kg, l, m, m² and
piece, is what France requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Mapping

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from channel_adapters.base.contract import FieldSpec, Item, RenderContext
from channel_adapters.base.diagnostics import Diagnostic, Severity
from channel_adapters.base.formats import apply_overrides
from channel_adapters.base.identifiers import gtin_problem
from channel_adapters.base.rules import check_fields
from channel_adapters.base.units import UNITS, Unit, convert
from channel_adapters.base.view import OfferView, ProductView

CENT = Decimal("0.01")
GTIN_ATTRIBUTE = "ean"
DIMENSIONS = tuple(sorted({unit.dimension for unit in UNITS.values()}))
# Per kg, l, m, m² and piece: the directive's base quantities, and what France states prices in.
DEFAULT_REFERENCES: Mapping[str, tuple[str, str]] = {
    "mass": ("1", "KILOGRAM"), "volume": ("1", "LITER"), "length": ("1", "METER"),
    "area": ("1", "SQUARE_METER"), "count": ("1", "PIECE"),
}

# The product-level fields every label carries; FieldSpecs so check_fields names what is missing.
PRODUCT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("sku", required=True, description="the product's SKU"),
    FieldSpec("name", required=True, description="the product's name, as people read it"),
    FieldSpec("brand", description="the brand's name"),
    FieldSpec("variant", description="the variant's axes, e.g. 'Navy, M'"),
    FieldSpec("gtin", description="the GTIN, when it is valid"),
    FieldSpec("net_content", description="net weight or volume, e.g. '500 g'"),
)
# The fields of one store's label: price and stock differ between stores.
STORE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("price", required=True, description="regular price at the store, a decimal string"),
    FieldSpec("sale_price", description="the running sale's price, a decimal string"),
    FieldSpec("sale_end", description="when the sale ends, ISO 8601"),
    FieldSpec("unit_price", description="current price per reference quantity (Directive 98/6/EC)"),
    FieldSpec("unit_price_unit", description="the reference quantity: 'kg', 'l', '100 g'..."),
    FieldSpec("quantity_in_store", description="units on hand at the store"),
)


class ReferenceQuantityIn(Schema):
    amount = fields.Decimal(required=True, validate=validate.Range(min=0, min_inclusive=False))
    unit = fields.String(required=True, validate=validate.OneOf(sorted(UNITS)))


class ShelfSettings(Schema):
    """Settings both signage adapters share; each adapter's own schema extends this one."""

    # e.g. {"mass": {"amount": "100", "unit": "GRAM"}}; dimensions left out keep their default.
    unit_price_reference = fields.Dict(
        keys=fields.String(validate=validate.OneOf(DIMENSIONS)), values=fields.Nested(ReferenceQuantityIn),
        load_default=dict)
    # Measurement attributes holding the net content, tried in order; the unit decides the dimension.
    net_content_attributes = fields.List(
        fields.String(validate=validate.Length(min=1)), load_default=lambda: ["net_weight", "net_volume"],
        validate=validate.Length(min=1))
    # Families sold by quantity: there a missing net content means a label without its unit price.
    unit_price_families = fields.List(fields.String(), load_default=lambda: ["grocery"])

    @validates_schema
    def _reference_fits_its_dimension(self, data: dict[str, Any], **_: Any) -> None:
        for dimension, reference in data.get("unit_price_reference", {}).items():
            if UNITS[reference["unit"]].dimension != dimension:
                raise ValidationError({dimension: [f"{reference['unit']} is not a unit of {dimension}"]},
                                      "unit_price_reference")


@dataclass(frozen=True)
class NetContent:
    amount: Decimal
    unit: Unit
    attribute: str

    @property
    def text(self) -> str:
        return f"{decimal_text(self.amount)} {self.unit.symbol}"


@dataclass(frozen=True)
class UnitPrice:
    amount: Decimal  # price per reference quantity, rounded half up to the cent
    reference: str  # the reference quantity as printed: "kg", "100 g"


def decimal_text(amount: Decimal) -> str:
    """``Decimal("500.0")`` as ``"500"``, ``Decimal("0.750")`` as ``"0.75"``: no exponent, no trailing zeros."""
    text = f"{amount.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(amount: Decimal) -> str:
    """A price as a decimal string with two places, so JSON consumers never meet binary floats."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def reference_quantities(settings: Mapping[str, Any]) -> dict[str, tuple[Decimal, Unit]]:
    """The reference quantity per dimension: the channel's setting over the directive's default."""
    found = {dim: (Decimal(amount), UNITS[unit]) for dim, (amount, unit) in DEFAULT_REFERENCES.items()}
    for dimension, reference in (settings.get("unit_price_reference") or {}).items():
        found[dimension] = (Decimal(reference["amount"]), UNITS[reference["unit"]])
    return found


def unit_price(price: Decimal, content: NetContent, reference: tuple[Decimal, Unit]) -> UnitPrice:
    """The price per reference quantity; raises ValueError when the content's dimension differs."""
    amount, unit = reference
    references_in_pack = convert(content.amount, content.unit.code, unit.code) / amount
    per = unit.symbol if amount == 1 else f"{decimal_text(amount)} {unit.symbol}"
    return UnitPrice((price / references_in_pack).quantize(CENT, rounding=ROUND_HALF_UP), per)


def net_content(view: ProductView, attributes: list[str]) -> tuple[NetContent | None, Diagnostic | None]:
    """The first net-content measurement the product has, or why it cannot be used."""
    for attribute in attributes:
        data = view.values.get(attribute)
        if data is None:
            continue
        try:
            amount, unit = Decimal(str(data["amount"])), UNITS[data["unit"]]
        except (KeyError, TypeError, InvalidOperation):
            return None, Diagnostic(Severity.WARNING, "net_content_invalid",
                                    f"{attribute} is not an amount with a known unit; the label has no unit price",
                                    attribute, f"set {attribute} as an amount and a unit", view.sku)
        if not amount.is_finite() or amount <= 0:
            return None, Diagnostic(Severity.WARNING, "net_content_invalid",
                                    f"{attribute} is {amount}; the label has no unit price",
                                    attribute, f"set {attribute} to the pack's net content", view.sku)
        return NetContent(amount, unit, attribute), None
    return None, None


def barcode_digits(gtin: str) -> str | None:
    """The digits of the retail barcode for a valid GTIN: EAN-13, or EAN-8 for a GTIN-8.

    A GTIN-12 (UPC-A) scans as the EAN-13 with a leading zero, and a GTIN-14 whose indicator is 0
    is that EAN-13; any other GTIN-14 names a trade unit (a case), which has no retail barcode.
    """
    if len(gtin) == 14:
        return gtin[1:] if gtin.startswith("0") else None
    return "0" + gtin if len(gtin) == 12 else gtin


def sale_runs(offer: OfferView, now: datetime) -> bool:
    """Whether the shelf shows the sale at ``now``: the resolver decided it, the dates still agree."""
    return (offer.on_sale and offer.sale_price is not None
            and (offer.sale_end is None or now < offer.sale_end)
            and (offer.sale_start is None or offer.sale_start <= now))


def store_label(
    offer: OfferView, quantity: int, content: NetContent | None, reference: tuple[Decimal, Unit] | None, now: datetime
) -> dict[str, Any]:
    """One store's label data; prices as decimal strings and the sale end as ISO 8601."""
    sale = offer.sale_price if sale_runs(offer, now) else None
    label: dict[str, Any] = {
        "price": money(offer.price), "sale_price": None, "sale_end": None,
        "unit_price": None, "unit_price_unit": None, "quantity_in_store": quantity,
    }
    if sale is not None:
        label["sale_price"] = money(sale)
        label["sale_end"] = offer.sale_end.isoformat() if offer.sale_end else None
    if content is not None and reference is not None:
        # The unit price goes with the price the customer pays today, the sale's when one runs.
        per = unit_price(offer.price if sale is None else sale, content, reference)
        label["unit_price"], label["unit_price_unit"] = money(per.amount), per.reference
    return label


def shelf_item(view: ProductView, ctx: RenderContext) -> Item:
    """The item both signage adapters render: product fields, and ``stores``: store code -> label data.

    Errors (the item is excluded): no name, or no price in the channel's currency at any store.
    Warnings (the label still prints): no or an invalid GTIN (no barcode), a price missing at some
    stores only, no net content where the family is sold by quantity (no unit price). A shelf with
    no label at all is a worse breach of price display than a label lacking its unit price, and a
    wrong barcode is worse than none, since staff scan it to reorder.
    """
    diagnostics: list[Diagnostic] = []
    labels = view.labels
    values: dict[str, Any] = {
        "sku": view.sku,
        "name": labels.get("name") or view.values.get("name"),
        "brand": labels.get("brand"),
        "variant": ", ".join(labels[axis] for axis in view.variant_axes if labels.get(axis)) or None,
    }
    # Overrides reach the product's own fields; prices and stock come from offers, per store.
    overrides = {name: value for name, value in ctx.field_overrides.items() if name in ("name", "brand", "variant")}
    values = apply_overrides(values, overrides, labels)
    diagnostics += check_fields(view.sku, values, PRODUCT_FIELDS)

    gtin = view.values.get(GTIN_ATTRIBUTE)
    values["gtin"] = values["barcode"] = None
    if not gtin:
        diagnostics.append(Diagnostic(Severity.WARNING, "gtin_missing", "no GTIN: the label has no barcode",
                                      GTIN_ATTRIBUTE, "add the GTIN from the packaging", view.sku))
    elif problem := gtin_problem(str(gtin)):
        diagnostics.append(Diagnostic(Severity.WARNING, "invalid_gtin", f"GTIN {gtin}: {problem}; the label has no barcode",
                                      GTIN_ATTRIBUTE, "correct the GTIN", view.sku))
    else:
        values["gtin"], values["barcode"] = str(gtin), barcode_digits(str(gtin))
        if values["barcode"] is None:
            diagnostics.append(Diagnostic(Severity.WARNING, "gtin_not_retail",
                                          f"GTIN {gtin} names a trade unit; the label has no barcode",
                                          GTIN_ATTRIBUTE, "use the consumer unit's GTIN", view.sku))

    attributes = list(ctx.settings.get("net_content_attributes") or ["net_weight", "net_volume"])
    content, problem_found = net_content(view, attributes)
    if problem_found is not None:
        diagnostics.append(problem_found)
    elif content is None and view.family in (ctx.settings.get("unit_price_families") or ()):
        diagnostics.append(Diagnostic(Severity.WARNING, "net_content_missing",
                                      f"no {' or '.join(attributes)}: the label has no unit price, which EU law requires",
                                      attributes[0], f"fill {attributes[0]} with the pack's net content", view.sku))
    values["net_content"] = content.text if content else None
    reference = reference_quantities(ctx.settings)[content.unit.dimension] if content else None

    stores, unpriced = {}, []
    for store in ctx.stores:
        offer = view.offer_at(store.code)
        if offer is None or offer.currency != ctx.currency:
            unpriced.append(store.code)
            continue
        stores[store.code] = store_label(offer, view.quantity_at(store.code), content, reference, ctx.now)
    values["stores"] = stores
    # Without stores there are no files; the channel's own offer still tells whether one could print.
    offers = [view.offer_at(s.code) for s in ctx.stores] if ctx.stores else [view.offer]
    priced = bool(stores) if ctx.stores else any(o is not None and o.currency == ctx.currency for o in offers)
    if not priced:
        elsewhere = sorted({offer.currency for offer in offers if offer is not None})
        reason = f"prices only in {', '.join(elsewhere)}" if elsewhere else "no price"
        diagnostics.append(Diagnostic(Severity.ERROR, "missing_price", f"{reason}; the stores sell in {ctx.currency}",
                                      "offers", f"add an offer in {ctx.currency}", view.sku))
    elif unpriced:
        diagnostics.append(Diagnostic(Severity.WARNING, "missing_store_price",
                                      f"no price in {ctx.currency} at {', '.join(unpriced)}: no label there",
                                      "offers", f"add an offer in {ctx.currency} for those stores", view.sku))
    return Item(view.sku, values, tuple(diagnostics))


def label_for(item: Item, store: str) -> dict[str, Any] | None:
    """One store's label as flat fields, or None when the item is excluded or has no price there."""
    if item.excluded or store not in item.fields.get("stores", {}):
        return None
    flat = {key: value for key, value in item.fields.items() if key != "stores"}
    return {**flat, **item.fields["stores"][store]}
