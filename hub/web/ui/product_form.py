"""The product page's edit form as the template sees it: one input per value slot (attribute,
locale, channel), the media with their alt texts, the offers, the categories, and where each
reason for refusing a save belongs.

The form is built from the product's state and the request's catalog context only, so showing it
costs no query per attribute, offer or category.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator

from hub.services.context import CatalogContext
from hub.store.models import Attribute, Product
from hub.web.ui.product_form_values import (
    EDITABLE_TYPES, Choice, Entry, display, label_in, option_choices, to_entry, unit_choices,
)

ROLES = ("main", "additional", "swatch")  # as MediaRefIn allows them
Slot = tuple[str | None, str | None]  # (locale, channel); None means "for all"


@dataclass
class ValueInput:
    """The input(s) for one value of one attribute in one locale and channel (or for all)."""

    attribute: Attribute
    locale: str | None
    scope: str | None
    entry: Entry
    inherited: str | None = None  # the product model's value for this slot, as read
    choices: list[Choice] = field(default_factory=list)  # a select's options, or the media an image may name
    errors: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.attribute.type

    @property
    def name(self) -> str:
        return f"value:{self.attribute.code}:{self.locale or ''}:{self.scope or ''}"

    @property
    def id(self) -> str:
        base = f"field-{self.attribute.code}-{self.locale or 'all'}"
        return f"{base}-{self.scope or 'all'}" if self.attribute.scopable else base

    @property
    def label(self) -> str:
        where = [self.locale if self.locale else ("all locales" if self.attribute.localizable else None)]
        if self.attribute.scopable:
            where.append(self.scope or "all channels")
        inside = ", ".join(w for w in where if w)
        name = label_in(self.attribute.labels, None, self.attribute.code)
        return f"{name} ({inside})" if inside else name

    @property
    def units(self) -> list[Choice]:
        return unit_choices(self.attribute)

    @property
    def has_value(self) -> bool:
        return bool(self.entry.text.strip() or self.entry.chosen)


@dataclass
class LocaleRow:
    """One locale's inputs of an attribute: the value for all channels, then one per channel."""

    locale: str | None
    main: ValueInput
    channels: list[ValueInput] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """Show the per-channel inputs unfolded when one of them holds something to look at."""
        return any(i.has_value or i.errors or i.inherited for i in self.channels)


@dataclass
class AttributeGroup:
    """Every input of one attribute, with what is said about the attribute as a whole."""

    attribute: Attribute
    rows: list[LocaleRow] = field(default_factory=list)
    axis_value: str | None = None  # set for a variant axis, which the product model fixes
    read_only: str | None = None  # set for a type this form cannot edit: its value, as read
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return label_in(self.attribute.labels, None, self.attribute.code)

    @property
    def editable(self) -> bool:
        return self.axis_value is None and self.read_only is None

    def inputs(self) -> Iterator[ValueInput]:
        for row in self.rows:
            yield row.main
            yield from row.channels


@dataclass
class MediaRow:
    """One of the product's media: its role and alt text per locale, or removed on save."""

    index: int  # its position in the product's media list
    path: str
    role: str
    alt: dict[str, str]
    remove: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)  # "row", "role", "alt", "alt:<locale>"

    def id(self, part: str) -> str:
        return f"media-{self.index}-{part}"

    def where(self, part: str, locales: list[str]) -> tuple[str, str]:
        """The input and the words for one of ``errors``' keys."""
        if part.startswith("alt:"):
            locale = part.removeprefix("alt:")
            return self.id(f"alt-{locale}"), f"Image {self.index + 1} alt text ({locale})"
        if part == "alt" and locales:
            return self.id(f"alt-{locales[0]}"), f"Image {self.index + 1} alt text"
        return self.id("role"), f"Image {self.index + 1} role" if part == "role" else f"Image {self.index + 1}"

    def name(self, part: str) -> str:
        return f"media-{self.index}-{part}"


