"""The official BMEcat 2005 XSD bundled in ``xsd/``: loading it safely, reading its code lists, validating.

The XSD is the authority on what a marketplace accepts, so the adapter reads currencies, languages,
units and countries from it instead of keeping copies that could drift, and every document it
writes is checked against it. Nothing here touches the network: the XSD is a package file and
every parser has network access, entity resolution and DTD loading turned off.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from importlib.resources import files
from typing import BinaryIO

from lxml import etree

from channel_adapters.base import InvalidOutput

NS = "http://www.bmecat.org/bmecat/2005fd"
XSD = "http://www.w3.org/2001/XMLSchema"
SCHEMA_FILE = "bmecat_2005.xsd"
PACKAGE = "channel_adapters.bmecat"
ELEMENT_IN_MESSAGE = re.compile(r"Element '(?:\{[^}]*\})?([A-Za-z_]+)'")
# libxml2 lists every allowed value of an enumeration (over a thousand units) and full namespaces.
VALUE_SET = re.compile(r" \{'[^}]*\}")
NAMESPACE = re.compile(r"\{[a-z]+:[^}]*\}")
NO_POSITION = re.compile(r" \((?:[^()]*, )?line 0\)$")

# The smallest catalog the XSD accepts, to validate one PRODUCT at a time inside it. Its header
# values are fixed on purpose: a product's validity does not depend on the channel's header.
MINIMAL_CATALOG = (
    f'<BMECAT xmlns="{NS}" version="2005"><HEADER><CATALOG><LANGUAGE>eng</LANGUAGE>'
    "<CATALOG_ID>check</CATALOG_ID><CATALOG_VERSION>1.0</CATALOG_VERSION></CATALOG>"
    "<SUPPLIER><SUPPLIER_NAME>check</SUPPLIER_NAME></SUPPLIER></HEADER><T_NEW_CATALOG/></BMECAT>"
).encode()


@cache
def tag(name: str) -> str:
    """The qualified name of a BMEcat 2005 element: every element lives in the 2005fd namespace."""
    return f"{{{NS}}}{name}"


def safe_parser() -> etree.XMLParser:
    """A parser that cannot be made to fetch URLs, expand entities or read a DTD."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@cache
def schema_bytes() -> bytes:
    """The XSD as shipped in the package (read once; bytes are immutable, so caching them is safe)."""
    return files(PACKAGE).joinpath("xsd", SCHEMA_FILE).read_bytes()


def compile_schema() -> etree.XMLSchema:
    """A new validator (20 to 40 ms); ``Validators`` keeps one per thread."""
    return etree.XMLSchema(etree.fromstring(schema_bytes(), safe_parser()))


def _simple_type(name: str) -> etree._Element:
    found = etree.fromstring(schema_bytes(), safe_parser()).find(f"{{{XSD}}}simpleType[@name='{name}']")
    if found is None:
        raise KeyError(f"{SCHEMA_FILE} has no simple type {name}")
    return found


@cache
def code_list(type_name: str) -> frozenset[str]:
    """The values one of the XSD's enumerated types allows: ``dtCURRENCIES``, ``dtLANG``, ``dtPUNIT``."""
    return frozenset(e.get("value") for e in _simple_type(type_name).iter(f"{{{XSD}}}enumeration"))


@cache
def type_pattern(type_name: str) -> re.Pattern[str]:
    """The pattern of a pattern-restricted XSD type (``dtCOUNTRIES``); XSD patterns match whole values."""
    pattern = _simple_type(type_name).find(f".//{{{XSD}}}pattern")
    if pattern is None:
        raise KeyError(f"{type_name} has no pattern")
    return re.compile(pattern.get("value"))


def matches(type_name: str, value: str) -> bool:
    return type_pattern(type_name).fullmatch(value) is not None


def validate_document(stream: BinaryIO, name: str, schema: etree.XMLSchema) -> None:
    """Validate a whole catalog against the XSD while streaming it, so memory stays flat; raises InvalidOutput.

    Any global element of the XSD may be a validation root, so the root is checked to be a BMECAT
    with a T_NEW_CATALOG as well.
    """
    events = etree.iterparse(stream, events=("end",), tag=tag("PRODUCT"), schema=schema,
                             resolve_entities=False, no_network=True, load_dtd=False)
    try:
        for _event, product in events:
            product.clear()
            while product.getprevious() is not None:  # products already checked: drop them
                del product.getparent()[0]
    except (etree.XMLSyntaxError, etree.DocumentInvalid) as exc:
        raise InvalidOutput(f"{name} is not valid BMEcat 2005 XML: {readable(str(exc))}") from exc
    root = events.root
    if root is None or root.tag != tag("BMECAT") or root.find(tag("T_NEW_CATALOG")) is None:
        raise InvalidOutput(f"{name} is not a BMEcat 2005 document with a T_NEW_CATALOG transaction")


class ProductCheck:
    """The XSD's verdict on one PRODUCT, validated alone in a minimal catalog (under 0.1 ms a product).

    The item checks mirror the XSD's limits to name the attribute to fix; this catches whatever
    they miss, so an item the XSD refuses is excluded instead of breaking the whole document.
    """

    def __init__(self, schema: etree.XMLSchema) -> None:
        self.schema = schema
        self._root = etree.fromstring(MINIMAL_CATALOG, safe_parser())
        self._catalog = self._root.find(tag("T_NEW_CATALOG"))

    def errors(self, product: etree._Element) -> list[tuple[str | None, str]]:
        """(element name, message) for each schema error of ``product``; empty when it is valid."""
        self._catalog.append(product)
        try:
            if self.schema.validate(self._root):
                return []
            return [(_element_named(entry.message), readable(entry.message)) for entry in self.schema.error_log]
        finally:
            self._catalog.remove(product)


class Validators:
    """The compiled XSD, kept once per thread by each adapter instance.

    Compiling costs 20 to 40 ms, which a preview of one product or a republish of a few changed
    ones must not pay each time; and lxml does not promise that one validator may be used from
    several threads at once, so threads do not share one.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def product_check(self) -> ProductCheck:
        check: ProductCheck | None = getattr(self._local, "check", None)
        if check is None:
            check = self._local.check = ProductCheck(compile_schema())
        return check

    def schema(self) -> etree.XMLSchema:
        return self.product_check().schema


def readable(message: str) -> str:
    """An XSD error for people: element names without their namespace, no list of a thousand allowed codes."""
    message = VALUE_SET.sub(" of allowed values", message)
    return NO_POSITION.sub("", NAMESPACE.sub("", message))


def _element_named(message: str) -> str | None:
    found = ELEMENT_IN_MESSAGE.search(message)
    return found.group(1) if found else None
