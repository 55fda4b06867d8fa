"""Google Merchant Center product feed: RSS 2.0 with the ``g:`` namespace, and the same as TSV.

Field names, limits and allowed values follow Google's product data specification.
"""

from __future__ import annotations

import io
from xml.parsers import expat
from typing import Any, BinaryIO, ClassVar, Iterable, Iterator, Mapping

from marshmallow import Schema, fields, validate

from channel_adapters.base import (
    Diagnostic, FieldSpec, InvalidOutput, Item, OutputFile, Outputs, ProductView, RenderContext, Severity,
    check_fields, gtin_problem, present, truncate,
)
from channel_adapters.base.chunks import plain_cells, read_rows, row_formatter, write_chunked, xml_clean, xml_escape, xml_text
from channel_adapters.base.formats import apply_overrides, price_text, sale_fields

G = "http://base.google.com/ns/1.0"
APPAREL = "Apparel & Accessories"

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", required=True, max_length=50),
    FieldSpec("title", required=True, max_length=150),
    FieldSpec("description", required=True, max_length=5000),
    FieldSpec("link", required=True, max_length=2000),
    FieldSpec("image_link", required=True, max_length=2000),
    FieldSpec("additional_image_link", max_length=2000),
    FieldSpec("availability", required=True, allowed=("in_stock", "out_of_stock", "preorder", "backorder")),
    FieldSpec("price", required=True),
    FieldSpec("sale_price"),
    FieldSpec("sale_price_effective_date"),
    FieldSpec("brand", max_length=70),
    FieldSpec("gtin", max_length=50),
    FieldSpec("mpn", max_length=70),
    FieldSpec("identifier_exists", allowed=("yes", "no")),
    FieldSpec("condition", required=True, allowed=("new", "refurbished", "used")),
    FieldSpec("google_product_category"),
    FieldSpec("product_type", max_length=750),
    FieldSpec("item_group_id", max_length=50),
    FieldSpec("color", max_length=100),
    FieldSpec("size", max_length=100),
    FieldSpec("gender", allowed=("male", "female", "unisex")),
    FieldSpec("age_group", allowed=("newborn", "infant", "toddler", "kids", "adult")),
    FieldSpec("shipping"),
)
COLUMNS = [spec.name for spec in FIELDS]
APPAREL_FIELDS = ("color", "size", "gender", "age_group")
_TSV = row_formatter("\t")
_TAGS = [(name, f"<g:{name}>", f"</g:{name}>") for name in COLUMNS]


class ShippingIn(Schema):
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$"))
    region = fields.String(load_default="")
    service = fields.String(load_default="Standard")
    price = fields.String(required=True, validate=validate.Regexp(r"^\d+(\.\d{1,2})? [A-Z]{3}$"))


class GoogleMerchantSettings(Schema):
    condition = fields.String(load_default="new", validate=validate.OneOf(["new", "refurbished", "used"]))
    feed_title = fields.String(load_default="Crosscanal product feed")
    shop_link = fields.Url(load_default="https://shop.example.com/")
    shipping = fields.List(fields.Nested(ShippingIn), load_default=list)


def check_rss(stream: BinaryIO) -> None:
    """The RSS is well formed and every item has a g:id and a g:price; raises InvalidOutput.

    Expat checks the form with no handler per element (a Python call per element was most of
    the check's time); the items are then found in the bytes, which well-formedness makes
    exact: outside comments and CDATA sections, which this feed never writes and the check
    refuses, a ``<`` in text is escaped, so ``<item>`` and ``</item>`` are tags. Expat keeps
    nothing it parses (libxml2's string dictionary grew a tree-less lxml pass to 113 MiB on a
    100,000-item feed). Our output carries no DTD; one, or an entity, is refused rather than
    expanded.
    """
    def refuse(*_args: Any) -> None:
        raise InvalidOutput("products.xml declares a DTD or an entity")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    items, rest = 0, b""
    try:
        while chunk := stream.read(1 << 16):
            parser.Parse(chunk, False)
            data = rest + chunk
            if b"<!" in data:
                raise InvalidOutput("products.xml holds a comment or a CDATA section, which the feed never writes")
            *complete, rest = data.split(b"</item>")
            for item in complete:
                items += 1
                item = item[item.rfind(b"<item>"):]
                if not (_has(item, b"<g:id") and _has(item, b"<g:price")):
                    raise InvalidOutput(f"item {items} has no g:id or g:price")
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise InvalidOutput(f"products.xml is not well-formed: {exc}") from exc
    if b"<item>" in rest:
        raise InvalidOutput(f"item {items + 1} is not closed")


