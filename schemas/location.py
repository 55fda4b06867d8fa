"""Locations: warehouses and stores, and the stock they hold."""

from marshmallow import fields, validate

from schemas.common import SKU_MAX, Code, CountryCode, StrictSchema


class AddressIn(StrictSchema):
    street = fields.String(validate=validate.Length(max=200))
    city = fields.String(validate=validate.Length(max=100))
    postal_code = fields.String(validate=validate.Length(max=20))
    region = fields.String(validate=validate.Length(max=100))


class LocationIn(StrictSchema):
    code = Code(required=True)
    type = fields.String(required=True, validate=validate.OneOf(["store", "warehouse"]))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.Nested(AddressIn, load_default=dict)
    country = CountryCode(required=True)


class LocationOut(LocationIn):
    address = fields.Dict()


class StockLineIn(StrictSchema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=SKU_MAX))
    location = fields.String(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class StockOut(StrictSchema):
    location = fields.String()
    quantity = fields.Integer()
