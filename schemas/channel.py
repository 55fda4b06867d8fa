"""Channels: configured publishing targets."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import Code, CountryCode, CurrencyCode, JsonBoolean, Labels, LocaleCode, StrictSchema

# Five cron fields of digits, names, and the usual * , - / operators; the scheduler parses them fully.
CRON_PATTERN = r"^\s*([0-9A-Za-z*,/?-]+\s+){4}[0-9A-Za-z*,/?-]+\s*$"


class ChannelFilterIn(StrictSchema):
    """Which products a channel carries; every given condition must hold."""

    families = fields.List(fields.String(), load_default=list)
    categories = fields.List(fields.String(), load_default=list)
    enabled_only = JsonBoolean(load_default=True)


class ChannelMappingIn(StrictSchema):
    title_template = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))
    category_map = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    field_overrides = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)


class ChannelIn(StrictSchema):
    code = Code(required=True, max_length=64)  # the column's width
    labels = Labels()
    adapter = Code(required=True)
    locale = LocaleCode(required=True)
    currency = CurrencyCode(required=True)
    country = CountryCode(required=True)
    filter = fields.Nested(ChannelFilterIn, load_default=lambda: ChannelFilterIn().load({}))
    mapping = fields.Nested(ChannelMappingIn, load_default=lambda: ChannelMappingIn().load({}))
    settings = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)
    destination = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=500))
    schedule = fields.String(
        allow_none=True, load_default=None,
        validate=[validate.Length(max=100),  # the column's width
                  validate.Regexp(CRON_PATTERN, error="a cron expression of five fields, such as '0 3 * * *'")],
    )


class ChannelOut(ChannelIn):
    filter = fields.Dict()
    mapping = fields.Dict()
    feed_token = fields.String(metadata={"description": "publishers and admins only"})
    feed_urls = fields.List(fields.String(), metadata={"description": "pull URLs of the last good files (publishers and admins)"})