def _has(item: bytes, opening: bytes) -> bool:
    """Whether the item's markup holds an element opened by ``opening`` (``<g:id``, not ``<g:identifier_exists``)."""
    return opening + b">" in item or opening + b" " in item or opening + b"/" in item


def shipping_text(rule: dict[str, str]) -> str:
    return f"{rule['country']}:{rule.get('region', '')}:{rule.get('service', '')}:{rule['price']}"


class GoogleMerchantAdapter:
    name: ClassVar[str] = "google_merchant"
    title: ClassVar[str] = "Google Merchant Center product feed"
    settings_schema: ClassVar[type[Schema]] = GoogleMerchantSettings
    fields: ClassVar[tuple[FieldSpec, ...]] = FIELDS

    def files(self, ctx: RenderContext) -> list[OutputFile]:
        return [OutputFile("products.xml", "application/rss+xml", "RSS 2.0 feed"),
                OutputFile("products.tsv", "text/tab-separated-values", "the same items as TSV")]

    def items(self, views: Iterable[ProductView], ctx: RenderContext) -> Iterator[Item]:
        for view in views:
            yield self.item(view, ctx)

    def item(self, view: ProductView, ctx: RenderContext) -> Item:
        labels, diagnostics = view.labels, []
        images = [ctx.image_url(m.path) for m in view.media]
        main = next((url for url, m in zip(images, view.media) if m.role == "main"), None) or (
            ctx.image_url(view.values["main_image"]) if view.values.get("main_image") else None)
        description = view.labels.get("description")
        if description and len(description) > 5000:
            diagnostics.append(Diagnostic(Severity.WARNING, "truncated", "description is longer than 5000 characters; it was cut",
                                          "description", "shorten description", view.sku))
            description = truncate(description, 5000)
        gtin = view.values.get("ean")
        if gtin and gtin_problem(gtin):
            diagnostics.append(Diagnostic(Severity.ERROR, "invalid_gtin", f"gtin {gtin}: {gtin_problem(gtin)}", "ean",
                                          "correct the GTIN", view.sku))
            gtin = None
        values: dict[str, Any] = {
            "id": view.sku,
            "title": view.title or labels.get("name"),
            "description": description,
            "link": view.values.get("product_url"),
            "image_link": main,
            "additional_image_link": [url for url in images if url != main][:10],
            "availability": view.availability,
            "brand": labels.get("brand"),
            "gtin": gtin,
            "mpn": labels.get("mpn"),
            "condition": ctx.settings.get("condition", "new"),
            "google_product_category": view.mapped_category,
            "product_type": " > ".join(view.categories[0].path) if view.categories else None,
            "item_group_id": view.group,
            "color": labels.get("color"),
            "size": labels.get("size"),
            "gender": view.values.get("gender"),
            "age_group": view.values.get("age_group"),
            "shipping": [shipping_text(rule) for rule in ctx.settings.get("shipping", [])],
        }
        values["identifier_exists"] = "yes" if values["gtin"] or (values["mpn"] and values["brand"]) else "no"
        if view.offer is not None:
            values["price"] = price_text(view.offer.price, view.offer.currency)
            sale, notes = sale_fields(view.offer, view.sku)
            values.update(sale)
            diagnostics += notes
        else:
            diagnostics.append(Diagnostic(Severity.ERROR, "missing_price", f"no price in {ctx.currency}", "offers",
                                          f"add an offer in {ctx.currency}", view.sku))
        values = apply_overrides(values, ctx.field_overrides, labels)
        diagnostics += check_fields(view.sku, values, FIELDS)
        if (values.get("google_product_category") or "").startswith(APPAREL):
            for name in APPAREL_FIELDS:
                if not values.get(name):
                    diagnostics.append(Diagnostic(Severity.ERROR, "apparel_attribute_missing",
                                                  f"apparel needs {name} on Google Shopping", name, f"fill {name}", view.sku))
        if not values.get("gtin"):
            diagnostics.append(Diagnostic(Severity.WARNING, "gtin_missing", "no GTIN: the product shows in fewer places",
                                          "ean", "add the GTIN from the packaging", view.sku))
        if not values.get("google_product_category"):
            diagnostics.append(Diagnostic(Severity.WARNING, "category_unmapped", "no Google product category",
                                          "categories", "map the product's category in the channel's category map", view.sku))
        return Item(view.sku, present(values), tuple(diagnostics))

    def write(self, items: Iterable[Item], outputs: Outputs, ctx: RenderContext) -> None:
        write_chunked(self, items, outputs, ctx)

    def head(self, ctx: RenderContext) -> dict[str, bytes]:
        about = "".join(f"<{tag}>{xml_text(text)}</{tag}>" for tag, text in (
            ("title", ctx.settings.get("feed_title", "Crosscanal product feed")),
            ("link", ctx.settings.get("shop_link", "https://shop.example.com/")),
            ("description", f"Products for {ctx.channel}")))
        return {"products.xml": f"<?xml version='1.0' encoding='utf-8'?>\n<rss xmlns:g=\"{G}\" version=\"2.0\"><channel>{about}".encode(),
                "products.tsv": _TSV.row(COLUMNS).encode()}

    def chunk(self, item: Item, ctx: RenderContext) -> dict[str, bytes]:
        fields, cells, tags, texts = item.fields, [], [], []
        for name, opening, closing in _TAGS:  # one pass for both files: this runs once per item
            value = fields.get(name)
            if value is None:
                cells.append("")
            elif type(value) is list:
                singles = [single if type(single) is str else str(single) for single in value]
                tags += [(opening, closing)] * len(singles)
                texts += singles
                cells.append(",".join(singles))
            else:
                text = value if type(value) is str else str(value)
                tags.append((opening, closing))
                texts.append(text)
                cells.append(text)
        if not plain_cells(cells):
            return self._escaped(fields)
        # Most items: nothing to squeeze or quote, and the XML escapes done on all texts at once.
        joined = "\0".join(texts)  # no text holds a NUL: plain_cells saw every character printable
        if "&" in joined or "<" in joined or ">" in joined:
            texts = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split("\0")
        xml = "".join([f"{opening}{text}{closing}" for (opening, closing), text in zip(tags, texts)])
        return {"products.xml": f"<item>{xml}</item>".encode(), "products.tsv": _TSV.row(cells).encode()}

    def _escaped(self, fields: Mapping[str, Any]) -> dict[str, bytes]:
        """An item's chunks with its text escaped for XML, squeezed and quoted for TSV."""
        xml, cells = ["<item>"], []
        for name, opening, closing in _TAGS:
            value = fields.get(name)
            if value is None:
                cells.append("")
            elif type(value) is list:
                xml += [f"{opening}{xml_escape(single)}{closing}" for single in value]
                cells.append(",".join(map(str, value)))
            else:
                xml.append(f"{opening}{xml_escape(value)}{closing}")
                cells.append(self._cell(value))
        xml.append("</item>")
        return {"products.xml": xml_clean("".join(xml)).encode(), "products.tsv": _TSV.row(cells).encode()}

    def tail(self, ctx: RenderContext) -> dict[str, bytes]:
        return {"products.xml": b"</channel></rss>", "products.tsv": b""}

    @staticmethod
    def _cell(value: Any) -> str:
        """A single value as a TSV cell."""
        text = str(value)
        if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
            return text  # nothing to squeeze: most cells
        return " ".join(text.split())  # TSV cells hold no tabs or line breaks

    def validate(self, name: str, stream: BinaryIO, ctx: RenderContext) -> None:
        if name.endswith(".xml"):
            check_rss(stream)
        else:
            for _row in read_rows(io.TextIOWrapper(stream, encoding="utf-8", newline=""), "products.tsv", COLUMNS, "\t"):
                pass  # read_rows checks the header and each row's cells
