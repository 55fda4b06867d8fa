"""The brand guide."""

from marshmallow import fields, validate

from schemas.common import StrictSchema


class BrandGuideIn(StrictSchema):
    brand_names = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list)
    banned_words = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list)
    title_template = fields.String(load_default="", validate=validate.Length(max=500))
    required_image_roles = fields.List(fields.String(validate=validate.OneOf(["main", "additional", "swatch"])), load_default=list)


class BrandGuideOut(BrandGuideIn):
    pass
