"""ACME marketplace: a CSV of SKU, title and price. A third party's adapter, built only on
``channel_adapters.base``; its settings can make it slow or make it fail, for the tests."""

from __future__ import annotations

import csv
import io
import time
from typing import BinaryIO, ClassVar, Iterable, Iterator

from marshmallow import Schema, fields

from channel_adapters.base import (
    Diagnostic, FieldSpec, InvalidOutput, Item, OutputFile, Outputs, ProductView, RenderContext, Severity,
)


class AcmeSettings(Schema):
    fail_after = fields.Integer(load_default=None, allow_none=True)  # raise after writing this many items
    delay = fields.Float(load_default=0.0)  # seconds to wait per written item


class AcmeAdapter:
    name: ClassVar[str] = "acme"
    title: ClassVar[str] = "ACME marketplace CSV"
    settings_schema: ClassVar[type[Schema]] = AcmeSettings
    fields: ClassVar[tuple[FieldSpec, ...]] = (FieldSpec("sku", required=True), FieldSpec("title", required=True),
                                               FieldSpec("price", required=True))

    def files(self, ctx: RenderContext) -> list[OutputFile]:
        return [OutputFile("acme.csv", "text/csv")]

    def items(self, views: Iterable[ProductView], ctx: RenderContext) -> Iterator[Item]:
        for view in views:
            problems = []
            if view.offer is None:
                problems.append(Diagnostic(Severity.ERROR, "missing_price", "no price", "offers", "add an offer", view.sku))
            title = view.title or view.labels.get("name")
            if not title:
                problems.append(Diagnostic(Severity.ERROR, "missing_title", "no name", "name", "fill name", view.sku))
            price = f"{view.offer.current_price} {view.offer.currency}" if view.offer else None
            yield Item(view.sku, {"sku": view.sku, "title": title, "price": price}, tuple(problems))

    def write(self, items: Iterable[Item], outputs: Outputs, ctx: RenderContext) -> None:
        text = io.TextIOWrapper(outputs.open("acme.csv"), encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(["sku", "title", "price"])
        for count, item in enumerate((i for i in items if not i.excluded), start=1):
            if ctx.settings["fail_after"] is not None and count > ctx.settings["fail_after"]:
                raise RuntimeError("ACME adapter failed on purpose")
            time.sleep(ctx.settings["delay"])
            writer.writerow([item.fields["sku"], item.fields["title"], item.fields["price"]])
            text.flush()
        text.flush()
        text.detach()

    def validate(self, name: str, stream: BinaryIO, ctx: RenderContext) -> None:
        rows = list(csv.reader(io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")))
        if not rows or rows[0] != ["sku", "title", "price"] or any(len(row) != 3 for row in rows):
            raise InvalidOutput("acme.csv is not sku,title,price")


class AcmeChunkedAdapter(AcmeAdapter):
    """The same CSV written in chunks, so the hub shards it; ``delay`` slows each chunk."""

    name: ClassVar[str] = "acme_chunks"
    title: ClassVar[str] = "ACME marketplace CSV (in chunks)"

    def write(self, items: Iterable[Item], outputs: Outputs, ctx: RenderContext) -> None:
        out = outputs.open("acme.csv")
        out.write(self.head(ctx)["acme.csv"])
        for item in items:
            if not item.excluded:
                out.write(self.chunk(item, ctx)["acme.csv"])

    def head(self, ctx: RenderContext) -> dict[str, bytes]:
        return {"acme.csv": b"sku,title,price\r\n"}

    def chunk(self, item: Item, ctx: RenderContext) -> dict[str, bytes]:
        time.sleep(ctx.settings["delay"])
        line = io.StringIO()
        csv.writer(line).writerow([item.fields["sku"], item.fields["title"], item.fields["price"]])
        return {"acme.csv": line.getvalue().encode()}

    def tail(self, ctx: RenderContext) -> dict[str, bytes]:
        return {"acme.csv": b""}
