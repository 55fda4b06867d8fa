"""Completeness: the share of a channel's required attributes a product fills, per locale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from hub.services.inheritance import effective_values
from hub.services.values import is_empty, pick
from hub.store.models import Channel, Family, Product


@dataclass(frozen=True)
class Completeness:
    channel: str
    locale: str
    ratio: float
    required: int
    missing: list[str]


def has_value(values: dict[str, list[dict[str, Any]]], code: str, channel: str, locale: str) -> bool:
    """Whether the channel would get a value of attribute ``code``: the same precedence as the resolved view."""
    return not missing_of(values, [code], channel, locale)


def requirements(family: Family, channel: Channel) -> list[str]:
    """The codes of the attributes the family requires on the channel, sorted (as ``missing`` is):
    plain strings, because the bulk path asks eight channels for every product it writes."""
    return sorted(r.attribute.code for r in family.requirements if r.channel_id == channel.id)


def completeness(product: Product, channels: Iterable[Channel]) -> list[Completeness]:
    """One result per channel (in that channel's locale), counting inherited values as filled."""
    return of_values(effective_values(product), product.family, channels)


def of_values(values: dict[str, list[dict[str, Any]]], family: Family, channels: Iterable[Channel],
              required_on: Callable[[Family, Channel], list[str]] | None = None) -> list[Completeness]:
    """Completeness of values after inheritance (a stored product's or a resolved document's).
    ``required_on`` answers a family's required attributes on a channel, where a caller keeps them."""
    results = []
    for channel in channels:
        required = required_on(family, channel) if required_on else requirements(family, channel)
        missing = missing_of(values, required, channel.code, channel.locale)
        results.append(Completeness(channel.code, channel.locale, ratio_of(len(required), len(missing)), len(required), missing))
    return results


def missing_of(values: dict[str, list[dict[str, Any]]], required: list[str], channel: str, locale: str) -> list[str]:
    """The ``required`` codes the channel would get no value for, in their order."""
    return [code for code in required if is_empty(pick(values.get(code, ()), locale, channel))]


def ratio_of(required: int, missing: int) -> float:
    return 1.0 if not required else round((required - missing) / required, 4)
