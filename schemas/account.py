"""API tokens and UI users (admin only)."""

from marshmallow import Schema, fields, validate

from schemas.common import StrictSchema

ROLE = validate.OneOf(["viewer", "editor", "publisher", "admin"])


class TokenIn(StrictSchema):
    role = fields.String(required=True, validate=ROLE)
    name = fields.String(load_default="", validate=validate.Length(max=100))


class TokenOut(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()
    created = fields.AwareDateTime()
    last_used = fields.AwareDateTime(allow_none=True)
    revoked = fields.Boolean()
    token = fields.String(metadata={"description": "only in the answer to POST, and only once"})


EMAIL_MAX = 190


class UserIn(StrictSchema):
    # A user's actions are signed "user:<email>" (history, jobs) or "ui:<email>" (publications),
    # in columns of 200 characters: longer addresses would not fit them.
    email = fields.Email(required=True, validate=validate.Length(max=EMAIL_MAX))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10, max=200))
    role = fields.String(required=True, validate=ROLE)


class UserOut(Schema):
    email = fields.String()
    role = fields.String()
    created = fields.AwareDateTime()
