"""Attributes: typed fields with validation rules."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from channel_adapters.base.units import UNITS
from schemas.common import Code, JsonBoolean, Labels, StrictSchema

ATTRIBUTE_TYPES = (
    "text", "textarea", "number", "boolean", "date", "select", "multiselect",
    "measurement", "price_collection", "identifier", "url", "image",
)


class ValidationRules(StrictSchema):
    max_length = fields.Integer(validate=validate.Range(min=1, max=65535))
    pattern = fields.String(validate=validate.Length(max=500))
    min = fields.Decimal(as_string=True, allow_nan=False)
    max = fields.Decimal(as_string=True, allow_nan=False)
    decimals_allowed = JsonBoolean()
    format = fields.String(validate=validate.OneOf(["gtin"]))

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        if "pattern" in data:
            try:
                re.compile(data["pattern"])
            except re.error as exc:
                raise ValidationError(f"not a valid regular expression: {exc}", "pattern") from exc
        if "min" in data and "max" in data and data["min"] > data["max"]:
            raise ValidationError("min is greater than max", "max")


class OptionIn(StrictSchema):
    code = Code(required=True)
    labels = Labels()


class AttributeIn(StrictSchema):
    code = Code(required=True)
    type = fields.String(required=True, validate=validate.OneOf(ATTRIBUTE_TYPES))
    labels = Labels()
    localizable = JsonBoolean(load_default=False)
    scopable = JsonBoolean(load_default=False)
    validation = fields.Nested(ValidationRules, load_default=dict)
    options = fields.List(fields.Nested(OptionIn), load_default=list)
    unit = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(sorted(UNITS)))

    @validates_schema
    def _fits_type(self, data: dict[str, Any], **_: Any) -> None:
        kind = data.get("type")
        if kind in ("select", "multiselect") and not data.get("options"):
            raise ValidationError(f"a {kind} attribute needs at least one option", "options")
        if kind not in ("select", "multiselect") and data.get("options"):
            raise ValidationError(f"a {kind} attribute has no options", "options")
        codes = [option["code"] for option in data.get("options", [])]
        if len(codes) != len(set(codes)):
            raise ValidationError("option codes must be unique", "options")
        if kind == "measurement" and not data.get("unit"):
            raise ValidationError("a measurement attribute needs its default unit", "unit")
        if kind != "measurement" and data.get("unit"):
            raise ValidationError(f"a {kind} attribute has no unit", "unit")
        if data.get("validation", {}).get("format") == "gtin" and kind != "identifier":
            raise ValidationError("format gtin applies to identifier attributes", "validation")


class AttributeOut(AttributeIn):
    validation = fields.Dict()
    options = fields.List(fields.Dict())
