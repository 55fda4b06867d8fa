"""The prolog of an XML document, read before any parser sees it: a DOCTYPE is refused there.

Entity declarations live only in a DTD, and a DTD only in the prolog, so refusing a DOCTYPE in
the prolog refuses billion-laughs and external-entity documents before anything is expanded.
Doing it ourselves keeps the refusal, and the user's message, the same whatever the XML library
installed does with such a document (libxml2 2.14 stops it with its own amplification error,
earlier versions let it through to a check after parsing).

A parser picks the encoding from the first bytes (XML 1.0 appendix F), else from the declaration's
``encoding``. The prolog is read both ways when they differ, so neither a DOCTYPE written in
UTF-16 or UTF-7 nor a declaration that lies about the encoding hides one.
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO

from hub.imports.errors import FileRefused

REFUSAL = "declares a DOCTYPE; DTDs and entities are refused for safety, remove it"
CHUNK = 4096
# First bytes -> codec, most specific first (XML 1.0 appendix F); without one, ASCII-based.
SIGNATURES = (
    (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\x00\x3c", "utf-32-be"), (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xfe\xff", "utf-16"), (b"\xff\xfe", "utf-16"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"), (b"\x3c\x00\x3f\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),  # EBCDIC: the declaration's characters read alike in every variant
)
ASCII_BASED = "latin-1"  # every byte one character: markup in any ASCII-based encoding reads as itself
DECLARED = re.compile(r"""<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]{0,39})["']""")


def refuse_dtd(stream: BinaryIO, where: str = "the XML file") -> None:
    """Read ``stream`` up to its first element; raises FileRefused if a DOCTYPE comes before it.

    Whatever is not a comment, a processing instruction or white space ends the prolog: the
    parser then reports a malformed document itself. The stream is left part-read."""
    data = stream.read(CHUNK)
    prologs = [_Prolog(codec) for codec in _codecs(data)]
    while True:
        for prolog in prologs:
            prolog.feed(data)
            if prolog.doctype:
                raise FileRefused(f"{where} {REFUSAL}")
        if not data or all(prolog.doctype is False for prolog in prologs):
            return
        data = stream.read(CHUNK)


def _codecs(start: bytes) -> list[str]:
    """The codec the first bytes name and, when it differs, the one the declaration names."""
    found = next((codec for signature, codec in SIGNATURES if start.startswith(signature)), ASCII_BASED)
    declared = DECLARED.match(start.decode(found, errors="replace").lstrip("\ufeff"))
    if declared:
        try:
            named = codecs.lookup(declared.group(1)).name
        except LookupError:
            return [found]  # a parser that knows the encoding reads ASCII-based markup as we do
        if named != codecs.lookup(found).name:
            return [found, named]
    return [found]


class _Prolog:
    """One reading of a prolog: skips white space, comments and processing instructions until
    something else starts; ``doctype`` is then True for a DOCTYPE, False otherwise (None: unread)."""

    def __init__(self, codec: str) -> None:
        self._decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        self._text = ""
        self._closing = ""  # the end of the comment or processing instruction being skipped
        self.doctype: bool | None = None

    def feed(self, data: bytes) -> None:
        """Read on with ``data``, the stream's next bytes (empty at its end)."""
        if self.doctype is not None:
            return
        final = not data
        self._text += self._decoder.decode(data, final=final)
        while self.doctype is None:
            if self._closing:
                end = self._text.find(self._closing)
                if end < 0:
                    self._text = self._text[-(len(self._closing) - 1):]  # a closing split across reads
                    if final:
                        self.doctype = False
                    return
                self._text, self._closing = self._text[end + len(self._closing):], ""
            self._text = self._text.lstrip(" \t\r\n")
            if len(self._text) < len("<!DOCTYPE") and not final:
                return
            if self._text.startswith("<?"):
                self._text, self._closing = self._text[2:], "?>"
            elif self._text.startswith("<!--"):
                self._text, self._closing = self._text[4:], "-->"
            else:
                self.doctype = self._text[:9].upper() == "<!DOCTYPE"
