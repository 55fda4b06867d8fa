"""Products and product models, in the Akeneo-like shape of DESIGN.md."""

from __future__ import annotations

from typing import Any, Callable

from marshmallow import RAISE, ValidationError, fields, post_load, validate, validates_schema

from schemas import product_fast
from schemas.common import (MEDIA_ROLES, MEDIA_TEXT_MAX, MOST_AXES, SKU_MAX, SKU_PATTERN, Code, CurrencyCode, JsonBoolean, LocaleCode,
                            StrictSchema, Values)

# Fields a client reads and may send back unchanged in a PUT; they are ignored on input.
READ_ONLY = ("stock", "revision", "created", "updated", "inherited_values")

def _not_negative(amount: Any) -> None:
    if amount is not None and amount < 0:
        raise ValidationError("must not be negative")


def Money(**kwargs: Any) -> fields.Decimal:
    """An exact amount; validated by a plain function, since apispec would print a Range's bound as a string."""
    return fields.Decimal(as_string=True, allow_nan=False, places=None, validate=_not_negative, **kwargs)


class OfferIn(StrictSchema):
    currency = CurrencyCode(required=True)
    price = Money(required=True)
    channel = fields.String(allow_none=True, load_default=None)
    location = fields.String(allow_none=True, load_default=None, metadata={"description": "a store's own price"})
    sale_price = Money(allow_none=True, load_default=None)
    sale_start = fields.AwareDateTime(allow_none=True, load_default=None)
    sale_end = fields.AwareDateTime(allow_none=True, load_default=None)

    @validates_schema
    def _sale_consistent(self, data: dict[str, Any], **_: Any) -> None:
        for name in ("price", "sale_price"):
            amount = data.get(name)
            if amount is not None and amount.as_tuple().exponent < -4:
                raise ValidationError("at most 4 decimal places", name)
        if data.get("sale_price") is not None and data.get("price") is not None and data["sale_price"] >= data["price"]:
            raise ValidationError("a sale price must be lower than the price", "sale_price")
        start, end = data.get("sale_start"), data.get("sale_end")
        if start and end and end <= start:
            raise ValidationError("the sale must end after it starts", "sale_end")
        if (start or end) and data.get("sale_price") is None:
            raise ValidationError("sale dates need a sale price", "sale_price")


class MediaRefIn(StrictSchema):
    path = fields.String(required=True, validate=validate.Length(min=1, max=MEDIA_TEXT_MAX))
    role = fields.String(load_default="additional", validate=validate.OneOf(MEDIA_ROLES))
    alt = fields.Dict(keys=LocaleCode(), values=fields.String(validate=validate.Length(max=MEDIA_TEXT_MAX)), load_default=dict)


class _IgnoresReadOnly(StrictSchema):
    stock = fields.Raw(load_only=True, allow_none=True)
    revision = fields.Raw(load_only=True, allow_none=True)
    created = fields.Raw(load_only=True, allow_none=True)
    updated = fields.Raw(load_only=True, allow_none=True)
    inherited_values = fields.Raw(load_only=True, allow_none=True)

    @post_load
    def _drop_read_only(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        for name in READ_ONLY:
            data.pop(name, None)
        return data


class _FastLoaded(_IgnoresReadOnly):
    """A schema with a checked fast path in ``product_fast`` (``_fast``): a plain body a plain
    instance loads takes it, and it answers what the schema answers or hands the body back."""

    _fast: Callable[[Any], dict[str, Any] | None]

    def load(self, data: Any, *, many: bool | None = None, partial: Any = None, unknown: Any = None) -> Any:
        if many is None and partial is None and unknown is None and self._plain:
            loaded = self._fast(data)
            if loaded is not None:
                return loaded
        return super().load(data, many=many, partial=partial, unknown=unknown)

    @property
    def _plain(self) -> bool:
        return not self.many and not self.partial and self.only is None and not self.exclude and self.unknown == RAISE


class ProductIn(_FastLoaded):
    _fast = staticmethod(product_fast.load)
    sku = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=SKU_MAX), validate.Regexp(SKU_PATTERN, error="letters, digits, '.', '_' and '-' only")],
    )
    family = fields.String(allow_none=True, load_default=None)
    parent = fields.String(allow_none=True, load_default=None)
    enabled = JsonBoolean(load_default=True)
    categories = fields.List(fields.String(), load_default=list)
    values = Values()
    offers = fields.List(fields.Nested(OfferIn), load_default=list)
    media = fields.List(fields.Nested(MediaRefIn), load_default=list)

    @validates_schema
    def _family_or_parent(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("family") and not data.get("parent"):
            raise ValidationError("a product needs a family (or a parent product model to take it from)", "family")
        seen: dict[tuple[str, str | None, str | None], int] = {}
        for index, offer in enumerate(data.get("offers", [])):
            key = (offer["currency"], offer.get("channel"), offer.get("location"))
            if key in seen:
                where = f"channel {key[1]}, store {key[2]}"
                raise ValidationError(
                    {index: {"currency": [f"a second offer in {key[0]} for {where}; offer {seen[key]} has it"]}},
                    "offers",
                )
            seen[key] = index


class ProductModelIn(_FastLoaded):
    _fast = staticmethod(product_fast.load_model)

    code = Code(required=True)
    family = fields.String(required=True)
    variant_axes = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=MOST_AXES))
    categories = fields.List(fields.String(), load_default=list)
    values = Values()


class OfferOut(StrictSchema):
    currency = fields.String()
    price = fields.Decimal(as_string=True)
    channel = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    sale_price = fields.Decimal(as_string=True, allow_none=True)
    sale_start = fields.AwareDateTime(allow_none=True)
    sale_end = fields.AwareDateTime(allow_none=True)


class ProductOut(StrictSchema):
    sku = fields.String()
    family = fields.String()
    parent = fields.String(allow_none=True)
    enabled = fields.Boolean()
    categories = fields.List(fields.String())
    values = fields.Dict()
    inherited_values = fields.Dict()
    offers = fields.List(fields.Dict())
    media = fields.List(fields.Dict())
    stock = fields.List(fields.Dict())
    revision = fields.Integer()
    created = fields.AwareDateTime()
    updated = fields.AwareDateTime()


class ProductModelOut(StrictSchema):
    code = fields.String()
    family = fields.String()
    variant_axes = fields.List(fields.String())
    categories = fields.List(fields.String())
    values = fields.Dict()
    revision = fields.Integer()
    created = fields.AwareDateTime()
    updated = fields.AwareDateTime()


class RevertIn(StrictSchema):
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class ChangeOut(StrictSchema):
    field = fields.String()
    old = fields.Raw()
    new = fields.Raw()


class VersionOut(StrictSchema):
    version = fields.Integer()
    author = fields.String()
    at = fields.AwareDateTime()
    changes = fields.List(fields.Nested(ChangeOut))


class CompletenessOut(StrictSchema):
    channel = fields.String()
    locale = fields.String()
    ratio = fields.Float()
    required = fields.Integer()
    missing = fields.List(fields.String())
