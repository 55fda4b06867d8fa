"""A bulk edit: one change, and the products it applies to."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.common import Code, LocaleCode, SKU_PATTERN, StrictSchema

ACTIONS = ("set_value", "add_category", "remove_category", "enable", "disable")
MAX_SKUS = 100_000


class BulkEditIn(StrictSchema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS, error=f"one of {', '.join(ACTIONS)}"))
    attribute = Code(load_default=None, allow_none=True, metadata={"description": "set_value: the attribute"})
    locale = LocaleCode(load_default=None, allow_none=True, metadata={"description": "set_value: for a localizable attribute"})
    scope = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100),
                          metadata={"description": "set_value: the channel, for a scopable attribute"})
    value = fields.String(load_default="", validate=validate.Length(max=10_000), metadata={
        "description": "set_value: the value as text (yes/no for booleans, 'a, b' for multi-selects, "
                       "'0.75 LITER' for measurements); empty removes the products' own value"})
    category = Code(load_default=None, allow_none=True, metadata={"description": "add_category, remove_category"})
    skus = fields.List(fields.String(validate=validate.Regexp(SKU_PATTERN, error="not a SKU")), required=True,
                       validate=validate.Length(min=1, max=MAX_SKUS, error=f"choose from 1 to {MAX_SKUS} products"))

    @validates_schema
    def _what_each_action_needs(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("action") == "set_value" and not data.get("attribute"):
            raise ValidationError("choose the attribute to set", "attribute")
        if data.get("action") in ("add_category", "remove_category") and not data.get("category"):
            raise ValidationError("choose the category", "category")


class BulkEditOut(StrictSchema):
    id = fields.Integer()
    author = fields.String()
    action = fields.Dict()
    status = fields.String()
    progress = fields.Float()
    total = fields.Integer()
    changed = fields.Integer()
    unchanged = fields.Integer()
    failed = fields.Integer()
    failures = fields.List(fields.Dict(), metadata={"description": "[{sku, errors: {field: [reason]}}], the first 1000"})
    error = fields.String(allow_none=True)
    queued = fields.AwareDateTime()
    started = fields.AwareDateTime(allow_none=True)
    finished = fields.AwareDateTime(allow_none=True)
