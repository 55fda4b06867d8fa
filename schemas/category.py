"""Categories: a tree with labels per locale."""

from marshmallow import fields

from schemas.common import Code, Labels, StrictSchema


class CategoryIn(StrictSchema):
    code = Code(required=True)
    parent = fields.String(allow_none=True, load_default=None)
    labels = Labels()


class CategoryOut(CategoryIn):
    pass
