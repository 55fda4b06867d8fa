"""Electronic shelf labels: per store, one JSON payload the store's ESL server loads.

The labels say what the printed ones say (``channel_adapters.base.shelf`` computes both), as data:
prices as decimal strings, so no consumer meets binary floats; the sale's end as ISO 8601 with its
offset, since the ESL server, not the hub, words and localises what the display shows.

The file is one JSON document, written with one label per line so that it streams out item by
item and ``validate`` can check it label by label, with flat memory on a large catalog::

    {"store": "PAR01", "store_name": "...", "generated": "...", "currency": "EUR", "labels": [
    {"sku": "...", ...},
    {"sku": "...", ...}
    ]}
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, BinaryIO, ClassVar, Iterable, Iterator

from marshmallow import Schema

from channel_adapters.base import FieldSpec, InvalidOutput, Item, OutputFile, Outputs, ProductView, RenderContext
from channel_adapters.base.shelf import PRODUCT_FIELDS, STORE_FIELDS, ShelfSettings, label_for, shelf_item

FIELDS: tuple[FieldSpec, ...] = PRODUCT_FIELDS + STORE_FIELDS
LABEL_KEYS = tuple(spec.name for spec in FIELDS)
HEADER_KEYS = ("store", "store_name", "generated", "currency", "labels")
DECIMAL = re.compile(r"^-?\d+\.\d{2}$")
MONEY_KEYS = ("price", "sale_price", "unit_price")
TEXT_KEYS = ("gtin", "brand", "variant", "net_content", "sale_end", "unit_price_unit")
OPENING = ', "labels": ['
CLOSING = b"]}"


class EslSettings(ShelfSettings):
    """The shared shelf settings (unit-price references, net-content attributes) and nothing else:
    layout and wording belong to the ESL server's templates."""


class EslAdapter:
    name: ClassVar[str] = "esl"
    title: ClassVar[str] = "Electronic shelf labels (JSON per store)"
    settings_schema: ClassVar[type[Schema]] = EslSettings
    fields: ClassVar[tuple[FieldSpec, ...]] = FIELDS

    def files(self, ctx: RenderContext) -> list[OutputFile]:
        return [OutputFile(f"esl-{store.code}.json", "application/json", f"electronic shelf labels for {store.name}")
                for store in ctx.stores]

    def items(self, views: Iterable[ProductView], ctx: RenderContext) -> Iterator[Item]:
        for view in views:
            yield shelf_item(view, ctx)

    def write(self, items: Iterable[Item], outputs: Outputs, ctx: RenderContext) -> None:
        """One pass over the items, each label appended to the file of every store that prices it."""
        files = {store.code: outputs.open(f"esl-{store.code}.json") for store in ctx.stores}
        written = dict.fromkeys(files, 0)
        for store in ctx.stores:
            header = {"store": store.code, "store_name": store.name, "generated": ctx.now.isoformat(),
                      "currency": ctx.currency}
            files[store.code].write((_dumps(header)[:-1] + OPENING).encode("utf-8"))
        for item in items:
            for code, out in files.items():
                label = label_for(item, code)
                if label is None:
                    continue
                separator = ",\n" if written[code] else "\n"
                out.write((separator + _dumps({key: label.get(key) for key in LABEL_KEYS})).encode("utf-8"))
                written[code] += 1
        for out in files.values():
            out.write(b"\n" + CLOSING + b"\n")

    def validate(self, name: str, stream: BinaryIO, ctx: RenderContext) -> None:
        """The payload is JSON of the expected shape, read one line (one label) at a time."""
        lines = iter(stream)
        try:
            head = json.loads(next(lines, b"").decode("utf-8") + "]}")
            _check_header(head)
            previous: bytes | None = None
            for number, line in enumerate(lines, start=2):
                line = line.rstrip(b"\r\n")
                if line == CLOSING:
                    if previous is not None and previous.endswith(b","):
                        raise InvalidOutput(f"{name} line {number - 1}: a comma before the end of labels")
                    if any(rest.strip() for rest in lines):
                        raise InvalidOutput(f"{name}: data after the end of labels")
                    return
                if previous is not None and not previous.endswith(b","):
                    raise InvalidOutput(f"{name} line {number}: labels are not separated by a comma")
                _check_label(json.loads(line.decode("utf-8").removesuffix(",")), f"{name} line {number}")
                previous = line
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidOutput(f"{name} is not JSON: {exc}") from exc
        raise InvalidOutput(f"{name} ends before its labels do")


def _dumps(data: dict[str, Any]) -> str:
    # ensure_ascii off: names stay readable; json still escapes line breaks, so a label is one line.
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


def _check_header(head: Any) -> None:
    if not isinstance(head, dict) or tuple(head) != HEADER_KEYS or head["labels"] != []:
        raise InvalidOutput(f"the payload must open with {', '.join(HEADER_KEYS)}")
    if not isinstance(head["store"], str) or not head["store"]:
        raise InvalidOutput("store must be a store code")
    if not isinstance(head["currency"], str) or not re.fullmatch(r"[A-Z]{3}", head["currency"]):
        raise InvalidOutput("currency must be an ISO 4217 code")
    try:
        datetime.fromisoformat(head["generated"])
    except (TypeError, ValueError) as exc:
        raise InvalidOutput("generated must be an ISO 8601 time") from exc


def _check_label(label: Any, where: str) -> None:
    if not isinstance(label, dict) or set(label) != set(LABEL_KEYS):
        raise InvalidOutput(f"{where}: a label has exactly the keys {', '.join(LABEL_KEYS)}")
    if not isinstance(label["sku"], str) or not label["sku"] or not isinstance(label["name"], str) or not label["name"]:
        raise InvalidOutput(f"{where}: a label needs its sku and name")
    for key in MONEY_KEYS:
        value = label[key]
        if (key == "price" or value is not None) and not (isinstance(value, str) and DECIMAL.match(value)):
            raise InvalidOutput(f"{where}: {key} must be a decimal string with two places")
    for key in TEXT_KEYS:
        if label[key] is not None and not isinstance(label[key], str):
            raise InvalidOutput(f"{where}: {key} must be a string or null")
    if not isinstance(label["quantity_in_store"], int) or isinstance(label["quantity_in_store"], bool):
        raise InvalidOutput(f"{where}: quantity_in_store must be an integer")


__all__ = ["FIELDS", "LABEL_KEYS", "EslAdapter", "EslSettings"]