OFFER_FIELDS = ("currency", "price", "channel", "location", "sale_price", "sale_start", "sale_end")


@dataclass
class OfferRow:
    """One offer's inputs, as texts; ``was`` is the stored offer it was shown from, if any."""

    index: int
    was: int | None = None
    texts: dict[str, str] = field(default_factory=lambda: dict.fromkeys(OFFER_FIELDS, ""))
    remove: bool = False
    added: bool = False  # just added with "Add offer": it takes the focus
    errors: dict[str, list[str]] = field(default_factory=dict)  # a field name, or "row"

    def id(self, part: str) -> str:
        return f"offers-{self.index}-{part}"

    name = id

    @property
    def blank(self) -> bool:
        return not any(text.strip() for text in self.texts.values())


@dataclass(frozen=True)
class CategoryChoice:
    code: str
    label: str
    depth: int


@dataclass
class ProductForm:
    """Everything the edit form shows, with the choices its selects offer and the reasons a save
    was refused, kept in the sections they are about."""

    enabled: bool
    groups: list[AttributeGroup]
    media: list[MediaRow]
    offers: list[OfferRow]
    categories: list[CategoryChoice]
    chosen_categories: set[str]
    inherited_categories: list[str]
    locales: list[str]
    currencies: list[str]
    channels: list[str]
    stores: list[str]
    errors: dict[str, list[str]] = field(default_factory=dict)  # "general", "categories", "media", "offers"
    roles: tuple[str, ...] = ROLES

    def group(self, code: str) -> AttributeGroup | None:
        return next((g for g in self.groups if g.attribute.code == code), None)

    def anchor(self, code: str, channel: str, locale: str) -> str | None:
        """The id of the input a channel's missing ``code`` is filled in, in the channel's locale."""
        group = self.group(code)
        if group is None or not group.editable:
            return None
        wanted = (locale if group.attribute.localizable else None, channel if group.attribute.scopable else None)
        return next((i.id for i in group.inputs() if (i.locale, i.scope) == wanted), None)

    def problems(self) -> list[Problem]:
        """Every reason the save was refused, with the input it is about: the error summary."""
        found = [Problem(None, "", self.errors["general"])] if self.errors.get("general") else []
        for group in self.groups:
            first = next(group.inputs(), None)
            if group.errors:
                found.append(Problem(first.id if first else None, group.label, group.errors))
            found += [Problem(i.id, i.label, i.errors) for i in group.inputs() if i.errors]
        for section, title in (("categories", "Categories"), ("media", "Media"), ("offers", "Offers")):
            if self.errors.get(section):
                found.append(Problem(section, title, self.errors[section]))
        for media in self.media:
            for part, reasons in media.errors.items():
                found.append(Problem(*media.where(part, self.locales), reasons))
        for offer in self.offers:
            for part, reasons in offer.errors.items():
                target = offer.id(part if part in OFFER_FIELDS else "currency")
                found.append(Problem(target, f"Offer {offer.index + 1} {part.replace('_', ' ') if part != 'row' else ''}".strip(), reasons))
        return found


@dataclass(frozen=True)
class Problem:
    """One line of the error summary: a link to the input (when there is one) and its reasons."""

    target: str | None
    label: str
    reasons: list[str]


def local_text(moment: str | None) -> str:
    """An ISO 8601 instant as a datetime-local input shows it, in UTC; seconds only when set."""
    if not moment:
        return ""
    utc = datetime.fromisoformat(moment).astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M" if not (utc.second or utc.microsecond) else "%Y-%m-%dT%H:%M:%S")


def offer_row(index: int, offer: dict[str, Any], was: int | None) -> OfferRow:
    texts = {name: "" if offer.get(name) is None else str(offer[name]) for name in OFFER_FIELDS}
    texts["sale_start"], texts["sale_end"] = local_text(offer.get("sale_start")), local_text(offer.get("sale_end"))
    return OfferRow(index, was, texts)


