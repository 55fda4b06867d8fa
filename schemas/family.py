"""Families: which attributes a kind of product has, and which each channel requires."""

from marshmallow import fields

from schemas.common import Code, Labels, StrictSchema


class FamilyIn(StrictSchema):
    code = Code(required=True)
    labels = Labels()
    attributes = fields.List(fields.String(), load_default=list)
    requirements = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), load_default=dict)


class FamilyOut(FamilyIn):
    pass
