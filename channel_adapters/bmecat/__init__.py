"""BMEcat 2005 catalog for marketplaces: one ``catalog.xml`` holding a T_NEW_CATALOG transaction.

BMEcat is the XML catalog exchange standard European B2B marketplaces and procurement
platforms take. The official XSD is bundled in ``xsd/`` and is the authority: item checks
mirror its limits, each product is validated against it before it is accepted, and the whole
written document is validated against it as a stream.

Modules: ``product`` turns a view into an item, ``document`` writes the XML, ``schema`` holds
the XSD, ``codes`` the code lists our data maps onto, ``settings`` the channel's settings.
"""

from __future__ import annotations

from typing import Any, BinaryIO, ClassVar, Iterable, Iterator

from marshmallow import Schema

from channel_adapters.base import FieldSpec, InvalidOutput, Item, OutputFile, Outputs, ProductView, RenderContext
from channel_adapters.base.chunks import write_chunked
from channel_adapters.bmecat.document import CATALOG_TAIL, catalog_head, header_element, product_bytes
from channel_adapters.bmecat.product import FIELDS, product_item
from channel_adapters.bmecat.schema import NS, Validators, validate_document
from channel_adapters.bmecat.settings import BmecatSettings

CATALOG_FILE = "catalog.xml"

__all__ = ["BmecatAdapter", "BmecatSettings", "CATALOG_FILE", "FIELDS", "NS"]


def channel_settings(ctx: RenderContext) -> dict[str, Any]:
    """The channel's settings over the schema's defaults, so a context built before a new setting existed still renders."""
    return {**BmecatSettings().load({}), **ctx.settings}


class BmecatAdapter:
    """Renders a channel as a BMEcat 2005 T_NEW_CATALOG, the catalog a marketplace replaces its own with."""

    name: ClassVar[str] = "bmecat"
    title: ClassVar[str] = "BMEcat 2005 catalog (marketplaces)"
    settings_schema: ClassVar[type[Schema]] = BmecatSettings
    fields: ClassVar[tuple[FieldSpec, ...]] = FIELDS

    def __init__(self) -> None:
        self._validators = Validators()

    def files(self, ctx: RenderContext) -> list[OutputFile]:
        return [OutputFile(CATALOG_FILE, "application/xml", "BMEcat 2005 catalog, T_NEW_CATALOG transaction")]

    def items(self, views: Iterable[ProductView], ctx: RenderContext) -> Iterator[Item]:
        """One item per view, in order; an item the XSD would refuse carries an error and is excluded."""
        settings = channel_settings(ctx)
        check = self._validators.product_check()
        for view in views:
            yield product_item(view, ctx, settings, check)

    def write(self, items: Iterable[Item], outputs: Outputs, ctx: RenderContext) -> None:
        """Stream the catalog; raises InvalidOutput, before writing, for a channel BMEcat 2005 cannot express."""
        write_chunked(self, items, outputs, ctx)

    def head(self, ctx: RenderContext) -> dict[str, bytes]:
        """Raises InvalidOutput for a channel BMEcat 2005 cannot express, before any product renders."""
        return {CATALOG_FILE: catalog_head(header_element(ctx, channel_settings(ctx)))}

    def chunk(self, item: Item, ctx: RenderContext) -> dict[str, bytes]:
        return {CATALOG_FILE: product_bytes(item.fields)}

    def tail(self, ctx: RenderContext) -> dict[str, bytes]:
        return {CATALOG_FILE: CATALOG_TAIL}

    def validate(self, name: str, stream: BinaryIO, ctx: RenderContext) -> None:
        """Validate the whole document against the official XSD, streaming; raises InvalidOutput."""
        if name != CATALOG_FILE:
            raise InvalidOutput(f"the bmecat adapter writes {CATALOG_FILE}, not {name}")
        validate_document(stream, name, self._validators.schema())
