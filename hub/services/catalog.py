"""Catalog structure use cases: attributes, families, categories, locations, channels, locales, currencies."""

from __future__ import annotations

import secrets
from typing import Any, Generic, Sequence, TypeVar

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from channel_adapters.base.registry import AdapterRegistry

from hub.errors import Conflict, NotFound, ValidationFailed
from hub.services import audit, family_values, product_index, schedules
from hub.services.audit import Acting
from hub.services.context import CatalogContext
from hub.store.models import (
    Attribute, Category, Channel, ChannelLock, Currency, Family, FamilyRequirement, Locale, Location,
)
from hub.store.completeness_repo import CompletenessRepo
from hub.store.documents import DocumentRepo
from hub.store.repos import CatalogRepo
from schemas.errors import flatten_messages

M = TypeVar("M")
Errors = dict[str, list[str]]


class CodedService(Generic[M]):
    """Create, read, replace and delete an entity identified by its code.

    Subclasses say how a loaded input becomes the entity (``_apply``), what its editable state is
    (``state``) and what may stop a delete (``_check_delete``). Those whose changes are
    administrative actions name an ``audited`` kind: each create, change and delete of theirs is
    recorded in the audit log for ``actor``.
    """

    model: type[M]
    noun = ""
    audited: str | None = None  # the audit log's subject kind; None: not recorded

    def __init__(self, session: Session, ctx: CatalogContext, author: str = "", *, actor: Acting | None = None) -> None:
        self.session = session
        self.ctx = ctx
        self.author = author  # who a change that reaches products is recorded for
        self.actor = actor  # who the audit log records
        self.repo = CatalogRepo(session)

    def find(self, code: str) -> M | None:
        """The entity, locked when the session writes (``hub.store.base.for_writing``)."""
        return self.repo.by_code(self.model, code, lock=True)

    def get(self, code: str) -> M:
        found = self.find(code)
        if found is None:
            raise NotFound(f"no {self.noun} '{code}'")
        return found

    def page(self, after: str | None, limit: int) -> Sequence[M]:
        return self.repo.page(self.model, after, limit)

    def create(self, data: dict[str, Any]) -> M:
        if self.repo.by_code(self.model, data["code"]) is not None:
            raise Conflict(f"a {self.noun} '{data['code']}' exists", errors={"code": ["already exists"]})
        obj = self.model(code=data["code"])  # type: ignore[call-arg]
        self._check_labels(data)
        self._apply(obj, data, existing=False)
        self.repo.add(obj)
        self.ctx.refresh()
        self._saved(obj, None)
        self._audit("create", obj, None)
        return obj

    def replace(self, obj: M, data: dict[str, Any]) -> M:
        if data["code"] != obj.code:  # type: ignore[attr-defined]
            raise ValidationFailed(errors={"code": [f"the body names '{data['code']}' but the URL names '{obj.code}'"]})  # type: ignore[attr-defined]
        self._check_labels(data)
        before = self.state(obj)
        self._apply(obj, data, existing=True)
        self.session.flush()
        self.ctx.refresh()
        self._saved(obj, before)
        self._audit("update", obj, before)
        return obj

    def delete(self, obj: M) -> None:
        self._check_delete(obj)
        self._deleting(obj)
        code = obj.code  # type: ignore[attr-defined]
        self.repo.delete(obj)
        self.ctx.refresh()
        if self.audited:
            audit.record(self.session, self.actor, f"{self.audited}.delete", (self.audited, code), {})

    def _audit(self, verb: str, obj: M, before: dict[str, Any] | None) -> None:
        """Record the create or change of an audited entity: its fields that differ from
        ``before`` (all of them for a create); a save that changes nothing is no action."""
        if not self.audited or self.actor is None:
            return
        changes = audit.changed(before, self.state(obj))
        if changes or before is None:
            audit.record(self.session, self.actor, f"{self.audited}.{verb}", (self.audited, obj.code), changes)  # type: ignore[attr-defined]

    def _check_labels(self, data: dict[str, Any]) -> None:
        """Labels are per locale, so only locales the hub knows may hold one."""
        unknown = [locale for locale in data.get("labels", {}) if locale not in self.ctx.locales]
        if unknown:
            raise ValidationFailed(f"the {self.noun} was not saved",
                                   errors={f"labels.{locale}": [f"unknown locale '{locale}'"] for locale in unknown})

    def state(self, obj: M) -> dict[str, Any]:
        raise NotImplementedError

    def _apply(self, obj: M, data: dict[str, Any], existing: bool) -> None:
        raise NotImplementedError

    def _check_delete(self, obj: M) -> None:
        return None

    def _saved(self, obj: M, before: dict[str, Any] | None) -> None:
        """After a create (``before`` None) or replace: keep what depends on the entity in step."""
        return None

    def _deleting(self, obj: M) -> None:
        """Before a delete that passed its checks: mark what it takes along."""
        return None


