"""Locations: warehouses and stores, and the stock they hold."""

from typing import Any

from marshmallow import fields, validate

from schemas.common import SKU_MAX, Code, CountryCode, StrictSchema


class AddressIn(StrictSchema):
    street = fields.String(validate=validate.Length(max=200))
    city = fields.String(validate=validate.Length(max=100))
    postal_code = fields.String(validate=validate.Length(max=20))
    region = fields.String(validate=validate.Length(max=100))


class LocationIn(StrictSchema):
    code = Code(required=True, max_length=64)  # the column's width
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

    def load(self, data: Any, *, many: bool | None = None, partial: Any = None, unknown: Any = None) -> Any:
        """A line that is plainly right is answered without the schema's machinery (a store's
        file has a line per SKU; the schema was a tenth of applying it); any other goes through
        the schema, which says what is wrong. Tested to answer as the schema does."""
        if many is None and partial is None and unknown is None and not self.many and _plain_line(data):
            return dict(data)
        return super().load(data, many=many, partial=partial, unknown=unknown)


def _plain_line(data: Any) -> bool:
    if type(data) is not dict or data.keys() != _LINE_KEYS:
        return False
    sku, location, quantity = data["sku"], data["location"], data["quantity"]
    return (type(sku) is str and 1 <= len(sku) <= SKU_MAX and type(location) is str
            and type(quantity) is int and quantity >= 0)


_LINE_KEYS = {"sku", "location", "quantity"}


class StockOut(StrictSchema):
    location = fields.String()
    quantity = fields.Integer()
