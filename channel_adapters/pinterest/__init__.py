"""Pinterest catalog data source (product Pins, shopping ads), as CSV.

Field names, length limits and allowed values follow Pinterest's catalog item attributes
(``ItemAttributesRequest`` of its API) and its data source setup guide. Pinterest reads no sale
dates, so a sale price goes out only while the sale runs. The mapping and the writer are shared
with the other social catalogs.
"""

from __future__ import annotations

from typing import ClassVar

from marshmallow import Schema

from channel_adapters.base import FieldSpec
from channel_adapters.base.social import CONDITIONS, CatalogFormat, CatalogSettings, SocialCatalogAdapter

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", required=True, max_length=127),
    FieldSpec("title", required=True, max_length=500),
    FieldSpec("description", required=True, max_length=10000, description="plain text, no HTML"),
    FieldSpec("link", required=True, max_length=511),
    FieldSpec("image_link", required=True, max_length=2000, description="commas must be encoded"),
    FieldSpec("price", required=True, description='"24.99 USD"'),
    FieldSpec("availability", required=True, allowed=("in stock", "out of stock", "preorder")),
    FieldSpec("additional_image_link", description="up to 10 URLs of at most 2000 characters, comma-separated"),
    FieldSpec("sale_price", description="must be lower than price"),
    FieldSpec("condition", allowed=CONDITIONS),
    FieldSpec("brand"),
    FieldSpec("gtin"),
    FieldSpec("mpn"),
    FieldSpec("item_group_id", max_length=127),
    FieldSpec("google_product_category"),
    FieldSpec("product_type", max_length=1000, description="levels separated by ' > '"),
    FieldSpec("color"),
    FieldSpec("size"),
    FieldSpec("gender", allowed=("male", "female", "unisex")),
    FieldSpec("age_group", allowed=("newborn", "infant", "toddler", "kids", "adult")),
)

FORMAT = CatalogFormat(file_name="catalog.csv", fields=FIELDS, max_additional_images=10, sale_dates=False,
                       truncated=("description", "product_type"))


class PinterestSettings(CatalogSettings):
    """Pinterest takes no settings beyond the shared ones (the condition of the goods)."""


class PinterestAdapter(SocialCatalogAdapter):
    name: ClassVar[str] = "pinterest"
    title: ClassVar[str] = "Pinterest catalog data source"
    settings_schema: ClassVar[type[Schema]] = PinterestSettings
    fields: ClassVar[tuple[FieldSpec, ...]] = FIELDS
    format: ClassVar[CatalogFormat] = FORMAT
