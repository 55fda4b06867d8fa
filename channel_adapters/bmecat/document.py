"""Writing the catalog: the HEADER from the channel, then each PRODUCT serialized on its own, in chunks.

Elements follow the XSD's sequence order exactly (the schema is order-sensitive). Only one
PRODUCT is in memory at a time, so memory stays flat however large the catalog.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from lxml import etree

from channel_adapters.base import InvalidOutput, RenderContext
from channel_adapters.bmecat.codes import language_code
from channel_adapters.bmecat.schema import NS, code_list, matches, tag

GENERATOR_INFO = "Crosscanal product information hub"
# Standalone elements need the default namespace declared on them, or xmlfile writes ns0: prefixes.
NSMAP = {None: NS}
ORDER_FIELDS = ("ORDER_UNIT", "CONTENT_UNIT", "NO_CU_PER_OU", "PRICE_QUANTITY", "QUANTITY_MIN", "QUANTITY_INTERVAL")
MIME_FIELDS = ("MIME_TYPE", "MIME_SOURCE", "MIME_DESCR", "MIME_ALT", "MIME_PURPOSE", "MIME_ORDER")


def _add(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    child = etree.SubElement(parent, tag(name), attributes) if attributes else etree.SubElement(parent, tag(name))
    if text is not None:
        child.text = text
    return child


def _optional(parent: etree._Element, name: str, text: str | None) -> None:
    """Optional elements are left out when empty: the XSD's strings have a minimum length of 1."""
    if text not in (None, ""):
        _add(parent, name, text)


def datetime_parts(moment: datetime) -> tuple[str, str, str | None]:
    """DATE, TIME and TIMEZONE of typeDATETIME; a naive time has no TIMEZONE.

    TIMEZONE allows whole minutes only, so an offset with seconds is written in UTC instead.
    """
    offset = moment.utcoffset()
    if offset is not None and int(offset.total_seconds()) % 60:
        moment, offset = moment.astimezone(timezone.utc), timedelta(0)
    time = moment.strftime("%H:%M:%S") + (f".{moment.microsecond:06d}" if moment.microsecond else "")
    if offset is None:
        zone = None
    elif not offset:
        zone = "Z"
    else:
        minutes = int(offset.total_seconds()) // 60
        hours, rest = divmod(abs(minutes), 60)
        zone = f"{'+' if minutes >= 0 else '-'}{hours:02d}:{rest:02d}"
    return moment.date().isoformat(), time, zone


def _datetime(parent: etree._Element, kind: str, moment: datetime) -> None:
    node = _add(parent, "DATETIME", type=kind)
    date, time, zone = datetime_parts(moment)
    _add(node, "DATE", date)
    _add(node, "TIME", time)
    if zone is not None:
        _add(node, "TIMEZONE", zone)


def catalog_language(ctx: RenderContext, settings: Mapping[str, Any]) -> str:
    """The catalog's LANGUAGE: the channel's setting, else its locale's; raises InvalidOutput without one."""
    language = settings.get("language") or language_code(ctx.locale)
    if language is None:
        raise InvalidOutput(f"no ISO 639-2 language is known for the locale {ctx.locale}: "
                            "set the channel's 'language' setting (e.g. 'fra')")
    return language


def header_element(ctx: RenderContext, settings: Mapping[str, Any]) -> etree._Element:
    """The HEADER; raises InvalidOutput when the channel itself cannot have a valid BMEcat 2005 catalog.

    Checked before anything is written: an empty T_NEW_CATALOG would replace the marketplace's
    whole catalog, so a channel the format cannot express must fail the publication instead.
    """
    language = catalog_language(ctx, settings)
    if ctx.currency not in code_list("dtCURRENCIES"):
        raise InvalidOutput(f"BMEcat 2005's currency list (ISO 4217 as of 2005) has no {ctx.currency}; "
                            "this channel cannot be published as BMEcat 2005")
    header = etree.Element(tag("HEADER"), nsmap=NSMAP)
    _add(header, "GENERATOR_INFO", GENERATOR_INFO)
    catalog = _add(header, "CATALOG")
    _add(catalog, "LANGUAGE", language, default="true")
    _add(catalog, "CATALOG_ID", settings.get("catalog_id") or ctx.channel[:20] or "crosscanal")
    _add(catalog, "CATALOG_VERSION", settings.get("catalog_version") or "1.0")
    _optional(catalog, "CATALOG_NAME", settings.get("catalog_name"))
    _datetime(catalog, "generation_date", ctx.now)
    if matches("dtCOUNTRIES", ctx.country):  # optional, and the 2005 country list lacks some newer codes
        _add(catalog, "TERRITORY", ctx.country)
    _add(catalog, "CURRENCY", ctx.currency)
    supplier = _add(header, "SUPPLIER")
    if settings.get("supplier_id"):
        _add(supplier, "SUPPLIER_ID", settings["supplier_id"], type=settings.get("supplier_id_type") or "buyer_specific")
    _add(supplier, "SUPPLIER_NAME", settings.get("supplier_name") or "Crosscanal")
    return header


