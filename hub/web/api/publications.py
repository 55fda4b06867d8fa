"""Publishing through the API: start a publication, follow it, read its findings, preview one product."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Iterator


from flask import Response, stream_with_context, url_for

from hub.errors import NotFound
from hub.publishing.item_diff import compare_last_two
from hub.publishing.render import ChannelRenderer
from hub.services.catalog import ChannelService
from hub.services.products import ProductService
from hub.store.models import Publication
from hub.store.repos import PublicationRepo
from hub.web.auth import current_actor, require
from hub.web.body import HubBlueprint
from hub.web.hub import catalog, hub, session
from schemas.publication import DiagnosticsArgs, PreviewOut, PublicationDiagnosticOut, PublicationDiffOut, PublicationOut

blp = HubBlueprint("publications", __name__, description="Publishing channels, and channel previews")
DIAGNOSTIC_COLUMNS = ["sku", "severity", "code", "attribute", "message", "fix"]


def _publication(publication_id: int) -> Publication:
    found = PublicationRepo(session()).get(publication_id)
    if found is None:
        raise NotFound(f"no publication {publication_id}")
    return found


@blp.route("/channels/<code>/publications", methods=["POST"], endpoint="start")
@require("publisher")
@blp.response(202, PublicationOut)
@blp.alt_response(409, description="The channel is being published already, or cannot publish as configured")
@blp.alt_response(503, description="The task queue (CROSSCANAL_BROKER_URL) cannot be reached; nothing was started")
@blp.doc(summary="Publish the channel now; answers at once, then follow GET /publications/<id>")
def start(code: str) -> Any:
    the_hub = hub()
    publisher = the_hub.publisher()
    ChannelRenderer(session(), the_hub.adapters, the_hub.settings, ChannelService(session(), catalog()).get(code),
                    datetime.now(timezone.utc))  # refuse a channel that cannot render before queuing it
    # The publisher writes through its own sessions: end this request's transaction first (on
    # SQLite it holds the write lock), and read the publication back in a fresh one.
    session().commit()
    publication_id = publisher.start(code, f"api:{current_actor().name}")
    the_hub.run_publication(publisher, publication_id)
    publication = _publication(publication_id)
    return publication, 202, {"Location": url_for("publications.one", publication_id=publication_id)}


@blp.route("/channels/<code>/diff", methods=["GET"], endpoint="diff")
@require("viewer")
@blp.response(200, PublicationDiffOut)
@blp.doc(summary="Items added, removed and changed between the channel's last two successful publications")
def diff(code: str) -> Any:
    return compare_last_two(session(), hub().settings.data_dir, ChannelService(session(), catalog()).get(code))


@blp.route("/channels/<code>/publications", methods=["GET"], endpoint="history")
@require("viewer")
@blp.response(200, PublicationOut(many=True))
@blp.doc(summary="The channel's publications, newest first")
def history(code: str) -> Any:
    channel = ChannelService(session(), catalog()).get(code)
    return PublicationRepo(session()).for_channel(channel.id)


@blp.route("/publications/<int:publication_id>", methods=["GET"], endpoint="one")
@require("viewer")
@blp.response(200, PublicationOut)
@blp.doc(summary="A publication's status, progress and counts")
def one(publication_id: int) -> Any:
    return _publication(publication_id)


@blp.route("/publications/<int:publication_id>/diagnostics", methods=["GET"], endpoint="diagnostics")
@require("viewer")
@blp.arguments(DiagnosticsArgs, location="query")
@blp.doc(summary="Every finding of a publication; ?format=csv for a spreadsheet",
         responses={"200": {"description": "OK", "content": {
             "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/PublicationDiagnosticOut"}}},
             "text/csv": {"schema": {"type": "string"}}}}})
@blp.response(200, PublicationDiagnosticOut(many=True))
def diagnostics(args: dict[str, Any], publication_id: int) -> Any:
    _publication(publication_id)
    if args["format"] == "json":
        return list(PublicationRepo(session()).diagnostics(publication_id, args["severity"]))
    return Response(stream_with_context(diagnostics_csv(publication_id, args["severity"])), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="publication-{publication_id}-diagnostics.csv"'})


def diagnostics_csv(publication_id: int, severity: str | None) -> Iterator[str]:
    """A publication's findings as CSV lines; also served by the UI.

    Streamed after the view returns, so it reads through a session of its own."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(DIAGNOSTIC_COLUMNS)
    with hub().sessions() as own:
        for row in PublicationRepo(own).diagnostics(publication_id, severity):
            # Cells a spreadsheet would run as formulas are neutralised with a leading quote.
            writer.writerow([_cell(getattr(row, column)) for column in DIAGNOSTIC_COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def plain(value: Any) -> Any:
    """An item's fields as JSON: decimals as strings, times in ISO 8601, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


@blp.route("/products/<sku>/preview/<channel>", methods=["GET"], endpoint="preview")
@require("viewer")
@blp.response(200, PreviewOut)
@blp.doc(summary="The product exactly as the channel's adapter renders it, with every finding")
def preview(sku: str, channel: str) -> Any:
    the_hub = hub()
    product = ProductService(session(), catalog(), current_actor().name).get(sku)
    found = ChannelService(session(), catalog()).get(channel)
    renderer = ChannelRenderer(session(), the_hub.adapters, the_hub.settings, found, datetime.now(timezone.utc))
    (item,) = renderer.render([product])
    return {"channel": found.code, "adapter": found.adapter, "excluded": item.excluded, "item": plain(item.fields),
            "diagnostics": [d.as_dict() | {"sku": d.sku or sku} for d in item.diagnostics]}