def _fail_if(errors: Errors, what: str) -> None:
    if errors:
        raise ValidationFailed(f"the {what} was not saved", errors=errors)


class AttributeService(CodedService[Attribute]):
    model, noun = Attribute, "attribute"

    def state(self, obj: Attribute) -> dict[str, Any]:
        return {
            "code": obj.code, "type": obj.type, "labels": obj.labels, "localizable": obj.localizable,
            "scopable": obj.scopable, "validation": obj.validation, "options": obj.options, "unit": obj.unit,
        }

    def _apply(self, obj: Attribute, data: dict[str, Any], existing: bool) -> None:
        errors: Errors = {}
        if existing:
            # Stored values were checked against these; changing them would strand those values.
            for name in ("type", "localizable", "scopable"):
                if getattr(obj, name) != data[name]:
                    errors.setdefault(name, []).append(f"{name} of an existing attribute cannot change")
        for index, option in enumerate(data["options"]):
            for locale in option.get("labels", {}):
                if locale not in self.ctx.locales:
                    errors.setdefault(f"options[{index}].labels.{locale}", []).append(f"unknown locale '{locale}'")
        _fail_if(errors, "attribute")
        obj.type = data["type"]
        obj.labels = data["labels"]
        obj.localizable = data["localizable"]
        obj.scopable = data["scopable"]
        obj.validation = {k: (str(v) if k in ("min", "max") else v) for k, v in data["validation"].items()}
        obj.options = [{"code": o["code"], "labels": o.get("labels", {})} for o in data["options"]]
        obj.unit = data["unit"]

    def _check_delete(self, obj: Attribute) -> None:
        users = [f.code for f in self.ctx.families.values() if obj in f.attributes]
        if users:
            raise Conflict(f"attribute '{obj.code}' is used by families {', '.join(users)}; remove it from them first")


class FamilyService(CodedService[Family]):
    model, noun = Family, "family"
    cleared = 0  # products and models whose values for dropped attributes the last save removed

    def state(self, obj: Family) -> dict[str, Any]:
        requirements: dict[str, list[str]] = {}
        for req in sorted(obj.requirements, key=lambda r: (r.channel.code, r.attribute.code)):
            requirements.setdefault(req.channel.code, []).append(req.attribute.code)
        return {"code": obj.code, "labels": obj.labels, "attributes": [a.code for a in obj.attributes], "requirements": requirements}

    def _apply(self, obj: Family, data: dict[str, Any], existing: bool) -> None:
        errors: Errors = {}
        attributes = []
        for index, code in enumerate(data["attributes"]):
            attribute = self.ctx.attributes.get(code)
            if attribute is None:
                errors.setdefault(f"attributes[{index}]", []).append(f"unknown attribute '{code}'")
            elif attribute in attributes:
                errors.setdefault(f"attributes[{index}]", []).append(f"attribute '{code}' is listed twice")
            else:
                attributes.append(attribute)
        requirements = []
        for channel_code, codes in data["requirements"].items():
            channel = self.ctx.channels.get(channel_code)
            if channel is None:
                errors.setdefault(f"requirements.{channel_code}", []).append(f"unknown channel '{channel_code}'")
                continue
            for index, code in enumerate(dict.fromkeys(codes)):
                if code not in data["attributes"]:
                    errors.setdefault(f"requirements.{channel_code}[{index}]", []).append(
                        f"'{code}' is not among the family's attributes"
                    )
                elif code in self.ctx.attributes:
                    requirements.append((channel, self.ctx.attributes[code]))
        if existing:
            dropped = {a.code for a in obj.attributes} - {a.code for a in attributes}
            errors.update(family_values.axis_conflicts(self.session, obj, dropped) if dropped else {})
        _fail_if(errors, "family")
        obj.labels = data["labels"]
        obj.attributes = attributes
        current = {(r.channel_id, r.attribute_id): r for r in obj.requirements}
        obj.requirements = [
            current.get((c.id, a.id)) or FamilyRequirement(channel=c, attribute=a) for c, a in requirements
        ]

    def _saved(self, obj: Family, before: dict[str, Any] | None) -> None:
        if before is None:
            return
        dropped = set(before["attributes"]) - {a.code for a in obj.attributes}
        self.cleared = family_values.drop(self.session, obj, dropped, self.author or "system") if dropped else 0
        if self.cleared or before["requirements"] != self.state(obj)["requirements"]:
            product_index.refresh_family(self.session, self.ctx, obj)

    def _check_delete(self, obj: Family) -> None:
        if self.repo.family_in_use(obj.id):
            raise Conflict(f"family '{obj.code}' still has products")


