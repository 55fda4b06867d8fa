"""Checking and normalizing attribute values against their attribute's type and rules.

Every reason names the attribute, the locale and the channel (scope) it is about, because a
merchandiser fixing a value in one of twenty columns needs to know which one.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from channel_adapters.base.identifiers import gtin_problem
from channel_adapters.base.units import UNITS
from hub.services.context import CatalogContext, Rules

DEFAULT_MAX_LENGTH = {"text": 255, "identifier": 255, "url": 2048, "textarea": 65535, "image": 500}

ValueMap = dict[str, list[dict[str, Any]]]


class ValueRejected(Exception):
    """A value broke a rule; the message is the reason, without the attribute's name."""


def describe(attribute: str, locale: str | None, scope: str | None) -> str:
    where = [f"locale {locale}" if locale else None, f"channel {scope}" if scope else None]
    inside = ", ".join(w for w in where if w)
    return f"{attribute} ({inside})" if inside else attribute


def is_empty(data: Any) -> bool:
    return data is None or data == "" or data == [] or data == {}


def check_values(
    values: ValueMap,
    ctx: CatalogContext,
    allowed: set[str] | None,
    errors: dict[str, list[str]],
    *,
    prefix: str = "values",
    media_paths: set[str] | None = None,
) -> ValueMap:
    """Validate ``values`` and return them normalized; reasons go into ``errors`` by field path.

    ``allowed`` limits attributes to a family's (None: any known attribute). Values whose data is
    empty are dropped, so "no value" has one representation.
    """
    normalized: ValueMap = {}
    locales, channels = ctx.locales, ctx.channels
    for code, entries in values.items():
        rule = ctx.rules.get(code)
        if rule is None:
            errors.setdefault(f"{prefix}.{code}", []).append(f"unknown attribute '{code}'")
            continue
        if allowed is not None and code not in allowed:
            errors.setdefault(f"{prefix}.{code}", []).append(f"attribute '{code}' is not in the product's family")
            continue
        kept: list[dict[str, Any]] = []
        seen: set[tuple[str | None, str | None]] = set()
        for index, entry in enumerate(entries):
            locale, scope = entry.get("locale"), entry.get("scope")
            if ((locale is not None and not (rule.localizable and locale in locales))
                    or (scope is not None and not (rule.scopable and scope in channels))):
                _locale_scope_errors(rule, locale, scope, ctx, f"{prefix}.{code}[{index}]", errors)
                continue
            if (locale, scope) in seen:
                errors.setdefault(f"{prefix}.{code}[{index}]", []).append(f"{describe(code, locale, scope)}: given twice")
                continue
            seen.add((locale, scope))
            if is_empty(entry.get("data")):
                continue
            try:
                data = _NORMALIZERS[rule.type](rule, entry["data"], ctx, media_paths)
            except ValueRejected as exc:
                errors.setdefault(f"{prefix}.{code}[{index}].data", []).append(f"{describe(code, locale, scope)}: {exc}")
                continue
            kept.append({"locale": locale, "scope": scope, "data": data})
        if kept:
            normalized[code] = sorted(kept, key=lambda e: (e["locale"] or "", e["scope"] or "")) if len(kept) > 1 else kept
    return dict(sorted(normalized.items()))


def _locale_scope_errors(
    attribute: Rules, locale: Any, scope: Any, ctx: CatalogContext, path: str, errors: dict[str, list[str]]
) -> None:
    """Why a value's locale or channel does not fit its attribute. A value may be less specific
    than its attribute allows (a fallback for every locale or channel, picked by the resolved
    view's precedence), never more specific."""
    code = attribute.code
    if locale is not None:
        if not attribute.localizable:
            errors.setdefault(f"{path}.locale", []).append(f"{code} is not localizable: locale must be null")
        elif locale not in ctx.locales:
            errors.setdefault(f"{path}.locale", []).append(f"{describe(code, locale, scope)}: unknown locale '{locale}'")
    if scope is not None:
        if not attribute.scopable:
            errors.setdefault(f"{path}.scope", []).append(f"{code} is not scopable: scope must be null")
        elif scope not in ctx.channels:
            errors.setdefault(f"{path}.scope", []).append(f"{describe(code, locale, scope)}: unknown channel '{scope}'")


