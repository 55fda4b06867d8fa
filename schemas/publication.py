"""Publications and their findings (output only, but for the diagnostics query)."""

from typing import Any

from marshmallow import Schema, fields, validate

from schemas.common import StrictSchema


class PublicationFileOut(Schema):
    name = fields.String()
    content_type = fields.String()
    bytes = fields.Integer()
    sha256 = fields.String()
    url = fields.String()


class PublicationOut(Schema):
    id = fields.Integer()
    channel = fields.Function(lambda p: p.channel.code)
    trigger = fields.String()
    status = fields.String(metadata={"enum": ["queued", "running", "succeeded", "failed"]})
    progress = fields.Float()
    total = fields.Integer()
    items = fields.Integer()
    excluded = fields.Integer()
    warnings = fields.Integer()
    rendered = fields.Integer(metadata={"description": "items rendered anew; the others were reused unchanged "
                                                       "from the channel's last good publication"})
    bytes = fields.Integer()
    sha256 = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    queued = fields.AwareDateTime()
    started = fields.AwareDateTime(allow_none=True)
    finished = fields.AwareDateTime(allow_none=True)
    error = fields.String(allow_none=True)
    files = fields.Method("_files")
    shards = fields.Method("_shards", metadata={"description": "each shard's number, the worker that rendered it "
                                                                "(host and process), its seconds, products and items rendered anew"})

    def _shards(self, publication: Any) -> list[dict[str, Any]] | None:
        if not publication.shards:
            return None
        return [{"number": n, "worker": worker, "seconds": seconds, "products": done, "rendered": rendered}
                for n, worker, seconds, done, rendered in publication.shards]

    def _files(self, publication: Any) -> list[dict[str, Any]]:
        """Each file with the path of its pull URL (add the channel's feed token to fetch it)."""
        return [{**PublicationFileOut(exclude=["url"]).dump(f), "url": f"/feeds/{publication.channel.code}/{f.name}"}
                for f in publication.files]


class PublicationDiagnosticOut(Schema):
    sku = fields.String()
    severity = fields.String()
    code = fields.String()
    attribute = fields.String(allow_none=True)
    message = fields.String()
    fix = fields.String(allow_none=True)


class DiagnosticsArgs(StrictSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))
    severity = fields.String(load_default=None, validate=validate.OneOf(["error", "warning"]))


class PreviewOut(Schema):
    channel = fields.String()
    adapter = fields.String()
    excluded = fields.Boolean()
    item = fields.Dict()
    diagnostics = fields.List(fields.Nested(PublicationDiagnosticOut))


class DiffKindOut(Schema):
    count = fields.Integer()
    first = fields.List(fields.String(), metadata={"description": "the first item ids, in id order"})


class PublicationDiffOut(Schema):
    """What changed between a channel's last two successful publications."""

    older = fields.Function(lambda c: c.older.id if c.older else None, metadata={"description": "publication id"})
    newer = fields.Function(lambda c: c.newer.id if c.newer else None, metadata={"description": "publication id"})
    reason = fields.String(allow_none=True, metadata={"description": "why there is no diff, when there is none"})
    added = fields.Function(lambda c: DiffKindOut().dump(c.diff.added) if c.diff else None)
    removed = fields.Function(lambda c: DiffKindOut().dump(c.diff.removed) if c.diff else None)
    changed = fields.Function(lambda c: DiffKindOut().dump(c.diff.changed) if c.diff else None)
    unchanged = fields.Function(lambda c: c.diff.unchanged if c.diff else None)
