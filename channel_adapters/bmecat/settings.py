"""The channel settings of a BMEcat catalog, and the XSD limits they must respect.

Every field has a default, so an empty settings dict loads; values that would break the XSD
(a CATALOG_VERSION that is not ``n.n``, an ORDER_UNIT outside UN/ECE Rec. 20) are refused when
the channel is configured rather than when a publication runs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from marshmallow import Schema, ValidationError, fields, validate

from channel_adapters.bmecat.codes import DEFAULT_FEATURES
from channel_adapters.bmecat.schema import code_list

# typePRICE_TYPE, without "on_request" (a catalog from an offer always has an amount) and
# "net_customer_exp" (an expected price, which an offer is not).
PRICE_TYPE = r"^(gros_list|net_customer|net_list|nrp|udp_[A-Za-z0-9_]{1,16})$"
PARTY_ID_TYPES = ["buyer_specific", "customer_specific", "duns", "iln", "gln", "party_specific", "supplier_specific"]


def in_code_list(type_name: str) -> Callable[[Any], None]:
    """A validator that accepts only the values of one of the XSD's enumerations (read lazily)."""
    def check(value: Any) -> None:
        if value not in code_list(type_name):
            raise ValidationError(f"'{value}' is not a code of BMEcat 2005's {type_name}")
    return check


class BmecatSettings(Schema):
    # CATALOG_ID (max 20); None uses the channel's code, cut to 20 characters.
    catalog_id = fields.String(load_default=None, validate=validate.Length(min=1, max=20))
    catalog_version = fields.String(load_default="1.0", validate=validate.Regexp(r"^[0-9]{1,3}\.[0-9]{1,3}$"))
    catalog_name = fields.String(load_default="Crosscanal product catalog", validate=validate.Length(min=1, max=100))
    # ISO 639-2 code for LANGUAGE; None derives it from the channel's locale.
    language = fields.String(load_default=None, validate=in_code_list("dtLANG"))
    supplier_name = fields.String(load_default="Crosscanal", validate=validate.Length(min=1, max=50))
    # The id the marketplace knows the supplier by (typically assigned by it: buyer_specific).
    supplier_id = fields.String(load_default=None, validate=validate.Length(min=1, max=250))
    supplier_id_type = fields.String(load_default="buyer_specific", validate=validate.OneOf(PARTY_ID_TYPES))
    # net_customer: what the marketplace pays; nrp: the recommended retail price.
    price_type = fields.String(load_default="net_customer", validate=validate.Regexp(PRICE_TYPE))
    # The tax rate as a factor (0.19 for 19 %), written as TAX on every price when set.
    tax = fields.Decimal(load_default=None, validate=validate.Range(min=0, max=1))
    order_unit = fields.String(load_default="C62", validate=in_code_list("dtPUNIT"))
    content_unit = fields.String(load_default="C62", validate=in_code_list("dtPUNIT"))
    units_per_order_unit = fields.Decimal(load_default=Decimal("1"),
                                          validate=validate.Range(min=0, min_inclusive=False))
    # A classification system (e.g. "ECLASS-5.1"); the channel's category map then gives each
    # product's group id in it. None: no classification is written.
    classification_system = fields.String(load_default=None, validate=validate.Regexp(r"^[\w\-.]{1,80}$"))
    features = fields.List(fields.String(validate=validate.Length(min=1)), load_default=lambda: list(DEFAULT_FEATURES))
    feature_names = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(min=1, max=60)),
                                load_default=dict)
