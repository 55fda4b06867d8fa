"""Saving a batch of stock rows in one statement, through the stock service: stock is not
versioned, so a whole store's file costs a few queries per batch and no product history."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from hub.imports.entity_rows import BatchResult
from hub.imports.report import rejections
from hub.imports.rows import Rejection, Row
from hub.services.stock import write_stock
from hub.store.repos import StockRepo
from schemas.errors import flatten_messages
from schemas.location import StockLineIn

WHOLE = re.compile(r"^\s*\d+\s*$")


class StockRows:
    """Stock lines from flat cells (``location``, ``sku``, ``quantity``) or JSON objects of the same names."""

    def __init__(self, session: Session, mapping: dict[str, str]) -> None:
        self.session = session
        # The file's header for each of our columns, so reasons name the supplier's column.
        self.sources = {ours: theirs for theirs, ours in mapping.items() if ours}
        self.schema = StockLineIn()

    def _line(self, row: Row, result: BatchResult) -> dict[str, Any] | None:
        origins = {name: self.sources.get(name, name) for name in ("location", "sku", "quantity")} if row.cells is not None else None
        if row.cells is not None:
            body: Any = {name: row.cells.get(source, "").strip() for name, source in (origins or {}).items()}
            if WHOLE.match(body["quantity"]):
                body["quantity"] = int(body["quantity"])
            elif body["quantity"]:
                result.reject(rejections(row.number, body["sku"], {"quantity": [
                    f"'{body['quantity']}' is not a quantity: a whole number, 0 or more"]}, origins, row.cells))
                return None
        else:
            body = row.body
        try:
            return self.schema.load(body)
        except ValidationError as exc:
            key = body.get("sku", "") if isinstance(body, dict) else ""
            result.reject(rejections(row.number, key if isinstance(key, str) else "", flatten_messages(exc.messages),
                                     origins, row.cells))
            return None

    def save(self, rows: list[Row]) -> BatchResult:
        result = BatchResult()
        lines: list[tuple[Row, dict[str, Any]]] = []
        for row in rows:
            if row.problem:
                result.reject([Rejection(row.number, "", "", "", row.problem)])
            elif (line := self._line(row, result)) is not None:
                lines.append((row, line))
        repo = StockRepo(self.session)
        products = repo.product_ids(line["sku"] for _, line in lines)
        locations = {location.code: location.id for location in repo.locations()}
        current = repo.quantities(products.values())
        changed: dict[tuple[int, int], dict[str, Any]] = {}
        for row, line in lines:
            errors: dict[str, list[str]] = {}
            if line["sku"] not in products:
                errors["sku"] = [f"no product with SKU '{line['sku']}'"]
            if line["location"] not in locations:
                errors["location"] = [f"unknown location '{line['location']}'"]
            origins = {n: self.sources.get(n, n) for n in ("location", "sku", "quantity")} if row.cells is not None else None
            if errors:
                result.reject(rejections(row.number, line["sku"], errors, origins, row.cells))
                continue
            key = (products[line["sku"]], locations[line["location"]])
            before = changed[key]["quantity"] if key in changed else current.get(key)
            if before is None:
                result.created += 1
            elif before != line["quantity"]:
                result.updated += 1
            else:
                result.unchanged += 1
            if before != line["quantity"] or key in changed:
                changed[key] = {"product_id": key[0], "location_id": key[1], "quantity": line["quantity"]}
        write_stock(self.session, list(changed.values()), current)
        return result
