"""Finding adapters: the entry-point group ``crosscanal.channel_adapters``, checked on loading."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint, entry_points
from typing import Iterable, Iterator

from channel_adapters.base.contract import ChannelAdapter

logger = logging.getLogger(__name__)
GROUP = "crosscanal.channel_adapters"
REQUIRED = ("name", "title", "settings_schema", "fields", "files", "items", "write", "validate")


class AdapterError(Exception):
    """An adapter package does not keep the contract, or names an adapter already taken."""


class AdapterRegistry:
    """The adapters this hub can publish with, by name."""

    def __init__(self, adapters: Iterable[ChannelAdapter] = ()) -> None:
        self._adapters: dict[str, ChannelAdapter] = {}
        for adapter in adapters:
            self.add(adapter)

    def add(self, adapter: ChannelAdapter) -> None:
        missing = [name for name in REQUIRED if not hasattr(adapter, name)]
        if missing:
            raise AdapterError(f"{type(adapter).__name__} lacks {', '.join(missing)} of the adapter contract")
        if adapter.name in self._adapters:
            raise AdapterError(f"two adapters are named '{adapter.name}'")
        self._adapters[adapter.name] = adapter

    def get(self, name: str) -> ChannelAdapter | None:
        return self._adapters.get(name)

    def names(self) -> list[str]:
        return sorted(self._adapters)

    def __iter__(self) -> Iterator[ChannelAdapter]:
        return iter(self._adapters[name] for name in self.names())

    def __contains__(self, name: object) -> bool:
        return name in self._adapters


def load_adapters(disabled: Iterable[str] = (), points: Iterable[EntryPoint] | None = None) -> AdapterRegistry:
    """Load every adapter of the entry-point group but the disabled ones; raises AdapterError."""
    skip = set(disabled)
    registry = AdapterRegistry()
    for point in points if points is not None else entry_points(group=GROUP):
        if point.name in skip:
            logger.info("adapter %s disabled by CROSSCANAL_DISABLED_ADAPTERS", point.name)
            continue
        adapter = point.load()()
        if adapter.name != point.name:
            raise AdapterError(f"entry point '{point.name}' loads an adapter named '{adapter.name}'")
        registry.add(adapter)
    return registry