class CategoryService(CodedService[Category]):
    model, noun = Category, "category"

    def state(self, obj: Category) -> dict[str, Any]:
        return {"code": obj.code, "parent": obj.parent.code if obj.parent else None, "labels": obj.labels}

    def _apply(self, obj: Category, data: dict[str, Any], existing: bool) -> None:
        errors: Errors = {}
        parent = None
        if data["parent"]:
            parent = self.ctx.categories.get(data["parent"])
            if parent is None:
                errors.setdefault("parent", []).append(f"unknown category '{data['parent']}'")
            else:
                ancestor: Category | None = parent
                while ancestor is not None:
                    if ancestor.code == obj.code:
                        errors.setdefault("parent", []).append(f"'{data['parent']}' is inside '{obj.code}': that makes a loop")
                        break
                    ancestor = ancestor.parent
        _fail_if(errors, "category")
        obj.parent = parent
        obj.labels = data["labels"]

    def _saved(self, obj: Category, before: dict[str, Any] | None) -> None:
        """A category moved in the tree: the products below it are below other categories now,
        and channels that carry a subtree may carry other products."""
        if before is not None and before["parent"] != (obj.parent.code if obj.parent else None):
            product_index.refile(self.session, self.ctx, obj)
            product_index.recarry(self.session, self.ctx, [c for c in self.ctx.channels.values()
                                                             if (c.filter or {}).get("categories")])

    def _check_delete(self, obj: Category) -> None:
        if self.repo.category_children(obj.id):
            raise Conflict(f"category '{obj.code}' has subcategories; delete or move them first")
        if self.repo.category_in_use(obj.id):
            raise Conflict(f"category '{obj.code}' still classifies products")


class LocationService(CodedService[Location]):
    model, noun = Location, "location"

    def state(self, obj: Location) -> dict[str, Any]:
        return {"code": obj.code, "type": obj.type, "name": obj.name, "address": obj.address, "country": obj.country}

    def _apply(self, obj: Location, data: dict[str, Any], existing: bool) -> None:
        if existing and obj.type == "store" and data["type"] != "store" and (held := CatalogRepo(self.session).offers_at(obj.id)):
            # A store's own price names a store: as a warehouse, the products holding one could not be read.
            raise ValidationFailed("the location was not saved", errors={"type": [
                f"{held} offers are this store's own prices: remove them before it stops being a store"]})
        obj.type = data["type"]
        obj.name = data["name"]
        obj.address = data["address"]
        obj.country = data["country"]

    def _deleting(self, obj: Location) -> None:
        """Its stock and store offers go with it (ON DELETE CASCADE): their documents are stale."""
        DocumentRepo(self.session).mark_stale_for_location(obj.id)


