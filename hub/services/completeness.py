"""Completeness: the share of a channel's required attributes a product fills, per locale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from hub.services.inheritance import effective_values
from hub.services.values import is_empty, pick
from hub.store.models import Attribute, Channel, Family, Product


@dataclass(frozen=True)
class Completeness:
    channel: str
    locale: str
    ratio: float
    required: int
    missing: list[str]


def has_value(values: dict[str, list[dict[str, Any]]], attribute: Attribute, channel: str, locale: str) -> bool:
    """Whether the channel would get a value: the same precedence as the resolved view."""
    return not is_empty(pick(values.get(attribute.code, []), locale, channel))


def requirements(family: Family, channel: Channel) -> list[Attribute]:
    return [r.attribute for r in family.requirements if r.channel_id == channel.id]


def completeness(product: Product, channels: Iterable[Channel]) -> list[Completeness]:
    """One result per channel (in that channel's locale), counting inherited values as filled."""
    return of_values(effective_values(product), product.family, channels)


def of_values(values: dict[str, list[dict[str, Any]]], family: Family, channels: Iterable[Channel],
              required_on: Callable[[Family, Channel], list[Attribute]] | None = None) -> list[Completeness]:
    """Completeness of values after inheritance (a stored product's or a resolved document's).
    ``required_on`` answers a family's required attributes on a channel, where a caller keeps them."""
    results = []
    for channel in channels:
        required = required_on(family, channel) if required_on else requirements(family, channel)
        missing = sorted(a.code for a in required if not has_value(values, a, channel.code, channel.locale))
        ratio = 1.0 if not required else round((len(required) - len(missing)) / len(required), 4)
        results.append(Completeness(channel.code, channel.locale, ratio, len(required), missing))
    return results
