"""The resolved view of a product for a channel, as the API answers it (output only)."""

from marshmallow import Schema, fields


class OfferViewOut(Schema):
    currency = fields.String()
    price = fields.Decimal(as_string=True)
    sale_price = fields.Decimal(as_string=True, allow_none=True)
    sale_start = fields.AwareDateTime(allow_none=True)
    sale_end = fields.AwareDateTime(allow_none=True)
    on_sale = fields.Boolean()
    current_price = fields.Decimal(as_string=True)


class StockViewOut(Schema):
    location = fields.String()
    type = fields.String()
    quantity = fields.Integer()
    country = fields.String()


class CategoryViewOut(Schema):
    code = fields.String()
    path = fields.List(fields.String())


class MediaViewOut(Schema):
    path = fields.String()
    role = fields.String()
    alt = fields.String(allow_none=True)


class DiagnosticOut(Schema):
    severity = fields.Function(lambda d: d.severity.value)
    code = fields.String()
    attribute = fields.String(allow_none=True)
    message = fields.String()
    fix = fields.String(allow_none=True)


class ResolvedOut(Schema):
    sku = fields.String()
    channel = fields.String()
    locale = fields.String()
    currency = fields.String()
    country = fields.String()
    family = fields.String()
    group = fields.String(allow_none=True)
    variant_axes = fields.List(fields.String())
    enabled = fields.Boolean()
    revision = fields.Integer()
    title = fields.String(allow_none=True)
    values = fields.Dict()
    labels = fields.Dict()
    categories = fields.List(fields.Nested(CategoryViewOut))
    mapped_category = fields.String(allow_none=True)
    offer = fields.Nested(OfferViewOut, allow_none=True)
    store_offers = fields.Dict(keys=fields.String(), values=fields.Nested(OfferViewOut))
    availability = fields.String()
    stock = fields.List(fields.Nested(StockViewOut))
    media = fields.List(fields.Nested(MediaViewOut))
    diagnostics = fields.List(fields.Nested(DiagnosticOut))
