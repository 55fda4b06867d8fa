"""From a resolved view to one BMEcat item: fields under BMEcat's element names, and what keeps it out.

How the XSD's limits are handled, so the published catalog always validates and never says
something wrong:

- the SKU, the name and the identifiers (GTIN, MPN, brand) exclude the item when they break a
  limit: cutting them would publish wrong data;
- free text (DESCRIPTION_LONG, image alt text) is cut at the limit, with a warning for the description;
- optional extras over a limit (one feature value, an over-long URL) are left out with a warning;
- whatever these checks miss, the XSD catches: each product is validated alone before it is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any, Mapping

from channel_adapters.base import (
    Diagnostic, FieldSpec, Item, OfferView, ProductView, RenderContext, Severity, check_fields, gtin_problem, present, truncate,
)
from channel_adapters.base.formats import apply_overrides
from channel_adapters.bmecat.codes import IMAGE_TYPES, MIME_PURPOSES, UNIT_CODES, feature_name, language_code
from channel_adapters.bmecat.document import product_element
from channel_adapters.bmecat.schema import ProductCheck, code_list

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("SUPPLIER_PID", required=True, max_length=32, description="the SKU"),
    FieldSpec("DESCRIPTION_SHORT", required=True, max_length=150, description="the channel's title, else the name"),
    FieldSpec("DESCRIPTION_LONG", max_length=64000, description="the description; cut with a warning beyond the limit"),
    FieldSpec("INTERNATIONAL_PID", max_length=100, description='the GTIN, written with type="gtin"'),
    FieldSpec("MANUFACTURER_PID", max_length=50, description="the manufacturer part number"),
    FieldSpec("MANUFACTURER_NAME", max_length=50, description="the brand"),
    FieldSpec("REFERENCE_FEATURE_SYSTEM_NAME", max_length=80, description="the classification_system setting"),
    FieldSpec("REFERENCE_FEATURE_GROUP_ID", max_length=60, description="the mapped category, as a group of that system"),
    FieldSpec("FEATURES", description="colour, size, net content...: FNAME and FVALUE (max 60), FUNIT (UN/ECE Rec. 20)"),
    FieldSpec("ORDER_UNIT", required=True, description="UN/ECE Rec. 20 code, C62 (one piece) by default"),
    FieldSpec("CONTENT_UNIT", description="UN/ECE Rec. 20 code, C62 by default"),
    FieldSpec("NO_CU_PER_OU", description="content units per order unit"),
    FieldSpec("PRICE_QUANTITY"),
    FieldSpec("QUANTITY_MIN"),
    FieldSpec("QUANTITY_INTERVAL"),
    FieldSpec("PRICE_TYPE", required=True, description="net_customer, nrp, net_list, gros_list or udp_..."),
    FieldSpec("PRICE_CURRENCY", required=True, description="ISO 4217 as listed by BMEcat 2005"),
    FieldSpec("TAX", description="the tax rate as a factor, when the channel sets one"),
    FieldSpec("PRODUCT_PRICE_DETAILS", required=True,
              description="price periods that do not overlap: a sale is its own period with its dates"),
    FieldSpec("MIME", description="main image (normal), other images (detail), product page (url)"),
)

# Which attribute each field comes from, so a diagnostic names what the merchandiser fixes.
SOURCES: Mapping[str, str] = {
    "SUPPLIER_PID": "sku", "DESCRIPTION_SHORT": "name", "DESCRIPTION_LONG": "description", "INTERNATIONAL_PID": "ean",
    "MANUFACTURER_PID": "mpn", "MANUFACTURER_NAME": "brand", "REFERENCE_FEATURE_SYSTEM_NAME": "categories",
    "REFERENCE_FEATURE_GROUP_ID": "categories", "PRICE_TYPE": "offers", "PRICE_CURRENCY": "offers",
    "PRODUCT_PRICE_DETAILS": "offers", "PRICE_AMOUNT": "offers", "MIME_SOURCE": "main_image", "MIME_ALT": "media",
}
TEXT_FIELDS = ("SUPPLIER_PID", "DESCRIPTION_SHORT", "DESCRIPTION_LONG", "INTERNATIONAL_PID", "MANUFACTURER_PID",
               "MANUFACTURER_NAME")
OVERRIDABLE = frozenset(TEXT_FIELDS) - {"SUPPLIER_PID"}  # the SKU is the item's identity, not a display value
LONG_TEXT_LIMIT, FEATURE_LIMIT, URL_LIMIT, ALT_LIMIT = 64000, 60, 255, 80
# Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF).
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Findings:
    """The diagnostics of one item; one error per attribute is enough to tell what to fix."""

    sku: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, attribute: str | None, fix: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.ERROR, code, message, attribute, fix, self.sku))

    def warning(self, code: str, message: str, attribute: str | None, fix: str) -> None:
        self.diagnostics.append(Diagnostic(Severity.WARNING, code, message, attribute, fix, self.sku))

    def add_unless_known(self, found: list[Diagnostic]) -> None:
        known = {(d.attribute, d.severity) for d in self.diagnostics}
        self.diagnostics += [d for d in found if (d.attribute, d.severity) not in known]

    @property
    def excluded(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def product_item(view: ProductView, ctx: RenderContext, settings: Mapping[str, Any], check: ProductCheck) -> Item:
    """The item of one view, with its diagnostics; an item with an error is never written."""
    notes = Findings(view.sku)
    values: dict[str, Any] = {
        "SUPPLIER_PID": view.sku,
        "DESCRIPTION_SHORT": view.title or view.labels.get("name"),
        "DESCRIPTION_LONG": view.labels.get("description"),
        "INTERNATIONAL_PID": view.values.get("ean"),
        "MANUFACTURER_PID": view.labels.get("mpn"),
        "MANUFACTURER_NAME": view.labels.get("brand"),
    }
    _apply_overrides(values, ctx.field_overrides, view.labels, notes)
    for name in TEXT_FIELDS:
        values[name] = clean_text(values[name], SOURCES[name], notes)
    values["DESCRIPTION_LONG"] = _long_description(values["DESCRIPTION_LONG"], notes)
    _check_gtin(values["INTERNATIONAL_PID"], notes)
    values.update(_classification(view, settings, notes))
    language = settings.get("language") or language_code(ctx.locale) or "eng"
    values["FEATURES"] = _features(view, settings, language, notes)
    values.update(ORDER_UNIT=settings["order_unit"], CONTENT_UNIT=settings["content_unit"],
                  NO_CU_PER_OU=decimal_text(settings["units_per_order_unit"]),
                  PRICE_QUANTITY="1", QUANTITY_MIN="1", QUANTITY_INTERVAL="1")
    values.update(_prices(view.offer, settings, ctx.currency, notes))
    values["MIME"] = _media(view, ctx, notes)
    notes.add_unless_known(check_fields(view.sku, values, FIELDS, SOURCES))
    fields = present(values)
    if not notes.excluded:
        for element, message in check.errors(product_element(fields)):
            attribute = SOURCES.get(element or "")
            notes.error("breaks_schema", f"BMEcat 2005 refuses the product: {message}", attribute,
                        f"correct {attribute or element or 'the product'}")
    return Item(view.sku, fields, tuple(notes.diagnostics))


def clean_text(value: Any, attribute: str, notes: Findings) -> str | None:
    """Text without the characters XML cannot carry (which would stop the writer), trimmed; None when empty."""
    if value is None:
        return None
    text = str(value)
    cleaned = XML_ILLEGAL.sub("", text)
    if cleaned != text:
        notes.warning("invalid_characters", f"{attribute} holds control characters XML cannot carry; they were removed",
                      attribute, f"remove the control characters from {attribute}")
    return cleaned.strip() or None


def decimal_text(amount: Decimal) -> str:
    """An xsd:decimal: ``format(..., "f")`` never writes an exponent, which xsd:decimal refuses."""
    return format(amount, "f")


def money_text(amount: Decimal) -> str:
    """A price as an xsd:decimal with at least two decimals ("24.90"), more only when the offer has them."""
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        amount = amount.quantize(Decimal("0.01"))
    return decimal_text(amount)


def price_periods(offer: OfferView) -> list[dict[str, str]]:
    """The offer as PRODUCT_PRICE_DETAILS periods that never overlap, so every moment has one price.

    A sale with dates is its own period; the regular price runs until it starts (unless it
    already has) and again from its end. A sale without dates is simply the current price.
    """
    regular = money_text(offer.price)
    if offer.sale_price is None or not (offer.sale_start or offer.sale_end):
        return [{"PRICE_AMOUNT": money_text(offer.current_price)}]
    periods = []
    if offer.sale_start and not offer.on_sale:
        periods.append({"PRICE_AMOUNT": regular, "valid_end_date": offer.sale_start.isoformat()})
    sale = {"PRICE_AMOUNT": money_text(offer.sale_price)}
    if offer.sale_start:
        sale["valid_start_date"] = offer.sale_start.isoformat()
    if offer.sale_end:
        sale["valid_end_date"] = offer.sale_end.isoformat()
    periods.append(sale)
    if offer.sale_end:
        periods.append({"PRICE_AMOUNT": regular, "valid_start_date": offer.sale_end.isoformat()})
    return periods


def _apply_overrides(values: dict[str, Any], overrides: Mapping[str, Any], labels: Mapping[str, str],
                     notes: Findings) -> None:
    """The channel's overrides of display fields; nested fields (prices, features) cannot be overridden."""
    usable = {name: value for name, value in overrides.items() if name in OVERRIDABLE}
    for name in sorted(set(overrides) - set(usable)):
        notes.warning("override_ignored", f"the channel overrides {name}, which BMEcat items cannot take from an override",
                      None, f"override one of {', '.join(sorted(OVERRIDABLE))} instead")
    apply_overrides(values, usable, labels)


