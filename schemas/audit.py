"""The audit log (admin only): its query and its entries."""

from marshmallow import Schema, fields, validate

from schemas.common import PageArgs

ACTOR_KINDS = ("token", "user", "cli")


class AuditLogArgs(PageArgs):
    """A page of entries, newest first; each filter is optional and matches exactly."""

    action = fields.String(load_default=None, validate=validate.Length(min=1, max=64),
                           metadata={"description": "e.g. channel.update, token.create"})
    subject_kind = fields.String(load_default=None, validate=validate.Length(min=1, max=32),
                                 metadata={"description": "token, user, channel, locale, currency or brand_guide"})
    subject_key = fields.String(load_default=None, validate=validate.Length(min=1, max=254),
                                metadata={"description": "a token's id, a user's email, a code"})


class AuditActorOut(Schema):
    kind = fields.String(metadata={"description": " | ".join(ACTOR_KINDS)})
    id = fields.Integer(allow_none=True, metadata={"description": "the token's or the user's id"})
    name = fields.String(metadata={"description": "token:<name>, user:<email> or cli"})


class AuditSubjectOut(Schema):
    kind = fields.String()
    key = fields.String()


class AuditEntryOut(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    actor = fields.Nested(AuditActorOut)
    action = fields.String()
    subject = fields.Nested(AuditSubjectOut)
    changes = fields.Dict(keys=fields.String(), metadata={
        "description": "the changed fields with their new values; a secret's value is never recorded"})
    address = fields.String(allow_none=True, metadata={"description": "the client's address, when a request acted"})


class AuditLogPage(Schema):
    items = fields.List(fields.Nested(AuditEntryOut))
    next = fields.String(allow_none=True)
