"""The import API's own shapes around ``schemas.imports``: lists of jobs and mappings, and a saved
mapping's body (its name is in the URL)."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import StrictSchema
from schemas.imports import MAX_COLUMNS, ColumnMappingOut, Header, ImportJobOut


class ImportJobSummaryOut(ImportJobOut):
    """A job in a list: everything but its rejections (read one job for those)."""

    class Meta(StrictSchema.Meta):
        exclude = ("rejections",)


class ImportJobListOut(StrictSchema):
    items = fields.List(fields.Nested(ImportJobSummaryOut))


class ColumnMappingBodyIn(StrictSchema):
    """``{"columns": {"EAN": "ean", "Notes": ""}}``: the supplier's headers renamed to ours; ``""`` ignores one."""

    columns = fields.Dict(keys=Header(1), values=Header(), required=True, validate=validate.Length(max=MAX_COLUMNS))


class ColumnMappingListOut(StrictSchema):
    items = fields.List(fields.Nested(ColumnMappingOut))
