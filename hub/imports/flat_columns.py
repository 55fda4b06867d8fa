"""The flat column convention (Akeneo's), read from a header: what each column of a file sets.

``sku`` (products) or ``code`` (product models), ``family``, ``parent``, ``categories``,
``enabled``, ``variant_axes`` (models); one column per value: ``<attr>``, ``<attr>-<locale>``,
``<attr>-<channel>``, ``<attr>-<locale>-<channel>``, with ``-unit`` after a measurement's column
and ``-<CURRENCY>`` after a price collection's; offers as ``price-<CUR>``, ``price-<CUR>-<channel>``,
``price-<CUR>@<store>`` and the same with ``sale_price``, ``sale_start``, ``sale_end``; images as
``media-<n>``, ``media-<n>-role``, ``media-<n>-alt-<locale>``. Stock files: ``location``, ``sku``,
``quantity``. These leading words are reserved: an attribute with such a code cannot be imported
from a flat file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from hub.imports.errors import FileRefused
from hub.services.context import CatalogContext
from schemas.common import LOCALE_PATTERN

KINDS = ("products", "models", "stock")
OFFER_FIELDS = ("price", "sale_price", "sale_start", "sale_end")
STOCK_COLUMNS = ("location", "sku", "quantity")
SINGLE = {
    "products": ("sku", "family", "parent", "categories", "enabled"),
    "models": ("code", "family", "variant_axes", "categories"),
}
RESERVED = {"sku", "code", "family", "parent", "categories", "enabled", "variant_axes", "media", *OFFER_FIELDS}
KEY = {"products": "sku", "models": "code", "stock": "sku"}
CURRENCY = re.compile(r"^[A-Z]{3}$")
LOCALE = re.compile(LOCALE_PATTERN)


@dataclass(frozen=True)
class Column:
    """One column: ``source`` is the file's header, ``name`` ours (after the column mapping)."""

    source: str
    name: str
    role: str  # a SINGLE name, or "value", "offer", "media", "location", "quantity"
    attribute: str | None = None
    locale: str | None = None
    scope: str | None = None
    part: str = ""  # value: "" (the data), "unit" or a currency; offer: an OFFER_FIELDS name; media: path, role, alt
    currency: str | None = None
    channel: str | None = None
    store: str | None = None
    index: int = 0  # media: the image's position, from 1


class ColumnProblem(Exception):
    """A header names nothing we know; the message says why and how to fix it."""


def detect_kind(names: Sequence[str]) -> str | None:
    """products, models or stock, from the (mapped) column names; None when they do not tell."""
    present = {name for name in names if name}
    if present and present <= set(STOCK_COLUMNS) and "location" in present:
        return "stock"
    if "sku" in present:
        return "products"
    if "code" in present:
        return "models"
    return None


def parse_column(source: str, name: str, kind: str, ctx: CatalogContext) -> Column:
    """What the column ``name`` (read from the header ``source``) sets; raises ColumnProblem."""
    if kind == "stock":
        if name not in STOCK_COLUMNS:
            raise ColumnProblem(f"a stock file has the columns {', '.join(STOCK_COLUMNS)} only")
        return Column(source, name, {"sku": "key"}.get(name, name))
    if name in SINGLE[kind]:
        return Column(source, name, "key" if name == KEY[kind] else name)
    head, _, rest = name.partition("-")
    if head in OFFER_FIELDS and kind == "products":
        return _offer(source, name, head, rest, ctx)
    if head == "media" and kind == "products":
        return _media(source, name, rest, ctx)
    if head in RESERVED:
        raise ColumnProblem(f"'{head}' is not a column of a {kind[:-1]} file")
    return _value(source, name, head, rest.split("-") if rest else [], ctx)


def _offer(source: str, name: str, field: str, rest: str, ctx: CatalogContext) -> Column:
    where, _, store = rest.partition("@")
    currency, _, channel = where.partition("-")
    if not CURRENCY.match(currency):
        raise ColumnProblem(f"an offer column names its currency: {field}-EUR, {field}-EUR-<channel> or {field}-EUR@<store>")
    if currency not in ctx.currencies:
        raise ColumnProblem(f"unknown currency '{currency}'")
    if channel and channel not in ctx.channels:
        raise ColumnProblem(f"unknown channel '{channel}'")
    if store and store not in ctx.stores:
        raise ColumnProblem(f"no store with the code '{store}'")
    return Column(source, name, "offer", part=field, currency=currency, channel=channel or None, store=store or None)


