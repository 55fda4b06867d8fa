"""Reference data one unit of work reads again and again, loaded once per request or job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hub.cached import cached_property
from hub.store.models import Attribute, Category, Channel, Family, Location
from hub.store.repos import CatalogRepo, Selection


@dataclass(frozen=True, slots=True)
class Rules:
    """An attribute's rules as plain fields. Validation reads them for every value of every
    product (a million-product load reads them tens of millions of times), and a mapped
    attribute's field costs several times a plain one."""

    code: str
    type: str
    localizable: bool
    scopable: bool
    validation: dict[str, Any]
    options: list[dict[str, Any]]
    unit: str | None
    option_codes: frozenset[str]

    @classmethod
    def of(cls, attribute: Attribute) -> Rules:
        options = attribute.options or []
        return cls(attribute.code, attribute.type, attribute.localizable, attribute.scopable, attribute.validation or {},
                   options, attribute.unit, frozenset(option["code"] for option in options))


class CatalogContext:
    """Attributes, families, channels, locales and categories by code, read lazily and cached.

    A bulk import validates thousands of products against the same definitions; reading them once
    per unit of work keeps validation off the database. Call ``refresh()`` after changing them.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.repo = CatalogRepo(session)

    def refresh(self) -> None:
        for name in ("attributes", "families", "channels", "locales", "currencies", "categories", "stores", "codes",
                     "_family_codes", "rules"):
            self.__dict__.pop(name, None)

    @cached_property
    def attributes(self) -> dict[str, Attribute]:
        return {a.code: a for a in self.repo.attributes()}

    @cached_property
    def rules(self) -> dict[str, Rules]:
        """Each attribute's rules, by code."""
        return {code: Rules.of(attribute) for code, attribute in self.attributes.items()}

    @cached_property
    def families(self) -> dict[str, Family]:
        return {f.code: f for f in self.repo.families()}

    @cached_property
    def channels(self) -> dict[str, Channel]:
        return {c.code: c for c in self.repo.channels()}

    @cached_property
    def locales(self) -> set[str]:
        return self.repo.locales()

    @cached_property
    def currencies(self) -> set[str]:
        return self.repo.currencies()

    @cached_property
    def categories(self) -> dict[str, Category]:
        return {c.code: c for c in self.repo.categories()}

    @cached_property
    def stores(self) -> dict[str, Location]:
        return {loc.code: loc for loc in self.repo.all(Location) if loc.type == "store"}

    @cached_property
    def codes(self) -> dict[str, dict[int, str]]:
        """Codes by id of families, categories, channels and stores: rows read with Core name ids.
        Read as plain (id, code) rows: a page of the product list needs no more, and loading every
        family and channel whole was a third of it."""
        return self.repo.code_maps()

    def selection(self, channel: Channel) -> Selection:
        """The channel's filter as the product query takes it."""
        filters = channel.filter or {}
        return Selection(
            family_ids=[self.families[c].id for c in filters.get("families", []) if c in self.families] or None,
            category_ids=self.category_subtree(filters.get("categories", [])) or None,
            enabled_only=filters.get("enabled_only", True),
        )

    def category_subtree(self, codes: list[str]) -> list[int]:
        """Ids of the named categories and every category below them: what "in category X" means."""
        chosen = {c.id for code, c in self.categories.items() if code in codes}
        grew = True
        while grew:
            below = {c.id for c in self.categories.values() if c.parent_id in chosen} - chosen
            chosen |= below
            grew = bool(below)
        return sorted(chosen)

    def family_attribute_codes(self, family: Family) -> frozenset[str]:
        """Asked for each product validated: kept per family until ``refresh``."""
        found = self._family_codes.get(family.id)
        if found is None:
            found = self._family_codes[family.id] = frozenset(a.code for a in family.attributes)
        return found

    @cached_property
    def _family_codes(self) -> dict[int, frozenset[str]]:
        return {}
