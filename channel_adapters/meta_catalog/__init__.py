"""Meta commerce catalog data feed (Facebook and Instagram shops, Advantage+ catalog ads), as CSV.

Column names, required fields and allowed values follow Meta's catalog field reference and the
example CSV feed of its "Set Up Your Catalog Feed" guide; Meta spells availability with a space
("in stock"). The mapping and the writer are shared with the other social catalogs.
"""

from __future__ import annotations

import csv
from typing import ClassVar

from marshmallow import Schema

from channel_adapters.base import FieldSpec
from channel_adapters.base.social import CONDITIONS, CatalogFormat, CatalogSettings, SocialCatalogAdapter

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", required=True, max_length=100, description="the content_id the Meta pixel reports"),
    FieldSpec("title", required=True, max_length=200),
    FieldSpec("description", required=True, max_length=9999, description="plain text"),
    FieldSpec("availability", required=True,
              allowed=("in stock", "out of stock", "preorder", "available for order", "discontinued")),
    FieldSpec("condition", required=True, allowed=CONDITIONS),
    FieldSpec("price", required=True, description='"9.99 USD": amount and ISO 4217 code'),
    FieldSpec("link", required=True),
    FieldSpec("image_link", required=True),
    FieldSpec("brand", required=True, max_length=100),
    FieldSpec("additional_image_link", description="up to 20 URLs, comma-separated in one quoted cell"),
    FieldSpec("age_group", allowed=("adult", "all ages", "infant", "kids", "newborn", "teen", "toddler")),
    FieldSpec("color", max_length=200),
    FieldSpec("gender", allowed=("female", "male", "unisex")),
    FieldSpec("item_group_id", description="shared by the variants of one product"),
    FieldSpec("google_product_category"),
    FieldSpec("product_type", max_length=750),
    FieldSpec("sale_price"),
    FieldSpec("sale_price_effective_date", description="ISO 8601 start/end"),
    FieldSpec("size", max_length=200),
    FieldSpec("gtin"),
    FieldSpec("mpn", max_length=100),
)

FORMAT = CatalogFormat(
    file_name="catalog.csv", fields=FIELDS, max_additional_images=20, sale_dates=True,
    truncated=("description", "product_type"),
    # Meta asks for fields holding whitespace or commas in double quotes; quoting every cell keeps to that.
    quoting=csv.QUOTE_ALL,
)


class MetaCatalogSettings(CatalogSettings):
    """Meta takes no settings beyond the shared ones (the condition of the goods)."""


class MetaCatalogAdapter(SocialCatalogAdapter):
    name: ClassVar[str] = "meta_catalog"
    title: ClassVar[str] = "Meta catalog data feed (Facebook and Instagram)"
    settings_schema: ClassVar[type[Schema]] = MetaCatalogSettings
    fields: ClassVar[tuple[FieldSpec, ...]] = FIELDS
    format: ClassVar[CatalogFormat] = FORMAT
