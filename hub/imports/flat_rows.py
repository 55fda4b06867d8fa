"""One flat row made into the API's input shape, over what is stored: the columns present set
their field, an empty cell removes its value, and columns the file lacks leave things as they are.

Every field the row sets remembers its column (``origins``), so a reason the services give for
``values.ean[0].data`` or ``offers[1].sale_price`` is reported on the file's own column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import orjson

from hub.imports.flat_columns import KEY, Column
from hub.services.context import CatalogContext

State = dict[str, Any]
BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
VERBATIM = ("text", "textarea", "identifier", "url")  # kept as typed, spaces and all: they are the data


@dataclass
class Prepared:
    """A row ready for the input schema: its body, where each field came from, and the problems
    found before validation (cells that could not be read as their type)."""

    key: str
    body: Any
    origins: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)


def parse_boolean(text: str) -> bool:
    """1/0, true/false, yes/no in any case; raises ValueError naming what is accepted."""
    try:
        return BOOLEANS[text.strip().lower()]
    except KeyError:
        raise ValueError(f"'{text}' is not a yes/no value: use 1 or 0, true or false, yes or no") from None


def split_list(text: str) -> list[str]:
    """A comma-separated cell as its items, blanks dropped and each given once."""
    return list(dict.fromkeys(item.strip() for item in text.split(",") if item.strip()))


def blank(kind: str, key: str) -> State:
    if kind == "products":
        return {"sku": key, "family": None, "parent": None, "enabled": True, "categories": [], "values": {},
                "offers": [], "media": []}
    return {"code": key, "family": None, "variant_axes": [], "categories": [], "values": {}}


class FlatRows:
    """Rows of one header, prepared for ``ProductIn`` or ``ProductModelIn``."""

    def __init__(self, kind: str, columns: list[Column | None], ctx: CatalogContext) -> None:
        self.kind = kind
        self.columns = [c for c in columns if c is not None]
        # Only the attributes' types are kept, so the rows outlive the session the header was read in.
        self.types = {c.attribute: (ctx.attributes[c.attribute].type, ctx.attributes[c.attribute].unit)
                      for c in self.columns if c.attribute}
        self.key_column = next((c for c in self.columns if c.role == "key"), None)

    def key(self, cells: dict[str, str]) -> str:
        return cells.get(self.key_column.source, "").strip() if self.key_column else ""

    def prepare(self, cells: dict[str, str], current: State | None) -> Prepared:
        key = self.key(cells)
        # A deep copy (the row must not change the stored state it starts from) through orjson:
        # a state holds only JSON types, and copy.deepcopy was a tenth of an import.
        body = orjson.loads(orjson.dumps(current)) if current else blank(self.kind, key)
        prepared = Prepared(key, body)
        values: dict[tuple[str, str | None, str | None], dict[str, Column]] = {}
        offers: dict[tuple[str, str | None, str | None], dict[str, Column]] = {}
        media: dict[int, dict[str, Column]] = {}
        for column in self.columns:
            if column.source not in cells:
                continue  # an XML row without this cell: left as it is
            text = cells[column.source]
            if column.role == "value":
                values.setdefault((column.attribute, column.locale, column.scope), {})[column.part] = column  # type: ignore[index]
            elif column.role == "offer":
                offers.setdefault((column.currency, column.channel, column.store), {})[column.part] = column  # type: ignore[index]
            elif column.role == "media":
                media.setdefault(column.index, {})[column.part + (f"-{column.locale}" if column.locale else "")] = column
            else:
                self._single(column, text, prepared)
        for where, group in values.items():
            self._value(where, group, cells, prepared)
        for where, group in offers.items():
            self._offer(where, group, cells, prepared)
        if media:
            self._media(media, cells, prepared)
        self._origins(values, offers, prepared)
        return prepared

    def _single(self, column: Column, text: str, prepared: Prepared) -> None:
        body, role = prepared.body, column.role
        if role == "key":
            body[KEY[self.kind]] = text.strip()
        elif role == "family":
            if text.strip():  # a family is never removed, only changed
                body["family"] = text.strip()
        elif role == "parent":
            body["parent"] = text.strip() or None
        elif role in ("categories", "variant_axes"):
            body[role] = split_list(text)
        elif role == "enabled" and text.strip():
            try:
                body["enabled"] = parse_boolean(text)
            except ValueError as exc:
                prepared.problems.append((column.source, str(exc)))
        prepared.origins[KEY[self.kind] if role == "key" else role] = column.source

    def _value(self, where: tuple[str, str | None, str | None], group: dict[str, Column], cells: dict[str, str],
               prepared: Prepared) -> None:
        code, locale, scope = where
        kind, unit = self.types[code]
        entries: list[dict[str, Any]] = prepared.body["values"].setdefault(code, [])
        old = next((e for e in entries if (e.get("locale"), e.get("scope")) == (locale, scope)), None)
        try:
            data = self._data(kind, unit, group, cells, old["data"] if old else None)
        except ValueError as exc:
            prepared.problems.append((next(iter(group.values())).source, str(exc)))
            return
        kept = [e for e in entries if (e.get("locale"), e.get("scope")) != (locale, scope)]
        if data is not None:
            kept.append({"locale": locale, "scope": scope, "data": data})
        if kept:
            prepared.body["values"][code] = kept
        else:
            prepared.body["values"].pop(code, None)

    def _data(self, kind: str, unit: str | None, group: dict[str, Column], cells: dict[str, str], old: Any) -> Any:
        """The value's data from its cells; None when they are empty; raises ValueError."""
        if kind == "measurement":
            if "" not in group:
                return old  # an XML row with the unit's cell alone: the amount stays as it is
            amount = cells[group[""].source].strip()
            chosen = cells[group["unit"].source].strip() if "unit" in group else ""
            return {"amount": amount, "unit": chosen or unit} if amount else None
        if kind == "price_collection":
            prices = {p.get("currency"): p for p in old or [] if isinstance(p, dict)}
            for currency, column in group.items():
                amount = cells[column.source].strip()
                if amount:
                    prices[currency] = {"amount": amount, "currency": currency}
                else:
                    prices.pop(currency, None)
            return [prices[c] for c in sorted(prices, key=str)] or None
        text = cells[group[""].source]
        if kind in VERBATIM:
            return text if text.strip() else None
        if not text.strip():
            return None
        convert: Callable[[str], Any] = {"boolean": parse_boolean, "multiselect": split_list}.get(kind, str.strip)
        return convert(text)

    def _offer(self, where: tuple[str, str | None, str | None], group: dict[str, Column], cells: dict[str, str],
               prepared: Prepared) -> None:
        currency, channel, store = where
        offers: list[dict[str, Any]] = prepared.body["offers"]
        index = next((i for i, o in enumerate(offers)
                      if (o["currency"], o.get("channel"), o.get("location")) == where), None)
        offer = dict(offers[index]) if index is not None else None
        sale = {name: cells[column.source].strip() for name, column in group.items() if name != "price"}
        if "price" in group:
            price = cells[group["price"].source].strip()
            if not price:
                if index is not None:
                    offers.pop(index)
                for name, text in sale.items():
                    if text:
                        prepared.problems.append((group[name].source, f"needs a price in {group['price'].source}"))
                return
            offer = offer or {"currency": currency, "channel": channel, "location": store, "price": price,
                              "sale_price": None, "sale_start": None, "sale_end": None}
            offer["price"] = price
        elif offer is None:
            for name, text in sale.items():
                if text:
                    prepared.problems.append((group[name].source, "there is no such offer; add its price column"))
            return
        for name, text in sale.items():
            offer[name] = text or None
        if index is None:
            offers.append(offer)
        else:
            offers[index] = offer

    def _media(self, media: dict[int, dict[str, Column]], cells: dict[str, str], prepared: Prepared) -> None:
        stored = {m["path"]: m for m in prepared.body.get("media", [])}
        images = []
        for index in sorted(media):
            group = media[index]
            if "path" not in group:
                for column in group.values():
                    prepared.problems.append((column.source, f"needs the column media-{index} with the image's path"))
                continue
            path = cells[group["path"].source].strip()
            if not path:
                continue
            before = stored.get(path, {})
            role = cells[group["role"].source].strip() if "role" in group else ""
            alt = dict(before.get("alt", {}))
            for name, column in group.items():
                if name.startswith("alt-"):
                    text = cells[column.source]
                    if text.strip():
                        alt[column.locale] = text  # type: ignore[index]
                    else:
                        alt.pop(column.locale, None)  # type: ignore[arg-type]
            for name, column in group.items():
                prepared.origins[f"media[{len(images)}].{name.split('-')[0]}"] = column.source
            prepared.origins[f"media[{len(images)}]"] = group["path"].source
            images.append({"path": path, "role": role or before.get("role", "additional"), "alt": alt})
        prepared.body["media"] = images

    def _origins(self, values: dict[Any, dict[str, Column]], offers: dict[Any, dict[str, Column]],
                 prepared: Prepared) -> None:
        origins, body = prepared.origins, prepared.body
        for code, entries in body.get("values", {}).items():
            for index, entry in enumerate(entries):
                group = values.get((code, entry.get("locale"), entry.get("scope")))
                if group:
                    main = (group.get("") or next(iter(group.values()))).source
                    origins[f"values.{code}[{index}]"] = main
                    origins.setdefault(f"values.{code}", main)
        for index, offer in enumerate(body.get("offers", [])):
            group = offers.get((offer["currency"], offer.get("channel"), offer.get("location")))
            for name, column in (group or {}).items():
                origins[f"offers[{index}].{name}"] = column.source
                origins.setdefault(f"offers[{index}]", column.source)
