"""The files a channel would receive for one product, written in memory by the adapter's own writer.

A preview shows the bytes the publication writes (the shelf label's PDF, the ESL payload, the
BMEcat record), so it can never drift from what goes out: ``adapter.write`` is called with the one
item, into buffers instead of the pipeline's temporary folder.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import replace
from typing import BinaryIO

from lxml import etree

from channel_adapters.base import ChannelAdapter, InvalidOutput, Item, RenderContext, Severity

logger = logging.getLogger(__name__)


class KeptBuffer(io.BytesIO):
    """A buffer that keeps its bytes when a writer closes it, as some XML writers do."""

    kept: bytes = b""

    def close(self) -> None:
        if not self.closed:
            self.kept = self.getvalue()
        super().close()

    def content(self) -> bytes:
        return self.kept if self.closed else self.getvalue()


class MemoryOutputs:
    """The ``Outputs`` the pipeline hands an adapter, holding each declared file in memory."""

    def __init__(self, allowed: set[str]) -> None:
        self.allowed = allowed
        self.buffers: dict[str, KeptBuffer] = {}

    def open(self, name: str) -> BinaryIO:
        if name not in self.allowed or name in self.buffers:
            raise InvalidOutput(f"the adapter opened '{name}', which it did not declare (or opened it twice)")
        self.buffers[name] = KeptBuffer()
        return self.buffers[name]


def written(adapter: ChannelAdapter, item: Item, ctx: RenderContext) -> dict[str, bytes]:
    """Each file as the publication would write it if this product were the channel's only one.

    Raises InvalidOutput when the adapter refuses the channel itself (as a publication would fail).
    An excluded item is left out by the writer, exactly as it is when publishing.
    """
    outputs = MemoryOutputs({f.name for f in adapter.files(ctx)})
    adapter.write([item], outputs, ctx)
    return {name: buffer.content() for name, buffer in outputs.buffers.items()}


def draft(adapter: ChannelAdapter, item: Item, ctx: RenderContext) -> dict[str, bytes] | None:
    """What the files would carry once the item's errors are fixed: the item written without them.

    For an excluded item the merchandiser still wants to see the record it makes. Its data may
    lack what the writer needs (a label without a name), so a writer that trips over it means
    "no draft", not a broken page; the reason is logged.
    """
    kept = tuple(d for d in item.diagnostics if d.severity is not Severity.ERROR)
    try:
        return written(adapter, replace(item, diagnostics=kept), ctx)
    except (InvalidOutput, KeyError, TypeError, ValueError, AttributeError) as exc:
        logger.info("no draft of an excluded item: %s", exc, extra={"sku": item.key, "channel": ctx.channel})
        return None


# The element that holds one product in each XML format we write: an RSS item, a BMEcat PRODUCT.
RECORD_TAGS = ("item", "{*}PRODUCT")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")


def record_text(name: str, data: bytes) -> str | None:
    """A written file as a person reads it: the product's XML element indented, JSON indented,
    CSV/TSV as is; None for a binary file (the PDF, shown by the browser instead). A file that
    does not parse as its name says is shown as written: the preview must show it, not hide it."""
    try:
        if name.endswith(".xml"):
            parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
            root = etree.fromstring(data, parser)
            records = [element for tag in RECORD_TAGS for element in root.iter(tag)] or [root]
            return "".join(etree.tostring(element, pretty_print=True, encoding="unicode") for element in records)
        if name.endswith(".json"):
            return json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    except (etree.XMLSyntaxError, ValueError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return data.decode("utf-8", errors="replace")
    if name.endswith(TEXT_SUFFIXES):
        return data.decode("utf-8", errors="replace")
    return None
