"""TikTok catalog product feed (Video Shopping Ads, catalog ads), as CSV.

The nine required fields (``sku_id`` for the id, ``brand`` among them) and the allowed values of
availability and condition follow TikTok's "Catalog Product Parameters". That page mirrors Meta's
field set; its length limits were not in the copy read, so the limits below are the conservative
ones Meta's catalog long used (id 100, title 150, description 5000), which TikTok's own sibling
catalog spec (streaming ads: id 100, title 150) matches. The mapping and the writer are shared with
the other social catalogs.
"""

from __future__ import annotations

from typing import ClassVar

from marshmallow import Schema

from channel_adapters.base import FieldSpec
from channel_adapters.base.social import CONDITIONS, CatalogFormat, CatalogSettings, SocialCatalogAdapter

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("sku_id", required=True, max_length=100, description="the content_id the TikTok pixel reports"),
    FieldSpec("title", required=True, max_length=150, description="no emoji or promotional text"),
    FieldSpec("description", required=True, max_length=5000),
    FieldSpec("availability", required=True,
              allowed=("in stock", "available for order", "preorder", "out of stock", "discontinued")),
    FieldSpec("condition", required=True, allowed=CONDITIONS),
    FieldSpec("price", required=True, description='"9.99 USD"'),
    FieldSpec("link", required=True),
    FieldSpec("image_link", required=True),
    FieldSpec("brand", required=True),
    FieldSpec("item_group_id"),
    FieldSpec("gtin"),
    FieldSpec("mpn"),
    FieldSpec("additional_image_link", description="up to 10 URLs, comma-separated"),
    FieldSpec("sale_price"),
    FieldSpec("sale_price_effective_date", description="ISO 8601 start/end"),
    FieldSpec("google_product_category"),
    FieldSpec("color"),
    FieldSpec("size"),
    FieldSpec("gender", allowed=("female", "male", "unisex")),
    FieldSpec("age_group", allowed=("newborn", "infant", "toddler", "kids", "adult")),
)

FORMAT = CatalogFormat(file_name="catalog.csv", fields=FIELDS, id_field="sku_id", max_additional_images=10,
                       sale_dates=True, truncated=("description",))


class TikTokSettings(CatalogSettings):
    """TikTok takes no settings beyond the shared ones (the condition of the goods)."""


class TikTokAdapter(SocialCatalogAdapter):
    name: ClassVar[str] = "tiktok"
    title: ClassVar[str] = "TikTok catalog product feed"
    settings_schema: ClassVar[type[Schema]] = TikTokSettings
    fields: ClassVar[tuple[FieldSpec, ...]] = FIELDS
    format: ClassVar[CatalogFormat] = FORMAT
