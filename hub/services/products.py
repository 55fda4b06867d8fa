"""Product and product model changes: validation, variant rules, and a version per real change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Generic, Sequence, TypeVar

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from hub.errors import Conflict, NotFound, ValidationFailed
from hub.services import history, product_index, product_records
from hub.services.context import CatalogContext
from hub.services.inheritance import inherited_values
from hub.services.lookups import StoredLookups
from hub.services.states import State, axis_values, iso, model_state, offer_order, product_state
from hub.services.values import check_values, image_paths
from hub.store.models import Category, Family, Offer, Product, ProductModel
from hub.store import document_changes, product_rows
from hub.store.repos import CatalogRepo, ProductRepo, StockRepo, VersionRepo
from hub.store.types import utcnow
from schemas.errors import flatten_messages
from schemas.product import ProductIn

AXIS_TYPES = ("select", "boolean", "number", "measurement", "text")

T = TypeVar("T", Product, ProductModel)


@dataclass(frozen=True)
class Saved(Generic[T]):
    obj: T
    created: bool
    changed: bool


class _Versioned:
    """What products and product models share: reference checks and recording versions."""

    entity = ""

    def __init__(self, session: Session, ctx: CatalogContext, author: str) -> None:
        self.session = session
        self.ctx = ctx
        self.author = author
        self.products = ProductRepo(session)
        self.lookups = StoredLookups(session)

    def _family(self, code: str | None, errors: dict[str, list[str]]) -> Family | None:
        family = self.ctx.families.get(code or "")
        if family is None:
            errors.setdefault("family", []).append(f"unknown family '{code}'")
        return family

    def _categories(self, codes: list[str], errors: dict[str, list[str]]) -> list[Category]:
        found = []
        for index, code in enumerate(codes):
            category = self.ctx.categories.get(code)
            if category is None:
                errors.setdefault(f"categories[{index}]", []).append(f"unknown category '{code}'")
            elif category not in found:
                found.append(category)
        return found

    def _stored(self, obj: Product | ProductModel, new: bool) -> None:
        """A new object joins the session. Outside ``product_index.deferred`` the change is written
        at once; inside, it waits for the block's end (or the savepoint around the row, or a
        later query's autoflush), so an import's rows are not written one flush per row and
        their inserts go out together."""
        if new:
            self.session.add(obj)
        if not product_index.is_deferred(self.session):
            self.session.flush()

    def _record(self, key: str, revision: int, old: State | None, new: State, at: datetime) -> list[dict[str, Any]]:
        changes = history.diff(old, new)
        if changes:
            history.record(self.session, self.entity, key, revision, self.author, at, changes, new, old)
        return changes

    def history(self, key: str, found: Product | ProductModel | None = None) -> list[Any]:
        """Every version, oldest first; ``found``: the product or model when the caller holds it."""
        return history.versions(self.session, self.entity, key, self._current(key, found))

    def as_of(self, key: str, number: int) -> State:
        """The state as it was saved in version ``number``; raises NotFound."""
        return history.version(self.session, self.entity, key, number, self._current(key)).snapshot

    def _current(self, key: str, found: Product | ProductModel | None = None) -> Callable[[], State]:
        """The record's state, read only when a creation without a snapshot asks for it."""
        # both services have get and state
        return lambda: self.state(found if found is not None else self.get(key))  # type: ignore[attr-defined]


