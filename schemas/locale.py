"""Locales the catalog is written in."""

from marshmallow import fields, validate

from schemas.common import LocaleCode, StrictSchema


class LocaleIn(StrictSchema):
    code = LocaleCode(required=True)
    label = fields.String(load_default="", validate=validate.Length(max=100))


class LocaleOut(LocaleIn):
    pass
