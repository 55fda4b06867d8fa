"""Imports and exports: the options an import is started with, saved column mappings, and the
job as it is shown (the API and UI of phase 2 dump jobs through ``ImportJobOut``)."""

from __future__ import annotations

import codecs
from typing import Any

from marshmallow import ValidationError, fields, validate, validates

from schemas.common import StrictSchema

KINDS = ("products", "models", "stock")
IMPORT_FORMATS = ("csv", "xlsx", "ndjson", "json", "xml")
EXPORT_FORMATS = ("csv", "xlsx", "ndjson")
DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";"}
MAPPING_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
MAX_COLUMNS = 16_384


def Header(minimum: int = 0, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=minimum, max=255), **kwargs)


class ColumnMappingIn(StrictSchema):
    """A supplier's headers renamed to ours: ``{"EAN": "ean", "Title": "name-en_US", "Notes": ""}``
    (an empty name ignores the column)."""

    name = fields.String(required=True, validate=[
        validate.Length(min=1, max=100), validate.Regexp(MAPPING_NAME, error="letters, digits, '.', '_' and '-' only")])
    columns = fields.Dict(keys=Header(1), values=Header(), required=True,
                          validate=validate.Length(max=MAX_COLUMNS))


class ColumnMappingOut(StrictSchema):
    name = fields.String()
    columns = fields.Dict(keys=fields.String(), values=fields.String())
    created = fields.AwareDateTime()
    updated = fields.AwareDateTime()


class ImportOptionsIn(StrictSchema):
    """How to read one file; what is not given is detected (format from the name or the first
    bytes, kind from the columns, encoding and delimiter from the text)."""

    filename = fields.String(required=True, validate=validate.Length(min=1, max=500))
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(KINDS))
    format = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(IMPORT_FORMATS))
    dry_run = fields.Boolean(load_default=False)
    encoding = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    delimiter = fields.String(load_default=None, allow_none=True,
                              validate=validate.OneOf(sorted(DELIMITERS), error="one of , ; tab"))
    mapping = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100),
                            metadata={"description": "the name of a saved column mapping"})
    columns = fields.Dict(keys=Header(1), values=Header(), load_default=dict,
                          validate=validate.Length(max=MAX_COLUMNS),
                          metadata={"description": "header renames for this import, over the saved mapping's"})

    @validates("encoding")
    def _known_encoding(self, value: str | None, **_: Any) -> None:
        if value is None:
            return
        try:
            codecs.lookup(value)
        except (LookupError, ValueError):  # ValueError: a name holding a NUL
            raise ValidationError(f"unknown encoding '{value}'; for example utf-8, utf-8-sig, latin-1, cp1252") from None


class ExportOptionsIn(StrictSchema):
    kind = fields.String(load_default="products", validate=validate.OneOf(KINDS))
    format = fields.String(load_default="csv", validate=validate.OneOf(EXPORT_FORMATS))


class ExportJobOut(StrictSchema):
    id = fields.Integer()
    author = fields.String()
    kind = fields.String()
    format = fields.String()
    status = fields.String(metadata={"description": "queued, running, succeeded or failed"})
    progress = fields.Float()
    total = fields.Integer(metadata={"description": "records to write, counted as the job starts"})
    written = fields.Integer()
    size = fields.Integer(allow_none=True, metadata={"description": "bytes of the finished file"})
    error = fields.String(allow_none=True)
    queued = fields.AwareDateTime()
    started = fields.AwareDateTime(allow_none=True)
    finished = fields.AwareDateTime(allow_none=True)


class RejectionOut(StrictSchema):
    row = fields.Integer()
    key = fields.String()
    column = fields.String()
    value = fields.String()
    field = fields.String()
    reason = fields.String()


class ImportJobOut(StrictSchema):
    id = fields.Integer()
    author = fields.String()
    kind = fields.String(allow_none=True)
    format = fields.String(allow_none=True)
    filename = fields.String()
    dry_run = fields.Boolean()
    status = fields.String()
    progress = fields.Float()
    total = fields.Integer(allow_none=True)
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.Integer()
    rejections = fields.List(fields.Nested(RejectionOut))
    error = fields.String(allow_none=True)
    queued = fields.AwareDateTime()
    started = fields.AwareDateTime(allow_none=True)
    finished = fields.AwareDateTime(allow_none=True)