def _string(attribute: Rules, data: Any) -> str:
    if not isinstance(data, str):
        raise ValueRejected(f"expected text, got {type(data).__name__}")
    rules = attribute.validation or {}
    limit = rules.get("max_length") or DEFAULT_MAX_LENGTH.get(attribute.type, 65535)
    if len(data) > limit:
        raise ValueRejected(f"{len(data)} characters, longer than the maximum of {limit}")
    pattern = rules.get("pattern")
    if pattern and not re.fullmatch(pattern, data):
        raise ValueRejected(f"does not match the pattern {pattern}")
    return data


def _text(attribute: Rules, data: Any, ctx: CatalogContext, media: set[str] | None) -> str:
    text = _string(attribute, data)
    if attribute.type in ("text", "identifier") and ("\n" in text or "\r" in text):
        raise ValueRejected("a single line is expected; use a textarea attribute for several lines")
    if attribute.type == "identifier" and (attribute.validation or {}).get("format") == "gtin":
        problem = gtin_problem(text)
        if problem:
            raise ValueRejected(problem)
    return text


def _url(attribute: Rules, data: Any, ctx: CatalogContext, media: set[str] | None) -> str:
    text = _string(attribute, data)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueRejected("an absolute http or https URL is expected")
    return text


def _decimal(data: Any) -> Decimal:
    if isinstance(data, bool) or not isinstance(data, (int, float, str)):
        raise ValueRejected(f"expected a number, got {type(data).__name__}")
    try:
        number = Decimal(str(data).strip())
    except InvalidOperation:
        raise ValueRejected(f"'{data}' is not a number") from None
    if not number.is_finite():
        raise ValueRejected("expected a finite number")
    return number


def _in_range(attribute: Rules, number: Decimal) -> None:
    rules = attribute.validation or {}
    if rules.get("decimals_allowed") is False and number != number.to_integral_value():
        raise ValueRejected(f"{number} has decimals, and this attribute takes whole numbers")
    if rules.get("min") is not None and number < Decimal(str(rules["min"])):
        raise ValueRejected(f"{number} is below the minimum of {rules['min']}")
    if rules.get("max") is not None and number > Decimal(str(rules["max"])):
        raise ValueRejected(f"{number} is above the maximum of {rules['max']}")


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def _number(attribute: Rules, data: Any, ctx: CatalogContext, media: set[str] | None) -> str:
    number = _decimal(data)
    _in_range(attribute, number)
    return _plain(number)


def _boolean(attribute: Rules, data: Any, ctx: CatalogContext, media: set[str] | None) -> bool:
    if not isinstance(data, bool):
        raise ValueRejected(f"expected true or false, got {type(data).__name__}")
    return data


def _date(attribute: Rules, data: Any, ctx: CatalogContext, media: set[str] | None) -> str:
    if not isinstance(data, str):
        raise ValueRejected(f"expected a date as YYYY-MM-DD, got {type(data).__name__}")
    try:
        day = date.fromisoformat(data)
    except ValueError:
        raise ValueRejected(f"'{data}' is not a date as YYYY-MM-DD") from None
    if len(data) != 10:
        raise ValueRejected(f"'{data}' is not a date as YYYY-MM-DD")
    return day.isoformat()


def _select(attribute: Rules, data: Any, ctx: CatalogContext, media: set[str] | None) -> str:
    if not isinstance(data, str):
        raise ValueRejected(f"expected an option code, got {type(data).__name__}")
    if data not in attribute.option_codes:
        raise ValueRejected(f"'{data}' is not an option; options are {', '.join(sorted(attribute.option_codes))}")
    return data


def _multiselect(attribute: Rules, data: Any, ctx: CatalogContext, media: set[str] | None) -> list[str]:
    if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
        raise ValueRejected("expected a list of option codes")
    unknown = [item for item in data if item not in attribute.option_codes]
    if unknown:
        raise ValueRejected(f"not options: {', '.join(unknown)}")
    if len(set(data)) != len(data):
        raise ValueRejected("an option is given twice")
    return sorted(data)