class ProductService(_Versioned):
    entity = "product"

    def find(self, sku: str) -> Product | None:
        """The product, locked when the session writes (``hub.store.base.for_writing``)."""
        return self.products.by_sku(sku, lock=True)

    def get(self, sku: str) -> Product:
        product = self.find(sku)
        if product is None:
            raise NotFound(f"no product with SKU '{sku}'")
        return product

    def page(self, after: str | None, limit: int) -> Sequence[Product]:
        return self.products.page(after, limit)

    def state(self, product: Product) -> State:
        return product_state(product)

    def create(self, data: dict[str, Any]) -> Product:
        if self.products.by_sku(data["sku"]) is not None:
            raise Conflict(f"a product with SKU '{data['sku']}' exists", errors={"sku": ["already exists"]})
        return self.save(data, None).obj

    def replace(self, product: Product, data: dict[str, Any]) -> Product:
        return self.save(data, product).obj

    def check(self, data: dict[str, Any], existing: Product | None) -> None:
        """Raise ValidationFailed with every reason ``save`` would give, storing nothing."""
        self.validated(data, existing)

    def save(self, data: dict[str, Any], existing: Product | None) -> Saved[Product]:
        """Validate ``data`` (a loaded ProductIn) and store it, with a version when it changed;
        raises ValidationFailed before it changes anything in the session. The product index is
        refreshed in the same transaction, at once or, inside ``product_index.deferred``, when
        that block ends."""
        new, refs = self.validated(data, existing)
        old = product_state(existing) if existing else None
        at = utcnow()
        product = existing or Product(sku=data["sku"], created=at, revision=0)
        changes = self._record(product.sku, product.revision + 1, old, new, at)
        if not changes:
            return Saved(product, created=False, changed=False)
        self._apply(product, new, refs, at)
        self._stored(product, existing is None)
        product_index.changed(self.session, self.ctx, [product])  # now, or at the end of an import's batch
        return Saved(product, created=existing is None, changed=True)

    def validated(self, data: dict[str, Any], existing: Product | None) -> tuple[State, dict[str, Any]]:
        """The state ``save`` would store and the objects it refers to (family, model, categories);
        raises ValidationFailed with every reason. The bulk write path stores new products from it."""
        if existing is not None and data["sku"] != existing.sku:
            raise ValidationFailed(errors={"sku": [f"the body names '{data['sku']}' but the URL names '{existing.sku}'"]})
        errors: dict[str, list[str]] = {}
        parent = None
        if data.get("parent"):
            parent = self.lookups.model(data["parent"])
            if parent is None:
                errors.setdefault("parent", []).append(f"unknown product model '{data['parent']}'")
        family_code = data.get("family") or (parent.family.code if parent else None)
        family = self._family(family_code, errors) if family_code else None
        if parent and family and parent.family_id != family.id:
            errors.setdefault("family", []).append(
                f"a variant of '{parent.code}' belongs to its family '{parent.family.code}', not '{family.code}'"
            )
        allowed = self.ctx.family_attribute_codes(family) if family else None
        media_refs = data.get("media", [])
        paths = image_paths(data.get("values", {}), self.ctx) | {m["path"] for m in media_refs}
        known_media = self.lookups.media_paths(paths)
        values = check_values(data.get("values", {}), self.ctx, allowed, errors, media_paths=known_media)
        if parent is not None:
            self._check_axes(parent, values, existing, errors)
        categories = self._categories(data.get("categories", []), errors)
        offers = self._offers(data.get("offers", []), errors)
        media = self._media(media_refs, known_media, errors)
        if errors:
            raise ValidationFailed("the product was not saved", errors=errors)
        state = {
            "sku": data["sku"], "family": family.code if family else None, "parent": parent.code if parent else None,
            "enabled": data.get("enabled", True), "categories": sorted(c.code for c in categories),
            "values": values, "offers": offers, "media": media,
        }
        return state, {"family": family, "parent": parent, "categories": categories}

    def _check_axes(self, parent: ProductModel, values: dict[str, Any], existing: Product | None, errors: dict[str, list[str]]) -> None:
        combo = axis_values(parent, values)
        for axis, data in zip(parent.variant_axes, combo):
            if data is None:
                errors.setdefault(f"values.{axis}", []).append(f"a variant of '{parent.code}' must set its axis '{axis}'")
                return
        for sibling_id, sibling_sku, sibling_values in self.lookups.siblings(parent):
            if existing is not None and (sibling_id == existing.id or sibling_sku == existing.sku):
                continue
            if axis_values(parent, sibling_values or {}) == combo:
                axes = ", ".join(f"{a}={v}" for a, v in zip(parent.variant_axes, combo))
                errors.setdefault("values", []).append(f"variant '{sibling_sku}' of '{parent.code}' already has {axes}")
                return

    def _offers(self, offers: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
        states = []
        for index, offer in enumerate(offers):
            if offer["currency"] not in self.ctx.currencies:
                errors.setdefault(f"offers[{index}].currency", []).append(f"unknown currency '{offer['currency']}'")
            if offer.get("channel") and offer["channel"] not in self.ctx.channels:
                errors.setdefault(f"offers[{index}].channel", []).append(f"unknown channel '{offer['channel']}'")
            if offer.get("location") and offer["location"] not in self.ctx.stores:
                errors.setdefault(f"offers[{index}].location", []).append(f"no store with the code '{offer['location']}'")
            states.append({
                "currency": offer["currency"],
                "price": format(Decimal(offer["price"]), "f"),
                "channel": offer.get("channel"),
                "location": offer.get("location"),
                "sale_price": format(Decimal(offer["sale_price"]), "f") if offer.get("sale_price") is not None else None,
                "sale_start": iso(offer.get("sale_start")),
                "sale_end": iso(offer.get("sale_end")),
            })
        return sorted(states, key=offer_order)

    def _media(self, refs: list[dict[str, Any]], known: set[str], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
        for index, ref in enumerate(refs):
            if ref["path"] not in known:
                errors.setdefault(f"media[{index}].path", []).append(f"no media file '{ref['path']}'; upload it first")
            for locale in ref.get("alt", {}):
                if locale not in self.ctx.locales:
                    errors.setdefault(f"media[{index}].alt", []).append(f"unknown locale '{locale}'")
        if sum(1 for ref in refs if ref.get("role") == "main") > 1:
            errors.setdefault("media", []).append("only one image can have the role main")
        return [{"path": r["path"], "role": r.get("role", "additional"), "alt": dict(sorted(r.get("alt", {}).items()))} for r in refs]

    def _apply(self, product: Product, state: State, refs: dict[str, Any], at: datetime) -> None:
        product.family = refs["family"]
        product.parent = refs["parent"]
        product.enabled = state["enabled"]
        product.values = state["values"]
        product.media = state["media"]
        product.categories = refs["categories"]
        current = {(o.currency, o.channel.code if o.channel else None, o.location.code if o.location else None): o
                   for o in product.offers}
        kept = []
        for wanted in state["offers"]:
            key = (wanted["currency"], wanted["channel"], wanted["location"])
            offer = current.get(key) or Offer(currency=wanted["currency"])
            offer.channel = self.ctx.channels.get(wanted["channel"] or "")
            offer.location = self.ctx.stores.get(wanted["location"] or "")
            offer.price = Decimal(wanted["price"])
            offer.sale_price = Decimal(wanted["sale_price"]) if wanted["sale_price"] is not None else None
            offer.sale_start = datetime.fromisoformat(wanted["sale_start"]) if wanted["sale_start"] else None
            offer.sale_end = datetime.fromisoformat(wanted["sale_end"]) if wanted["sale_end"] else None
            kept.append(offer)
        product.offers = kept
        product.revision += 1
        product.updated = at

    def delete(self, product: Product) -> None:
        VersionRepo(self.session).delete_all(self.entity, product.sku)
        product_index.forget(self.session, [product.id])
        document_changes.record_removals(self.session, [product.id])  # its items leave the next republish
        self.products.delete(product)

    def revert(self, product: Product, number: int) -> Saved[Product]:
        """Bring the product back to version ``number``; recorded as a new version."""
        # The snapshot goes through the input contract like any body: the rules may have changed
        # since it was saved, and then the revert is refused with the reasons.
        try:
            data = ProductIn().load(self.as_of(product.sku, number))
        except ValidationError as exc:
            raise ValidationFailed(f"version {number} no longer passes today's rules", errors=flatten_messages(exc.messages)) from exc
        return self.save(data, product)

    def page_records(self, after: str | None, limit: int) -> list[dict[str, Any]]:
        """A page of the product list as the API's JSON answers it, from plain rows
        (``hub.services.product_records``)."""
        return product_records.records(self.session, self.ctx, product_rows.page(self.session, after, limit))

    def representation(self, product: Product, stock: list[Any] | None = None) -> dict[str, Any]:
        """The product as the API answers it: its state, plus inherited values, stock and revision."""
        if stock is None:
            stock = StockRepo(self.session).for_products([product.id])[product.id]
        return {
            **product_state(product),
            "inherited_values": inherited_values(product),
            "stock": [{"location": s.location.code, "quantity": s.quantity} for s in stock],
            "revision": product.revision,
            "created": product.created,
            "updated": product.updated,
        }


class ProductModelService(_Versioned):
    entity = "product_model"

    def find(self, code: str) -> ProductModel | None:
        """The model, locked when the session writes (``hub.store.base.for_writing``)."""
        return self.products.model_by_code(code, lock=True)

    def get(self, code: str) -> ProductModel:
        model = self.find(code)
        if model is None:
            raise NotFound(f"no product model '{code}'")
        return model

    def page(self, after: str | None, limit: int) -> Sequence[ProductModel]:
        return self.products.models_page(after, limit)

    def state(self, model: ProductModel) -> State:
        return model_state(model)

    def create(self, data: dict[str, Any]) -> ProductModel:
        if self.products.model_by_code(data["code"]) is not None:
            raise Conflict(f"a product model '{data['code']}' exists", errors={"code": ["already exists"]})
        return self.save(data, None).obj

    def replace(self, model: ProductModel, data: dict[str, Any]) -> ProductModel:
        if data["code"] != model.code:
            raise ValidationFailed(errors={"code": [f"the body names '{data['code']}' but the URL names '{model.code}'"]})
        return self.save(data, model).obj

    def check(self, data: dict[str, Any], existing: ProductModel | None) -> None:
        """Raise ValidationFailed with every reason ``save`` would give, storing nothing."""
        self._validated(data, existing)

    def save(self, data: dict[str, Any], existing: ProductModel | None) -> Saved[ProductModel]:
        """As ``ProductService.save``, for a loaded ProductModelIn."""
        new, family, categories = self._validated(data, existing)
        old = model_state(existing) if existing else None
        at = utcnow()
        model = existing or ProductModel(code=data["code"], created=at, revision=0)
        if not self._record(model.code, model.revision + 1, old, new, at):
            return Saved(model, created=False, changed=False)
        model.family = family
        model.variant_axes = new["variant_axes"]
        model.values = new["values"]
        model.categories = categories
        model.revision += 1
        model.updated = at
        self._stored(model, existing is None)
        if existing is not None and model.id is not None:  # no id: new in this batch, so no variants yet
            product_index.changed(self.session, self.ctx, self.products.variants(model.id))
        return Saved(model, created=existing is None, changed=True)

    def _validated(self, data: dict[str, Any], existing: ProductModel | None) -> tuple[State, Family, list[Category]]:
        errors: dict[str, list[str]] = {}
        family = self._family(data["family"], errors)
        allowed = self.ctx.family_attribute_codes(family) if family else None
        axes = list(data["variant_axes"])
        for index, axis in enumerate(axes):
            attribute = self.ctx.attributes.get(axis)
            if attribute is None or (allowed is not None and axis not in allowed):
                errors.setdefault(f"variant_axes[{index}]", []).append(f"'{axis}' is not an attribute of the family")
            elif attribute.type not in AXIS_TYPES or attribute.localizable or attribute.scopable:
                errors.setdefault(f"variant_axes[{index}]", []).append(
                    f"'{axis}' cannot be an axis: axes are global attributes of type {', '.join(AXIS_TYPES)}"
                )
        if len(set(axes)) != len(axes):
            errors.setdefault("variant_axes", []).append("an axis is given twice")
        new_axes = existing is not None and axes != list(existing.variant_axes)
        new_family = existing is not None and family is not None and family is not existing.family
        # A model created earlier in the same import batch is not written yet (no id): no variants.
        if (new_axes or new_family) and existing is not None and existing.id is not None and self.products.has_variants(existing.id):
            if new_axes:
                errors.setdefault("variant_axes", []).append("axes cannot change while the model has variants")
            if new_family:
                errors.setdefault("family", []).append("the family cannot change while the model has variants")
        known_media = CatalogRepo(self.session).media_paths(image_paths(data.get("values", {}), self.ctx))
        values = check_values(data.get("values", {}), self.ctx, allowed, errors, media_paths=known_media)
        for axis in axes:
            if axis in values:
                errors.setdefault(f"values.{axis}", []).append(f"'{axis}' is an axis: each variant sets it, not the model")
        categories = self._categories(data.get("categories", []), errors)
        if errors:
            raise ValidationFailed("the product model was not saved", errors=errors)
        assert family is not None  # an unknown family is an error above
        new = {
            "code": data["code"], "family": family.code, "variant_axes": axes,
            "categories": sorted(c.code for c in categories), "values": values,
        }
        return new, family, categories

    def delete(self, model: ProductModel) -> None:
        if self.products.has_variants(model.id):
            raise Conflict(f"product model '{model.code}' still has variants; delete or move them first")
        VersionRepo(self.session).delete_all(self.entity, model.code)
        self.products.delete(model)

    def representation(self, model: ProductModel) -> dict[str, Any]:
        return {**model_state(model), "revision": model.revision, "created": model.created, "updated": model.updated}
