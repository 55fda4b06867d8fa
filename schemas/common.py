"""Field types and small schemas shared by several resources."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

CODE_PATTERN = r"^[A-Za-z0-9_]+$"
CODE_MAX = 100
MOST_AXES = 5  # a product model's variant axes
LOCALE_PATTERN = r"^[a-z]{2,3}_[A-Z]{2}$"
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
SKU_MAX = 64
MEDIA_ROLES = ("main", "additional", "swatch")
MEDIA_TEXT_MAX = 500  # a media path, an alt text


def Code(max_length: int = CODE_MAX, **kwargs: Any) -> fields.String:
    """A code: letters, digits and underscores, as Akeneo codes are; at most ``max_length``, the
    width of the column it is stored in."""
    return fields.String(
        validate=[
            validate.Length(min=1, max=max_length),
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


class JsonBoolean(fields.Boolean):
    """``true`` or ``false`` in a JSON body, as the document says: marshmallow's own Boolean also
    takes 0, 1, "yes" or "off", which a client then believes the API understands."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if type(value) is not bool:
            raise self.make_error("invalid")
        return value


def Labels(**kwargs: Any) -> fields.Dict:
    """Human-readable names per locale."""
    return fields.Dict(
        keys=LocaleCode(), values=fields.String(validate=validate.Length(max=255)), load_default=dict, **kwargs
    )


NUL = "\x00"
NUL_REASON = "holds a NUL character (U+0000), which no text may hold"


def nul_messages(data: Any) -> Any:
    """Where ``data`` (parsed JSON, form fields) holds a NUL in a string or a key, as
    marshmallow's nested messages; None where it holds none. PostgreSQL refuses such text (a
    server error, before this), SQLite stored it, and no XML feed could carry it."""
    if isinstance(data, str):
        return [NUL_REASON] if NUL in data else None
    if isinstance(data, dict):
        found = {}
        for key, value in data.items():
            if isinstance(key, str) and NUL in key:
                found[key] = [NUL_REASON]
            elif (inner := nul_messages(value)) is not None:
                found[key] = inner
        return found or None
    if isinstance(data, list):
        listed = {index: inner for index, item in enumerate(data) if (inner := nul_messages(item)) is not None}
        return listed or None
    return None


class StrictSchema(Schema):
    """Unknown fields are errors: a typo in a field name must never be silently dropped. Text
    holding a NUL is refused, naming where."""

    class Meta:
        unknown = RAISE

    @pre_load(pass_collection=True)  # a list's messages keep each item's index
    def _refuse_nul(self, data: Any, **_: Any) -> Any:
        found = nul_messages(data)
        if found is not None:
            raise ValidationError(found)
        return data


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