def build_form(product: Product, state: dict[str, Any], ctx: CatalogContext) -> ProductForm:
    """The form showing ``state`` (the product's, from ``ProductService.state``)."""
    locales = sorted(ctx.locales)
    channels = sorted(ctx.channels)
    categories = _category_tree(ctx)
    return ProductForm(
        enabled=state["enabled"],
        groups=[_group(a, product, state, locales, channels) for a in product.family.attributes],
        media=[MediaRow(i, m["path"], m.get("role", "additional"), dict(m.get("alt") or {})) for i, m in enumerate(state["media"])],
        offers=[offer_row(i, offer, i) for i, offer in enumerate(state["offers"])],
        categories=categories,
        chosen_categories=set(state["categories"]),
        inherited_categories=sorted(c.code for c in product.parent.categories) if product.parent else [],
        locales=locales, currencies=sorted(ctx.currencies), channels=channels, stores=sorted(ctx.stores),
    )


def _keyed(values: dict[str, list[dict[str, Any]]], code: str) -> dict[Slot, Any]:
    return {(e["locale"], e["scope"]): e["data"] for e in values.get(code, [])}


def _group(attribute: Attribute, product: Product, state: dict[str, Any], locales: list[str], channels: list[str]) -> AttributeGroup:
    code = attribute.code
    own = _keyed(state["values"], code)
    model = _keyed(product.parent.values or {}, code) if product.parent else {}
    group = AttributeGroup(attribute)
    if product.parent is not None and code in product.parent.variant_axes:
        group.axis_value = display(attribute, own.get((None, None)), None) or "not set"
        return group
    if attribute.type not in EDITABLE_TYPES:
        group.read_only = "; ".join(display(attribute, data, None) for data in own.values()) or "no value"
        return group
    # A value may be less specific than the attribute allows (one for every locale), as the API
    # accepts; such a slot gets its inputs too, so nothing stored is out of reach.
    spare = {locale for locale, _ in [*own, *model]}
    row_locales: list[str | None] = locales if attribute.localizable else []
    if not attribute.localizable or None in spare:
        row_locales = [None, *row_locales]
    images = _image_choices(state, own, model) if attribute.type == "image" else []
    for locale in row_locales:
        scopes = [None, *channels] if attribute.scopable else [None]
        inputs = []
        for scope in scopes:
            slot = (locale, scope)
            inherited = model.get(slot)
            choices = option_choices(attribute, locale) if attribute.type in ("select", "multiselect") else images
            inputs.append(ValueInput(attribute, locale, scope, to_entry(attribute, own.get(slot)),
                                     display(attribute, inherited, locale) if inherited is not None else None, choices))
        group.rows.append(LocaleRow(locale, inputs[0], inputs[1:]))
    return group


def _image_choices(state: dict[str, Any], own: dict[Slot, Any], model: dict[Slot, Any]) -> list[Choice]:
    """The product's media, and any path a value already names (so it stays selectable)."""
    choices = {}
    for ref in state["media"]:
        alt = label_in(ref.get("alt"), None, "")
        choices[ref["path"]] = Choice(ref["path"], f"{ref.get('role', 'additional')}: {alt or ref['path']}")
    for path in [*own.values(), *model.values()]:
        if isinstance(path, str) and path not in choices:
            choices[path] = Choice(path, path)
    return list(choices.values())


def _category_tree(ctx: CatalogContext) -> list[CategoryChoice]:
    """Every category, depth first under its parent, labelled in the UI's language."""
    children: dict[int | None, list[Any]] = {}
    for category in ctx.categories.values():
        children.setdefault(category.parent_id, []).append(category)
    found: list[CategoryChoice] = []

    def walk(parent: int | None, depth: int) -> None:
        for category in sorted(children.get(parent, []), key=lambda c: c.code):
            found.append(CategoryChoice(category.code, label_in(category.labels, None, category.code), depth))
            walk(category.id, depth + 1)

    walk(None, 0)
    return found