class ChannelService(CodedService[Channel]):
    """Channels; given the adapter registry, a channel must name an installed adapter whose
    settings schema accepts its settings."""

    model, noun, audited = Channel, "channel", "channel"

    def __init__(self, session: Session, ctx: CatalogContext, author: str = "", adapters: AdapterRegistry | None = None,
                 *, actor: Acting | None = None) -> None:
        super().__init__(session, ctx, author, actor=actor)
        self.adapters = adapters

    def state(self, obj: Channel) -> dict[str, Any]:
        return {
            "code": obj.code, "labels": obj.labels, "adapter": obj.adapter, "locale": obj.locale,
            "currency": obj.currency, "country": obj.country, "filter": obj.filter, "mapping": obj.mapping,
            "settings": obj.settings, "destination": obj.destination, "schedule": obj.schedule,
        }

    def _apply(self, obj: Channel, data: dict[str, Any], existing: bool) -> None:
        errors: Errors = {}
        if data["locale"] not in self.ctx.locales:
            errors.setdefault("locale", []).append(f"unknown locale '{data['locale']}'")
        if data["currency"] not in self.ctx.currencies:
            errors.setdefault("currency", []).append(f"unknown currency '{data['currency']}'")
        for index, code in enumerate(data["filter"]["families"]):
            if code not in self.ctx.families:
                errors.setdefault(f"filter.families[{index}]", []).append(f"unknown family '{code}'")
        for index, code in enumerate(data["filter"]["categories"]):
            if code not in self.ctx.categories:
                errors.setdefault(f"filter.categories[{index}]", []).append(f"unknown category '{code}'")
        for code in data["mapping"]["category_map"]:
            if code not in self.ctx.categories:
                errors.setdefault(f"mapping.category_map.{code}", []).append(f"unknown category '{code}'")
        if self.adapters is not None:
            adapter = self.adapters.get(data["adapter"])
            if adapter is None:
                errors.setdefault("adapter", []).append(
                    f"no adapter '{data['adapter']}' is installed; installed: {', '.join(self.adapters.names())}")
            else:
                try:
                    adapter.settings_schema().load(data["settings"])
                except ValidationError as exc:
                    for field, reasons in flatten_messages(exc.messages, "settings").items():
                        errors.setdefault(field, []).extend(reasons)
        if data["schedule"]:
            try:
                schedules.parse(data["schedule"])
            except ValidationFailed as exc:
                errors.update(exc.errors)
        _fail_if(errors, "channel")
        for name in ("labels", "adapter", "locale", "currency", "country", "filter", "mapping", "settings", "destination", "schedule"):
            setattr(obj, name, data[name])
        if not existing:
            obj.feed_token = new_feed_token()

    def _saved(self, obj: Channel, before: dict[str, Any] | None) -> None:
        if before is None:
            product_index.added_channel(self.session, self.ctx, obj)
        else:
            product_index.changed_channel(self.session, self.ctx, obj, locale_changed=before["locale"] != obj.locale,
                                          filter_changed=before["filter"] != obj.filter)

    def _check_delete(self, obj: Channel) -> None:
        if self.session.get(ChannelLock, obj.id) is not None:
            raise Conflict(f"channel '{obj.code}' is being published; delete it when that run has finished")

    def _deleting(self, obj: Channel) -> None:
        """Its own offers go with it (ON DELETE CASCADE): their documents are stale. Its rows of
        the product index have no foreign key (migration 0014) and are deleted here."""
        DocumentRepo(self.session).mark_stale_for_channel(obj.id)
        CompletenessRepo(self.session).remove_channel(obj.id)

    def rotate_token(self, obj: Channel) -> str:
        obj.feed_token = new_feed_token()
        self.session.flush()
        audit.record(self.session, self.actor, "channel.rotate_token", ("channel", obj.code), {"feed_token": audit.NOT_RECORDED})
        return obj.feed_token


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class LocaleService(CodedService[Locale]):
    model, noun, audited = Locale, "locale", "locale"

    def state(self, obj: Locale) -> dict[str, Any]:
        return {"code": obj.code, "label": obj.label}

    def _apply(self, obj: Locale, data: dict[str, Any], existing: bool) -> None:
        obj.label = data["label"]

    def _check_delete(self, obj: Locale) -> None:
        users = [c.code for c in self.ctx.channels.values() if c.locale == obj.code]
        if users:
            raise Conflict(f"locale '{obj.code}' is used by channels {', '.join(users)}")


class CurrencyService(CodedService[Currency]):
    model, noun, audited = Currency, "currency", "currency"

    def state(self, obj: Currency) -> dict[str, Any]:
        return {"code": obj.code, "label": obj.label}

    def _apply(self, obj: Currency, data: dict[str, Any], existing: bool) -> None:
        obj.label = data["label"]

    def _check_delete(self, obj: Currency) -> None:
        users = [c.code for c in self.ctx.channels.values() if c.currency == obj.code]
        if users:
            raise Conflict(f"currency '{obj.code}' is used by channels {', '.join(users)}")