def _amount_object(data: Any, keys: Iterable[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueRejected(f"expected an object with {', '.join(keys)}")
    extra = set(data) - set(keys)
    if extra:
        raise ValueRejected(f"unknown keys: {', '.join(sorted(extra))}")
    return data


def _measurement(attribute: Rules, data: Any, ctx: CatalogContext, media: set[str] | None) -> dict[str, str]:
    data = _amount_object(data, ("amount", "unit"))
    unit = data.get("unit") or attribute.unit
    default = UNITS[attribute.unit] if attribute.unit in UNITS else None
    if unit not in UNITS or (default and UNITS[unit].dimension != default.dimension):
        same = sorted(u.code for u in UNITS.values() if default and u.dimension == default.dimension)
        raise ValueRejected(f"unit '{unit}' does not fit; use one of {', '.join(same)}")
    if data.get("amount") is None:
        raise ValueRejected("an amount is required")
    amount = _decimal(data["amount"])
    if amount < 0:
        raise ValueRejected("a measurement cannot be negative")
    _in_range(attribute, amount)
    return {"amount": _plain(amount), "unit": unit}


def _price_collection(attribute: Rules, data: Any, ctx: CatalogContext, media: set[str] | None) -> list[dict[str, str]]:
    if not isinstance(data, list):
        raise ValueRejected("expected a list of {amount, currency}")
    prices = []
    for item in data:
        item = _amount_object(item, ("amount", "currency"))
        if item.get("currency") not in ctx.currencies:
            raise ValueRejected(f"unknown currency '{item.get('currency')}'")
        amount = _decimal(item.get("amount"))
        if amount < 0:
            raise ValueRejected("a price cannot be negative")
        prices.append({"amount": _plain(amount), "currency": item["currency"]})
    currencies = [p["currency"] for p in prices]
    if len(set(currencies)) != len(currencies):
        raise ValueRejected("a currency is given twice")
    return sorted(prices, key=lambda p: p["currency"])


def _image(attribute: Rules, data: Any, ctx: CatalogContext, media: set[str] | None) -> str:
    path = _string(attribute, data)
    known = media if media is not None else ctx.repo.media_paths([path])
    if path not in known:
        raise ValueRejected(f"no media file '{path}'; upload it to /api/v1/media first")
    return path


_NORMALIZERS: dict[str, Callable[[Rules, Any, CatalogContext, set[str] | None], Any]] = {
    "text": _text, "textarea": _text, "identifier": _text, "url": _url, "number": _number,
    "boolean": _boolean, "date": _date, "select": _select, "multiselect": _multiselect,
    "measurement": _measurement, "price_collection": _price_collection, "image": _image,
}


def pick(entries: list[dict[str, Any]], locale: str, channel: str) -> Any:
    """The data that applies: channel and locale, then locale, then channel, then global (the
    first entry of the best kind). One pass: completeness and every view run this per value, and
    most values are stored once, for every locale and channel, which needs no ranking."""
    if len(entries) == 1:
        entry = entries[0]
        entry_locale, scope = entry["locale"], entry["scope"]
        if (entry_locale is None or entry_locale == locale) and (scope is None or scope == channel):
            return entry["data"]
        return None
    best, rank = None, 4
    for entry in entries:
        entry_locale, scope = entry["locale"], entry["scope"]
        if entry_locale == locale:
            found = 0 if scope == channel else 1 if scope is None else 4
        elif entry_locale is None:
            found = 2 if scope == channel else 3 if scope is None else 4
        else:
            continue
        if found < rank:
            best, rank = entry["data"], found
            if found == 0:
                break
    return best


def image_paths(values: ValueMap, ctx: CatalogContext) -> set[str]:
    """The media paths named by image values, to check them in one query."""
    paths = set()
    for code, entries in values.items():
        rule = ctx.rules.get(code)
        if rule is not None and rule.type == "image":
            paths.update(e["data"] for e in entries if isinstance(e.get("data"), str))
    return paths