def _media(source: str, name: str, rest: str, ctx: CatalogContext) -> Column:
    parts = rest.split("-")
    if not parts[0].isdigit() or int(parts[0]) < 1:
        raise ColumnProblem("an image column is media-<n>, media-<n>-role or media-<n>-alt-<locale>, with n from 1")
    index = int(parts[0])
    if len(parts) == 1:
        return Column(source, name, "media", part="path", index=index)
    if parts[1:] == ["role"]:
        return Column(source, name, "media", part="role", index=index)
    if len(parts) == 3 and parts[1] == "alt":
        if parts[2] not in ctx.locales:
            raise ColumnProblem(f"unknown locale '{parts[2]}'")
        return Column(source, name, "media", part="alt", index=index, locale=parts[2])
    raise ColumnProblem("an image column is media-<n>, media-<n>-role or media-<n>-alt-<locale>")


def _value(source: str, name: str, code: str, rest: list[str], ctx: CatalogContext) -> Column:
    attribute = ctx.attributes.get(code)
    if attribute is None:
        raise ColumnProblem(f"'{code}' is not an attribute; rename the column with a mapping, or ignore it")
    part = ""
    if attribute.type == "measurement" and rest and rest[-1] == "unit":
        part, rest = "unit", rest[:-1]
    elif attribute.type == "price_collection":
        if not rest or rest[-1] not in ctx.currencies:
            raise ColumnProblem(f"{code} is a price collection: its columns end with a known currency, as {code}-EUR")
        part, rest = rest[-1], rest[:-1]
    locale = scope = None
    if len(rest) == 2:
        locale, scope = rest
    elif len(rest) == 1:
        looks_like_locale = rest[0] in ctx.locales or LOCALE.match(rest[0])
        locale, scope = (rest[0], None) if looks_like_locale else (None, rest[0])
    elif rest:
        raise ColumnProblem("a value column is <attribute>, <attribute>-<locale>, <attribute>-<channel> "
                            "or <attribute>-<locale>-<channel>")
    if locale is not None:
        if locale not in ctx.locales:
            raise ColumnProblem(f"unknown locale '{locale}'")
        if not attribute.localizable:
            raise ColumnProblem(f"{code} is not localizable: its column names no locale")
    if scope is not None:
        if scope not in ctx.channels:
            raise ColumnProblem(f"'{scope}' is neither a locale nor a channel")
        if not attribute.scopable:
            raise ColumnProblem(f"{code} is not scopable: its column names no channel")
    return Column(source, name, "value", attribute=code, locale=locale, scope=scope, part=part)


def parse_header(headers: Sequence[str], mapping: dict[str, str], kind: str, ctx: CatalogContext) -> list[Column | None]:
    """Every header's column (None for one the mapping ignores); raises FileRefused naming every
    column that is unknown, given twice, or missing."""
    problems: list[str] = []
    columns: list[Column | None] = []
    seen: dict[str, str] = {}
    for source in headers:
        name = mapping.get(source, source).strip()
        if not name:
            columns.append(None)
            continue
        if name in seen:
            also = "" if seen[name] == source else f" (also by '{seen[name]}')"
            problems.append(f"column '{source}': '{name}' is given twice{also}")
            columns.append(None)
            continue
        seen[name] = source
        try:
            columns.append(parse_column(source, name, kind, ctx))
        except ColumnProblem as exc:
            shown = f"'{source}'" if source == name else f"'{source}' (mapped to '{name}')"
            problems.append(f"column {shown}: {exc}")
            columns.append(None)
    required = STOCK_COLUMNS if kind == "stock" else (KEY[kind],)
    for name in required:
        if name not in seen:
            problems.append(f"the file has no '{name}' column, which a {kind} file needs; "
                            f"add it, or map the supplier's column to it")
    named = {c.name for c in columns if c is not None}
    for column in columns:
        if column is not None and column.part == "unit" and column.name[: -len("-unit")] not in named:
            problems.append(f"column '{column.source}': a unit column needs its amount column "
                            f"'{column.name[: -len('-unit')]}'")
    if problems:
        raise FileRefused(f"the header of this {kind} file has {len(problems)} problem(s)",
                          errors={"header": problems})
    return columns