def _long_description(text: str | None, notes: Findings) -> str | None:
    if text is None or len(text) <= LONG_TEXT_LIMIT:
        return text
    notes.warning("truncated", f"description has {len(text)} characters; BMEcat allows {LONG_TEXT_LIMIT}, it was cut",
                  "description", f"shorten description to {LONG_TEXT_LIMIT} characters")
    return truncate(text, LONG_TEXT_LIMIT)


def _check_gtin(gtin: str | None, notes: Findings) -> None:
    if gtin is None:
        notes.warning("gtin_missing", "no GTIN: marketplaces match and list products by it", "ean",
                      "add the GTIN from the packaging")
    elif problem := gtin_problem(gtin):
        notes.error("invalid_gtin", f"GTIN {gtin}: {problem}", "ean", "correct the GTIN")


def _classification(view: ProductView, settings: Mapping[str, Any], notes: Findings) -> dict[str, str]:
    system = settings.get("classification_system")
    if not system:
        return {}
    group = clean_text(view.mapped_category, "categories", notes)
    if group is None:
        notes.warning("category_unmapped", f"no {system} group for the product", "categories",
                      "map the product's category in the channel's category map")
        return {}
    return {"REFERENCE_FEATURE_SYSTEM_NAME": system, "REFERENCE_FEATURE_GROUP_ID": group}