def product_element(fields: Mapping[str, Any]) -> etree._Element:
    """One PRODUCT from an item's fields, which are plain data so rendered items can be cached."""
    product = etree.Element(tag("PRODUCT"), nsmap=NSMAP)
    _add(product, "SUPPLIER_PID", fields.get("SUPPLIER_PID"))
    details = _add(product, "PRODUCT_DETAILS")
    _add(details, "DESCRIPTION_SHORT", fields.get("DESCRIPTION_SHORT"))
    _optional(details, "DESCRIPTION_LONG", fields.get("DESCRIPTION_LONG"))
    if fields.get("INTERNATIONAL_PID"):
        _add(details, "INTERNATIONAL_PID", fields["INTERNATIONAL_PID"], type="gtin")
    _optional(details, "MANUFACTURER_PID", fields.get("MANUFACTURER_PID"))
    _optional(details, "MANUFACTURER_NAME", fields.get("MANUFACTURER_NAME"))
    if fields.get("REFERENCE_FEATURE_GROUP_ID"):
        # The classification in its own PRODUCT_FEATURES: our free features below are not that
        # system's features, and a reference system name would claim they were.
        classification = _add(product, "PRODUCT_FEATURES")
        _add(classification, "REFERENCE_FEATURE_SYSTEM_NAME", fields.get("REFERENCE_FEATURE_SYSTEM_NAME"))
        _add(classification, "REFERENCE_FEATURE_GROUP_ID", fields["REFERENCE_FEATURE_GROUP_ID"])
    if fields.get("FEATURES"):
        features = _add(product, "PRODUCT_FEATURES")
        for feature in fields["FEATURES"]:
            node = _add(features, "FEATURE")
            _add(node, "FNAME", feature["FNAME"])
            _add(node, "FVALUE", feature["FVALUE"])
            _optional(node, "FUNIT", feature.get("FUNIT"))
    order = _add(product, "PRODUCT_ORDER_DETAILS")
    for name in ORDER_FIELDS:
        _optional(order, name, fields.get(name))
    for period in fields.get("PRODUCT_PRICE_DETAILS", ()):
        prices = _add(product, "PRODUCT_PRICE_DETAILS")
        for kind in ("valid_start_date", "valid_end_date"):
            if period.get(kind):
                _datetime(prices, kind, datetime.fromisoformat(period[kind]))
        price = _add(prices, "PRODUCT_PRICE", price_type=fields.get("PRICE_TYPE") or "net_customer")
        _add(price, "PRICE_AMOUNT", period["PRICE_AMOUNT"])
        _optional(price, "PRICE_CURRENCY", fields.get("PRICE_CURRENCY"))
        _optional(price, "TAX", fields.get("TAX"))
    if fields.get("MIME"):
        info = _add(product, "MIME_INFO")
        for mime in fields["MIME"]:
            node = _add(info, "MIME")
            for name in MIME_FIELDS:
                _optional(node, name, mime.get(name))
    return product


def catalog_head(header: etree._Element) -> bytes:
    """Everything before the first PRODUCT: the declaration, BMECAT with its namespace, the
    HEADER and the opening T_NEW_CATALOG."""
    return (f"<?xml version='1.0' encoding='utf-8'?>\n<BMECAT xmlns=\"{NS}\" version=\"2005\">".encode()
            + etree.tostring(header, encoding="utf-8") + b"<T_NEW_CATALOG>")


CATALOG_TAIL = b"</T_NEW_CATALOG></BMECAT>"


def product_bytes(fields: Mapping[str, Any]) -> bytes:
    """One PRODUCT serialized on its own (declaring the namespace, as the standalone element it is)."""
    return etree.tostring(product_element(fields), encoding="utf-8")
