"""The product grid's query string: what the merchandiser searches, filters and sorts on."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from schemas.common import SKU_MAX

SORTS = ("sku", "-sku", "-updated", "updated", "completeness", "-completeness")


class GridQueryIn(Schema):
    """Empty inputs mean "any"; paging (``after``) and unknown keys such as the CSRF token of a
    bulk-edit form that reloads the grid are ignored rather than refused."""

    class Meta:
        unknown = EXCLUDE

    sku = fields.String(load_default="", validate=validate.Length(max=SKU_MAX))
    q = fields.String(load_default="", validate=validate.Length(max=200))
    family = fields.String(load_default="", validate=validate.Length(max=100))
    category = fields.String(load_default="", validate=validate.Length(max=100))
    enabled = fields.String(load_default="", validate=validate.OneOf(["", "yes", "no"], error="choose yes, no or nothing"))
    channel = fields.String(load_default="", validate=validate.Length(max=100))
    below = fields.Integer(load_default=None, allow_none=True,
                           validate=validate.Range(min=1, max=100, error="a percentage from 1 to 100"))
    diagnostic = fields.String(load_default="", validate=validate.Length(max=64))
    sort = fields.String(load_default="sku", validate=validate.OneOf(SORTS, error=f"one of {', '.join(SORTS)}"))
    after = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=400))

    def load_args(self, args: dict[str, str]) -> dict[str, object]:
        """Load a query string, where an empty input means the same as a missing one."""
        return self.load({key: value.strip() for key, value in args.items() if value and value.strip()})