def _features(view: ProductView, settings: Mapping[str, Any], language: str, notes: Findings) -> list[dict[str, str]]:
    """Free features (FNAME/FVALUE): measurements as an amount and a Rec. 20 unit, other values as people read them."""
    found = []
    for attribute in settings["features"]:
        data, label = view.values.get(attribute), view.labels.get(attribute)
        if data is None or not label:
            continue
        unit = None
        if isinstance(data, Mapping) and data.get("unit") in UNIT_CODES and data.get("amount") is not None:
            value, unit = clean_text(data["amount"], attribute, notes), UNIT_CODES[data["unit"]]
        else:
            value = clean_text(label, attribute, notes)
        if value is None:
            continue
        if len(value) > FEATURE_LIMIT:
            notes.warning("feature_too_long", f"{attribute} has {len(value)} characters; a BMEcat feature value "
                          f"holds {FEATURE_LIMIT}, so it was left out", attribute, f"shorten {attribute}")
            continue
        feature = {"FNAME": feature_name(attribute, language, settings["feature_names"]), "FVALUE": value}
        if unit:
            feature["FUNIT"] = unit
        found.append(feature)
    return found


def _prices(offer: OfferView | None, settings: Mapping[str, Any], currency: str, notes: Findings) -> dict[str, Any]:
    if offer is None:
        notes.error("missing_price", f"no price in {currency}", "offers", f"add an offer in {currency}")
        return {}
    if offer.currency not in code_list("dtCURRENCIES"):
        notes.error("unsupported_currency", f"BMEcat 2005's currency list has no {offer.currency}", "offers",
                    "publish this channel in a currency BMEcat 2005 lists")
    amounts = [offer.price] + ([offer.sale_price] if offer.sale_price is not None else [])
    if any(not amount.is_finite() or amount < 0 for amount in amounts):
        notes.error("invalid_price", f"the offer's price {offer.price} is not a price", "offers", "correct the offer")
        return {}
    tax = settings.get("tax")
    return {"PRICE_TYPE": settings["price_type"], "PRICE_CURRENCY": offer.currency,
            "TAX": decimal_text(tax) if tax is not None else None, "PRODUCT_PRICE_DETAILS": price_periods(offer)}


