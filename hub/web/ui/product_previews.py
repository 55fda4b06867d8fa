"""The product page's channel previews: each channel's item drawn as the channel shows it.

The product page only lays out one placeholder per channel (``preview_slots``), so it answers fast
however many channels there are; ``previews.js`` then fills each from ``preview``, which renders
the one channel through ``ChannelRenderer``, the code publications use, and answers an HTML
fragment (or, opened as a link without JavaScript, a page). ``preview_file`` serves the files
the adapter's own writer makes for this product alone: the shelf label's PDF, the ESL payload...
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, Callable, Mapping

from flask import Blueprint, Response, make_response, render_template, request, url_for

from channel_adapters.base import InvalidOutput, Item, OutputFile
from hub.errors import HubError, NotFound
from hub.publishing.render import ChannelError, ChannelRenderer
from hub.services import product_index
from hub.services.catalog import ChannelService
from hub.services.products import ProductService
from hub.store.models import Channel, Product
from hub.web.api.publications import plain
from hub.web.hub import catalog, hub, session
from hub.web.ui.access import current_user
from hub.web.ui.preview_display import preview_host, preview_text, sale_of, shown_image
from hub.web.ui.preview_files import draft, record_text, written
from hub.web.ui.preview_label import LabelDrawing, label_drawings

# How each adapter's items look where they end up; an adapter not listed shows its fields.
KINDS: Mapping[str, str] = MappingProxyType({
    "google_merchant": "feed", "google_local_inventory": "local", "meta_catalog": "social", "pinterest": "social",
    "tiktok": "social", "shelf_labels": "label", "esl": "esl", "bmecat": "marketplace",
})
KIND_TITLES: Mapping[str, str] = MappingProxyType({
    "feed": "Shopping result", "local": "In-store availability", "social": "Social post", "label": "Shelf label",
    "esl": "Electronic shelf label", "marketplace": "Marketplace record", "fields": "Item",
})
# The scripts ask for a fragment with this header; a plain link (no JavaScript) gets a page.
FRAGMENT_HEADER, FRAGMENT_VALUE = "X-Requested-With", "crosscanal-preview"


@dataclass(frozen=True)
class Slot:
    """One channel's placeholder on the product page."""

    channel: str
    adapter: str
    locale: str
    kind: str
    url: str


@dataclass(frozen=True)
class FileLink:
    name: str
    description: str
    content_type: str
    url: str


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/products/<sku>/previews/<channel>", "product_preview", preview)
    blp.add_url_rule("/products/<sku>/previews/<channel>/<filename>", "product_preview_file", preview_file)
    blp.context_processor(template_context)
    blp.add_app_template_filter(preview_text, "preview_text")
    blp.add_app_template_filter(preview_host, "preview_host")


def template_context() -> dict[str, Callable[..., Any]]:
    """``preview_slots`` for the product page's partial: a function, so only that page pays for it."""
    return {"preview_slots": preview_slots}


def preview_slots(product: Product) -> list[Slot]:
    """A placeholder per channel, from the request's cached catalog: no rendering here."""
    return [Slot(c.code, c.adapter, c.locale, KINDS.get(c.adapter, "fields"),
                 url_for("ui.product_preview", sku=product.sku, channel=c.code))
            for c in sorted(catalog().channels.values(), key=lambda c: c.code)]


def _product_and_channel(sku: str, code: str) -> tuple[Product, Channel]:
    """Both, through the services the API uses; raises NotFound for either."""
    product = ProductService(session(), catalog(), f"user:{current_user().email}").get(sku)
    return product, ChannelService(session(), catalog()).get(code)


def carries(channel: Channel, product: Product) -> bool:
    """Whether the channel's filter takes the product (the rule the product index keeps, tested
    equal to the selection query publications use)."""
    return product_index.carries(catalog().selection(channel), product)


def now() -> datetime:
    """The render time: a preview is the item as a publication started now would render it."""
    return datetime.now(timezone.utc)


def _rendered(product: Product, channel: Channel) -> tuple[ChannelRenderer, Item]:
    """The item exactly as the next publication renders it; raises HubError for a channel that cannot render."""
    the_hub = hub()
    renderer = ChannelRenderer(session(), the_hub.adapters, the_hub.settings, channel, now())
    (item,) = renderer.render([product])
    return renderer, item


