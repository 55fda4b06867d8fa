"""SVG media: recognised by the root element its prolog leads to, and refused when it can run
script. An SVG is a document a browser executes: served from our origin, a ``<script>`` or an
``onload=`` in a product image would run with a merchandiser's session."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

# A UTF-8 BOM, then any white space, XML declaration, comments and processing instructions.
_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_DOCTYPE = re.compile(rb"<!DOCTYPE\s+(?:[A-Za-z_][\w.-]*:)?svg\b[^>\[]*>(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?svg[\s>/]")
_SPACE = re.compile(r"\s")  # a browser reads "java\tscript:" as "javascript:"
_SCRIPTED_ELEMENTS = frozenset(("script", "foreignobject", "iframe", "embed", "object"))
SCRIPT_REFUSAL = ("holds script (a <script> or <foreignObject> element, an on... attribute or a javascript: link), "
                  "which images may not")


def looks_like_svg(head: bytes) -> bool:
    """Whether the first bytes lead, past the prolog and at most a DOCTYPE naming ``svg`` with no
    internal subset (entities are refused), to an ``<svg>`` root element. (An HTML page holding
    ``<svg`` in its first kilobyte was stored as an SVG.)"""
    rest = head[_PROLOG.match(head).end():]  # type: ignore[union-attr]
    doctype = _DOCTYPE.match(rest)
    if doctype:
        rest = rest[doctype.end():]
    return bool(_ROOT.match(rest))


def script_refusal(path: Path) -> str | None:
    """Why the SVG at ``path`` may not be stored (script in it, or not well-formed), or None.
    Parsed without entities, network or DTD, element by element."""
    try:
        for _event, element in etree.iterparse(str(path), events=("end",), resolve_entities=False, no_network=True,
                                               load_dtd=False, huge_tree=False):
            if not isinstance(element.tag, str):
                continue
            if etree.QName(element).localname.lower() in _SCRIPTED_ELEMENTS:
                return SCRIPT_REFUSAL
            for name, value in element.attrib.items():
                if etree.QName(name).localname.lower().startswith("on") or "javascript:" in _SPACE.sub("", value).lower():
                    return SCRIPT_REFUSAL
            element.clear()
    except etree.XMLSyntaxError as exc:
        return f"is not a well-formed SVG ({exc.msg})"
    return None