def _media(view: ProductView, ctx: RenderContext, notes: Findings) -> list[dict[str, str]]:
    """MIME entries: the main image first (purpose normal), the other images, then the product page as a url."""
    main = next((m for m in view.media if m.role == "main"), None)
    pictures: list[tuple[str, str | None, str]] = []
    if main is not None:
        pictures.append((main.path, main.alt, "normal"))
    elif view.values.get("main_image"):
        pictures.append((str(view.values["main_image"]), None, "normal"))
    else:
        notes.warning("image_missing", "no main image: marketplaces rank products without one low", "main_image",
                      "add a main image")
    pictures += [(m.path, m.alt, MIME_PURPOSES.get(m.role, "others")) for m in view.media if m is not main]
    entries: list[dict[str, str]] = []
    for path, alt, purpose in pictures:
        attribute = "main_image" if purpose == "normal" else "media"
        url = _url(ctx.image_url(path), attribute, notes)
        if url is None:
            continue
        entry = {"MIME_SOURCE": url, "MIME_PURPOSE": purpose, "MIME_ORDER": str(len(entries) + 1)}
        mime_type = IMAGE_TYPES.get(PurePosixPath(path).suffix.lower())
        if mime_type:
            entry["MIME_TYPE"] = mime_type
        alt_text = clean_text(alt, "media", notes)
        if alt_text:
            entry["MIME_ALT"] = truncate(alt_text, ALT_LIMIT) or alt_text  # alt text may be cut: it describes, it does not identify
        entries.append(entry)
    page = view.values.get("product_url")
    url = _url(page, "product_url", notes) if page else None
    if url is not None:
        entries.append({"MIME_TYPE": "url", "MIME_SOURCE": url, "MIME_PURPOSE": "others",
                        "MIME_ORDER": str(len(entries) + 1)})
    return entries


def _url(url: Any, attribute: str, notes: Findings) -> str | None:
    text = clean_text(url, attribute, notes)
    if text is not None and len(text) > URL_LIMIT:
        notes.warning("url_too_long", f"{attribute} URL has {len(text)} characters; MIME_SOURCE holds {URL_LIMIT}, "
                      "so it was left out", attribute, "use a shorter URL")
        return None
    return text
