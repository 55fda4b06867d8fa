"""Currencies offers are priced in."""

from marshmallow import fields, validate

from schemas.common import CurrencyCode, StrictSchema


class CurrencyIn(StrictSchema):
    code = CurrencyCode(required=True)
    label = fields.String(load_default="", validate=validate.Length(max=100))


class CurrencyOut(CurrencyIn):
    pass
