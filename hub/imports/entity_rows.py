"""Saving a batch of product or product model rows: a rejected row changes nothing, and the
rows around it are kept.

Products go through the bulk write path (``ProductBatch``): the batch's stored products are read
as plain rows, each row is prepared over its stored state and loaded through the input schema,
and the valid ones are saved together, a statement per table, an unchanged one not at all. Only
the database can still refuse a row then (a SKU another writer has just created, a product it
has just changed, a number beyond a column's range); the importer then saves the batch again
``careful``ly, each row in its own savepoint through the services, and the row the database
refuses is reported like any other. A dry run takes the same path and rolls each batch back.
Product models go row by row through their service; the services refuse a row before they
change anything, and a batch's writes wait for its end (``product_index.deferred``) or a
check's query (autoflush, which is also how variants of one batch see each other: keep it on)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from hub.cached import cached_property
from hub.errors import HubError
from hub.imports.file_keys import BatchKeys, FileKeys, gtins
from hub.imports.flat_columns import KEY
from hub.imports.report import rejections
from hub.imports.rows import Rejection, Row
from hub.imports.row_fingerprints import RowFingerprints
from hub.imports.shapes import Prepared, RowProblem, Shape
from hub.services.context import CatalogContext
from hub.services.product_batch import ProductBatch
from hub.services.lookups import StoredLookups
from hub.services.products import ProductModelService, ProductService
from hub.services.states import stored_state
from hub.store import product_rows
from hub.store.product_rows import StoredProduct
from hub.store.models import Product
from hub.store.refusals import ROW_REFUSALS, refusal
from schemas.errors import flatten_messages
from schemas.product import ProductIn, ProductModelIn


@dataclass
class DryRunMemory:
    """What the rolled-back batches of a dry run would have stored, for the batches after them:
    the variants they saved, with their values (whose axis values a later variant of the same
    model may not take). (A key comes once per file, ``file_keys``, so no later batch saves an
    earlier one's product again.)"""

    variants: dict[str, dict[str, Any]] = field(default_factory=dict)  # model code: {SKU: values}

    def update(self, later: DryRunMemory) -> None:
        """Take in what a later batch saved."""
        for code, saved in later.variants.items():
            self.variants.setdefault(code, {}).update(saved)


@dataclass
class BatchResult:
    """What one batch did: rows created, updated or unchanged, and the rejected rows' reasons."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    rejected_rows: int = 0
    seen: DryRunMemory = field(default_factory=DryRunMemory)  # a dry run's saved variants (see ``EntityRows``)
    keys: BatchKeys = field(default_factory=BatchKeys)  # the keys and GTINs its rows named (``file_keys``)

    def reject(self, found: list[Rejection]) -> None:
        self.rejected_rows += 1
        self.rejections.extend(found)


class EntityRows:
    """Products or product models, saved as the API saves them.

    A row naming a key (or a GTIN) an earlier row of the file named is refused, with that row's
    number (``file_keys``; ``keys`` holds what the earlier batches named). A dry run rolls each
    batch back, so a later batch cannot see what an earlier one would have stored. ``earlier``
    carries that forward (``DryRunMemory``): a variant taking axis values an earlier batch's
    variant took is rejected, as the import would reject it: the service's lookups count them
    as stored variants (``hub.services.lookups``), on the bulk path and row by row alike.
    """

    def __init__(self, kind: str, session: Session, ctx: CatalogContext, author: str, shape: Shape,
                 careful: bool = False, earlier: DryRunMemory | None = None, keys: FileKeys | None = None) -> None:
        self.kind = kind
        self.file_keys = keys
        self.careful = careful
        self.earlier = earlier
        self.session = session
        self.shape = shape
        self.service: ProductService | ProductModelService = (
            ProductService(session, ctx, author) if kind == "products" else ProductModelService(session, ctx, author))
        if earlier is not None:  # a careful row checks the earlier batches' variants as stored ones
            self.service.lookups = StoredLookups(session, earlier.variants)
        self.schema: Schema = ProductIn() if kind == "products" else ProductModelIn()

    @cached_property
    def gtin_codes(self) -> list[str]:
        """The attributes holding GTINs; read when a row is built (one whose fingerprint says it
        changes nothing needs none of the catalog's definitions)."""
        return [code for code, a in self.service.ctx.attributes.items() if (a.validation or {}).get("format") == "gtin"]

    def _existing(self, keys: list[str]) -> dict[str, Any]:
        if isinstance(self.service, ProductService):
            return dict(self.service.products.by_skus(keys))
        return self.service.products.models_by_codes(keys)

    def _rules(self, body: dict[str, Any], shape_errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """The services' reasons too, for a row the input schema refused: the fields it refused
        are left out and the rest is checked, so one report names every problem of the row
        rather than the first kind found."""
        broken = {path.split(".")[0] for path in shape_errors}
        reduced = {name: value for name, value in body.items() if name not in broken or name == KEY[self.kind]}
        for name in ("offers", "media"):
            if isinstance(body.get(name), list) and name not in broken:
                reduced[name] = [item for index, item in enumerate(body[name]) if f"{name}[{index}]" not in broken]
        try:
            data = self.schema.load(reduced)
        except ValidationError:
            return {}
        try:
            self.service.check(data, self._existing([reduced[KEY[self.kind]]]).get(reduced[KEY[self.kind]]))  # type: ignore[arg-type]
            return {}
        except HubError as exc:
            return _renumbered(exc.errors, body, reduced)

    def save(self, rows: list[Row]) -> BatchResult:
        if self.kind == "products" and not self.careful:
            return self._save_products(rows)
        result = self._result()
        known = self._existing([k for k in (self.shape.key(row) for row in rows if not row.problem) if k])
        for row in rows:
            self._row(row, known, result)
        return result

    def _result(self) -> BatchResult:
        return BatchResult(keys=BatchKeys(self.file_keys))

    def _save_products(self, rows: list[Row]) -> BatchResult:
        """Products through the bulk write path (``ProductBatch``): stored products read as rows
        for the whole batch, unchanged ones not written, the rest written a statement per table.
        A row an earlier import read for its product, left as that import left it, is counted
        unchanged without being built, nor its product read whole (``row_fingerprints``)."""
        result = self._result()
        keys = [self.shape.key(row) if not row.problem else "" for row in rows]
        prints = RowFingerprints(self.session, self.kind, getattr(self.shape, "mapping", {}))
        prints.read([key for key in keys if key])
        built: list[tuple[Row, str, bytes]] = []
        for row, key in zip(rows, keys):
            digest = prints.of(row) if key else b""
            kept = prints.unchanged(digest, key) if key else None
            if kept is None or not self._kept_as_is(row, key, kept.gtins, result):
                built.append((row, key, digest))
        known = product_rows.by_skus(self.session, [key for _row, key, _digest in built if key in prints.kept])
        pending: list[tuple[Row, Prepared, dict[str, Any], bytes]] = []
        for row, key, digest in built:
            existing = known.get(key) if key else None
            current = stored_state(existing, self.service.ctx.codes) if existing is not None else None
            loaded = self._loaded(row, existing, current, result)
            if loaded is not None:
                pending.append((row, *loaded, digest))
        self._write_products(pending, result, known, prints)
        prints.write()
        result.rejections.sort(key=lambda r: r.row)  # the bulk path reports its refusals after the schema's
        return result

    def _kept_as_is(self, row: Row, key: str, gtins_held: list[str], result: BatchResult) -> bool:
        """Count a row whose fingerprint says it changes nothing as unchanged, once its SKU and
        GTINs (its product's, which this row gave it) are claimed; False when one is named by an
        earlier row, so the row is built and refused as any other."""
        claims: list[str] = []
        for what, value in [(KEY[self.kind], key), *(("gtin", gtin) for gtin in gtins_held)]:
            if result.keys.claim(what, value, row.number) is not None:
                for gtin in claims:
                    result.keys.release("gtin", gtin, row.number)
                return False
            if what == "gtin":
                claims.append(value)
        result.unchanged += 1
        return True

    def _write_products(self, pending: list[tuple[Row, Prepared, dict[str, Any], bytes]], result: BatchResult,
                        known: dict[str, StoredProduct], prints: RowFingerprints) -> None:
        batch = ProductBatch(self.session, self.service.ctx, self.service.author)
        made = batch.prepare([data for _, _, data, _ in pending], existing=known,
                             earlier=self.earlier.variants if self.earlier is not None else None)
        for (row, prepared, _data, digest), saved in zip(pending, batch.write(made)):
            if saved.status == "invalid":
                origins = prepared.origins if self.shape.flat else None
                self._release(row, prepared, result)
                result.reject(rejections(row.number, saved.sku, saved.errors, origins, row.cells, prepared.problems))
                continue
            setattr(result, saved.status, getattr(result, saved.status) + 1)
            stored = known.get(saved.sku)
            revision = 1 if stored is None else stored.revision + (saved.status == "updated")
            assert saved.product_id is not None
            prints.saved(saved.product_id, digest, revision, [gtin for _code, gtin in self._gtins(prepared)])
        if made.accepted is not None:
            result.seen.variants = made.accepted

    def _gtins(self, prepared: Prepared) -> list[tuple[str, str]]:
        """(attribute, GTIN as 14 digits) of the row's product."""
        values = prepared.body.get("values") if self.kind == "products" else None
        return gtins(values, self.gtin_codes) if isinstance(values, dict) else []

    def _loaded(self, row: Row, existing: Any, current: dict[str, Any] | None,
                result: BatchResult) -> tuple[Prepared, dict[str, Any]] | None:
        """The row's body, loaded through the input schema; None when the row is rejected (the
        reasons are in ``result``)."""
        if row.problem:
            result.reject([Rejection(row.number, "", "", "", row.problem)])
            return None
        key = self.shape.key(row)
        try:
            prepared = self.shape.prepare(row, current)
        except RowProblem as exc:
            result.reject([Rejection(row.number, key, "", "", str(exc))])
            return None
        if not prepared.key and self.shape.flat:
            name = KEY[self.kind]
            result.reject(rejections(row.number, "", {name: [f"every row needs a {name}"]}, prepared.origins, row.cells))
            return None
        origins = prepared.origins if self.shape.flat else None
        repeated = self._repeated_key(row, prepared.key, result)
        if repeated:
            result.reject(rejections(row.number, key, repeated, origins, row.cells))
            return None
        try:
            data = self.schema.load(prepared.body)
            if prepared.problems:  # some cells could not be read: say what else is wrong, save nothing
                self.service.check(data, existing)  # type: ignore[arg-type]
                result.reject(rejections(row.number, key, {}, origins, row.cells, prepared.problems))
                return None
        except ValidationError as exc:
            errors = flatten_messages(exc.messages)
            for path, reasons in self._rules(prepared.body, errors).items():
                errors.setdefault(path, []).extend(r for r in reasons if r not in errors.get(path, []))
            result.reject(rejections(row.number, key, errors, origins, row.cells, prepared.problems))
            return None
        except HubError as exc:
            result.reject(rejections(row.number, key, exc.errors or {"": [exc.detail]}, origins, row.cells, prepared.problems))
            return None
        repeated = self._repeated_gtin(row, prepared, result)
        if repeated:
            result.reject(rejections(row.number, key, repeated, origins, row.cells))
            return None
        return prepared, data

    def _repeated_key(self, row: Row, key: str, result: BatchResult) -> dict[str, list[str]]:
        """Why the row is refused for naming the key an earlier row of the file named (whether
        that row was saved or not); empty when it is the first, which then holds the key."""
        name = KEY[self.kind]
        first = result.keys.claim(name, key, row.number) if key else None
        if first is None:
            return {}
        kind = "product" if self.kind == "products" else "model"
        return {name: [f"{name} '{key}' is also on row {first} of this file: a file names each {kind} once"]}

    def _repeated_gtin(self, row: Row, prepared: Prepared, result: BatchResult) -> dict[str, list[str]]:
        """Why the row is refused for giving its product a GTIN an earlier saved row gave another
        product; empty when none does, and its GTINs are then held."""
        for code, gtin in self._gtins(prepared):
            first = result.keys.claim("gtin", gtin, row.number)
            if first is not None:
                self._release(row, prepared, result)
                return {f"values.{code}": [f"{code} {gtin.lstrip('0') or '0'} is also on row {first} of this file, "
                                           f"for another product: a GTIN names one product"]}
        return {}

    def _release(self, row: Row, prepared: Prepared, result: BatchResult) -> None:
        """The row was refused: the GTINs it claimed are free for later rows (its key is not: a
        later row naming it still repeats the file's row)."""
        for _code, gtin in self._gtins(prepared):
            result.keys.release("gtin", gtin, row.number)

    def _row(self, row: Row, known: dict[str, Any], result: BatchResult) -> None:
        key = self.shape.key(row) if not row.problem else ""
        existing = known.get(key) if key else None
        loaded = self._loaded(row, existing, self.service.state(existing) if existing is not None else None, result)  # type: ignore[arg-type]
        if loaded is None:
            return
        prepared, data = loaded
        origins = prepared.origins if self.shape.flat else None
        try:
            if self.careful:
                with self.session.begin_nested():
                    saved = self.service.save(data, existing)  # type: ignore[arg-type]
                if self.earlier is not None and isinstance(saved.obj, Product) and saved.obj.parent is not None:
                    result.seen.variants.setdefault(saved.obj.parent.code, {})[saved.obj.sku] = saved.obj.values
            else:
                saved = self.service.save(data, existing)  # type: ignore[arg-type]
        except HubError as exc:
            errors = exc.errors or {"": [exc.detail]}
            self._release(row, prepared, result)
            result.reject(rejections(row.number, key, errors, origins, row.cells, prepared.problems))
            return
        except ROW_REFUSALS as exc:
            if not self.careful:
                raise
            self._release(row, prepared, result)
            result.reject(rejections(row.number, key, {"": [refusal(exc)]}, origins, row.cells, prepared.problems))
            return
        if saved.created:
            result.created += 1
        elif saved.changed:
            result.updated += 1
        else:
            result.unchanged += 1

def _renumbered(errors: dict[str, list[str]], body: dict[str, Any], reduced: dict[str, Any]) -> dict[str, list[str]]:
    """Reasons about the reduced body's offers and media, numbered as in the full body."""
    renumber: dict[str, str] = {}
    for name in ("offers", "media"):
        kept = [i for i, item in enumerate(body.get(name) or []) if any(item is r for r in reduced.get(name) or [])]
        renumber.update({f"{name}[{j}]": f"{name}[{i}]" for j, i in enumerate(kept)})
    found: dict[str, list[str]] = {}
    for path, reasons in errors.items():
        head = path.split(".")[0]
        found.setdefault(renumber.get(head, head) + path[len(head):], []).extend(reasons)
    return found
