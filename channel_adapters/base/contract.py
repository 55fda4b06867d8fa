"""The adapter contract: what a channel adapter declares and the three things it does.

An adapter turns resolved product views into channel items (with diagnostics), and writes
items to the files of its format. It is pure: no database, no network, no clock of its own
(``RenderContext.now`` is the time), and no file system beyond the streams it is handed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, ClassVar, Iterable, Iterator, Mapping, Protocol, runtime_checkable

from marshmallow import Schema

from channel_adapters.base.diagnostics import Diagnostic, Severity
from channel_adapters.base.view import ProductView


@dataclass(frozen=True)
class StoreInfo:
    """A store location, for adapters that render per store (local inventory, shelf labels)."""

    code: str
    name: str
    country: str
    address: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderContext:
    channel: str
    locale: str
    currency: str
    country: str
    now: datetime
    settings: Mapping[str, Any]  # the channel's adapter settings, loaded by the adapter's settings_schema
    media_url: str  # absolute URL prefix of product images, ending with "/"
    field_overrides: Mapping[str, Any] = field(default_factory=dict)
    stores: tuple[StoreInfo, ...] = ()

    def image_url(self, path: str) -> str:
        return self.media_url + path


@dataclass(frozen=True)
class FieldSpec:
    """One field of the channel's format and the channel's published rule for it."""

    name: str
    required: bool = False
    max_length: int | None = None
    allowed: tuple[str, ...] | None = None
    description: str = ""


@dataclass(frozen=True)
class OutputFile:
    name: str
    content_type: str
    description: str = ""


@dataclass(frozen=True)
class Item:
    """One product rendered for one channel: its fields in the channel's names, and findings."""

    key: str  # the product's SKU
    fields: Mapping[str, Any]
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def excluded(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


class Outputs(Protocol):
    """Where ``write`` puts bytes: the pipeline hands out one stream per declared file."""

    def open(self, name: str) -> BinaryIO: ...


class InvalidOutput(Exception):
    """A rendered file breaks its format's schema; the pipeline then publishes nothing."""


@runtime_checkable
class ChannelAdapter(Protocol):
    name: ClassVar[str]
    title: ClassVar[str]
    settings_schema: ClassVar[type[Schema]]
    fields: ClassVar[tuple[FieldSpec, ...]]

    def files(self, ctx: RenderContext) -> list[OutputFile]:
        """The files one publication writes (per-store adapters name one per store)."""
        ...

    def items(self, views: Iterable[ProductView], ctx: RenderContext) -> Iterator[Item]:
        """One item per view, in order, each with its diagnostics; errors exclude the item."""
        ...

    def write(self, items: Iterable[Item], outputs: Outputs, ctx: RenderContext) -> None:
        """Stream the items that are not excluded into the files; never hold them all."""
        ...

    def validate(self, name: str, stream: BinaryIO, ctx: RenderContext) -> None:
        """Check a written file against its format's schema; raises InvalidOutput."""
        ...