def _file_links(product: Product, channel: Channel, files: list[OutputFile]) -> list[FileLink]:
    return [FileLink(f.name, f.description, f.content_type,
                     url_for("ui.product_preview_file", sku=product.sku, channel=channel.code, filename=f.name))
            for f in files]


def _records(renderer: ChannelRenderer, item: Item) -> dict[str, Any]:
    """Each written file's text for this product. For an excluded item the real file leaves it
    out, so the record shown is a draft of what it would carry once the errors are fixed."""
    adapter, ctx = renderer.adapter, renderer.ctx
    try:
        files = draft(adapter, item, ctx) if item.excluded else written(adapter, item, ctx)
    except InvalidOutput as exc:  # the channel itself cannot be written: a publication would fail too
        return {"records": [], "draft": False, "write_error": str(exc)}
    records = []
    for name, data in (files or {}).items():
        text = record_text(name, data)
        if text is not None:
            records.append((name, text))
    return {"records": records, "draft": item.excluded, "write_error": None}


def _first_store(names: list[str], labels: list[LabelDrawing]) -> str | None:
    """Of files named per store, that of the first store with a label, else the first file."""
    first_store = labels[0].stores[0] if labels else None
    return next((name for name in names if first_store and first_store in name), names[0] if names else None)


def _sheet(files: list[FileLink], labels: list[LabelDrawing]) -> FileLink | None:
    """The printed sheet to show: the PDF of the first store with a label."""
    pdfs = {f.name: f for f in files if f.content_type == "application/pdf"}
    chosen = _first_store(list(pdfs), labels)
    return pdfs[chosen] if chosen else None


def _context(product: Product, channel: Channel) -> dict[str, Any]:
    kind = KINDS.get(channel.adapter, "fields")
    context: dict[str, Any] = {"product": product, "channel": channel, "kind": kind, "kind_title": KIND_TITLES[kind],
                               "shown_image": shown_image, "sale_of": sale_of}
    try:
        renderer, item = _rendered(product, channel)
        fields = plain(dict(item.fields))
        context.update(item=item, fields=fields, now=renderer.now, sale=sale_of(fields, renderer.now),
                       carried=carries(channel, product), channel_filter=channel.filter or {},
                       diagnostics=[d.as_dict() for d in item.diagnostics], excluded=item.excluded,
                       files=_file_links(product, channel, renderer.adapter.files(renderer.ctx)))
        if kind in ("label", "esl"):
            context["labels"] = label_drawings(item, renderer.ctx)
            context["sheet"] = _sheet(context["files"], context["labels"])
        if kind != "label":  # a label's file is a PDF: the browser shows it, not a text
            context.update(_records(renderer, item))
        if kind == "esl":  # one payload per store, alike but for the header: the first store's says it
            shown = _first_store([name for name, _ in context["records"]], context["labels"])
            context["records"] = [(name, text) for name, text in context["records"] if name == shown]
    except HubError as exc:  # the channel cannot render as configured: say why in its card
        context["error"] = exc.detail
    return context


def preview(sku: str, channel: str) -> Response:
    """One channel's preview: a fragment for the product page's script, else a page of its own."""
    found_product, found_channel = _product_and_channel(sku, channel)
    fragment = request.headers.get(FRAGMENT_HEADER) == FRAGMENT_VALUE
    template = "ui/preview_fragment.html" if fragment else "ui/preview_page.html"
    response = make_response(render_template(template, standalone=not fragment, **_context(found_product, found_channel)))
    response.vary.add(FRAGMENT_HEADER)
    response.headers["Cache-Control"] = "no-store"  # the product or channel may change any moment
    return response


def preview_file(sku: str, channel: str, filename: str) -> Response:
    """A file the channel would receive for this product alone, as its adapter writes it; raises
    NotFound for a file the adapter does not declare or does not write for this product."""
    found_product, found_channel = _product_and_channel(sku, channel)
    renderer, item = _rendered(found_product, found_channel)
    declared = {f.name: f for f in renderer.adapter.files(renderer.ctx)}
    if filename not in declared:
        raise NotFound(f"channel '{channel}' writes no file named '{filename}'")
    try:
        data = written(renderer.adapter, item, renderer.ctx).get(filename)
    except InvalidOutput as exc:
        raise ChannelError(str(exc)) from exc
    if data is None:
        raise NotFound(f"channel '{channel}' wrote no '{filename}' for product '{sku}'")
    response = Response(data, mimetype=declared[filename].content_type)
    response.headers.set("Content-Disposition", "inline", filename=f"{sku}-{filename}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
