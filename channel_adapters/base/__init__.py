"""The adapter contract: resolved product views in, channel items and diagnostics out."""

from channel_adapters.base.contract import (
    ChannelAdapter, FieldSpec, InvalidOutput, Item, OutputFile, Outputs, RenderContext, StoreInfo,
)
from channel_adapters.base.diagnostics import Diagnostic, Severity
from channel_adapters.base.identifiers import gtin_problem, is_valid_gtin
from channel_adapters.base.registry import AdapterError, AdapterRegistry, load_adapters
from channel_adapters.base.rules import check_fields, present, truncate
from channel_adapters.base.units import UNITS, Unit, convert
from channel_adapters.base.view import CategoryView, MediaView, OfferView, ProductView, StockView

__all__ = [
    "AdapterError", "AdapterRegistry", "ChannelAdapter", "FieldSpec", "InvalidOutput", "Item", "OutputFile",
    "Outputs", "RenderContext", "StoreInfo", "check_fields", "load_adapters", "present", "truncate",
    "CategoryView", "Diagnostic", "MediaView", "OfferView", "ProductView", "Severity", "StockView",
    "UNITS", "Unit", "convert", "gtin_problem", "is_valid_gtin",
]
