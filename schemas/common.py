"""Field types and small schemas shared by several resources."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

CODE_PATTERN = r"^[A-Za-z0-9_]+$"
CODE_MAX = 100
MOST_AXES = 5  # a product model's variant axes
LOCALE_PATTERN = r"^[a-z]{2,3}_[A-Z]{2}$"
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
SKU_MAX = 64
MEDIA_ROLES = ("main", "additional", "swatch")
MEDIA_TEXT_MAX = 500  # a media path, an alt text


def Code(**kwargs: Any) -> fields.String:
    """A code: letters, digits and underscores, as Akeneo codes are."""
    return fields.String(
        validate=[
            validate.Length(min=1, max=CODE_MAX),
            validate.Regexp(CODE_PATTERN, error="use only letters, digits and underscores"),
        ],
        **kwargs,
    )


def LocaleCode(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(LOCALE_PATTERN, error="a locale looks like en_US"), **kwargs)


def CurrencyCode(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(r"^[A-Z]{3}$", error="an ISO 4217 code such as EUR"), **kwargs)


def CountryCode(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(r"^[A-Z]{2}$", error="an ISO 3166-1 alpha-2 code such as FR"), **kwargs)


def Labels(**kwargs: Any) -> fields.Dict:
    """Human-readable names per locale."""
    return fields.Dict(
        keys=LocaleCode(), values=fields.String(validate=validate.Length(max=255)), load_default=dict, **kwargs
    )


class StrictSchema(Schema):
    """Unknown fields are errors: a typo in a field name must never be silently dropped."""

    class Meta:
        unknown = RAISE


class ValueIn(StrictSchema):
    """One value of one attribute: ``{"locale", "scope", "data"}``, the shape Akeneo integrators know."""

    locale = fields.String(allow_none=True, load_default=None)
    scope = fields.String(allow_none=True, load_default=None)
    data = fields.Raw(required=True, allow_none=True)


def Values(**kwargs: Any) -> fields.Dict:
    """``{attribute code: [value, ...]}``; data is checked against the attribute by the catalog services."""
    return fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(ValueIn)), load_default=dict, **kwargs)


class PageArgs(StrictSchema):
    """Cursor pagination: ``after`` is the opaque cursor a previous page answered as ``next``."""

    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    after = fields.String(load_default=None)


class PageOut(Schema):
    next = fields.String(allow_none=True)
