"""The prolog of an XML document, read before any parser sees it: a DOCTYPE is refused there.

Entity declarations live only in a DTD, and a DTD only in the prolog, so refusing a DOCTYPE in
the prolog refuses billion-laughs and external-entity documents before anything is expanded.
Doing it ourselves keeps the refusal, and the user's message, the same whatever the XML library
installed does with such a document (libxml2 2.14 stops it with its own amplification error,
earlier versions let it through to our check after parsing).

The prolog is decoded the way XML 1.0 appendix F detects an encoding: by the first bytes, else by
the declaration's ``encoding``, so a DOCTYPE written in UTF-16 or UTF-7 is seen as well.
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO, Callable

from hub.imports.errors import FileRefused

REFUSAL = "declares a DOCTYPE; DTDs and entities are refused for safety, remove it"
CHUNK = 4096
# First four bytes -> codec, most specific first (XML 1.0 appendix F).
SIGNATURES = (
    (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\x00\x3c", "utf-32-be"), (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xfe\xff", "utf-16"), (b"\xff\xfe", "utf-16"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"), (b"\x3c\x00\x3f\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),
)
DECLARED = re.compile(rb"""^<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]{0,39})["']""")


def refuse_dtd(stream: BinaryIO, where: str = "the XML file") -> None:
    """Read ``stream`` up to its first element; raises FileRefused if a DOCTYPE comes before it.

    Whatever is not a comment, a processing instruction or white space ends the prolog: the
    parser then reports a malformed document itself. The stream is left part-read."""
    start = stream.read(CHUNK)
    decoder = codecs.getincrementaldecoder(_codec(start))(errors="replace")

    def read() -> str | None:
        data = stream.read(CHUNK)
        return decoder.decode(data, final=not data) if data else None

    if _declares_dtd(decoder.decode(start, final=not start), read):
        raise FileRefused(f"{where} {REFUSAL}")


def _codec(start: bytes) -> str:
    """The codec the document's first bytes, or else its declaration, name."""
    for signature, codec in SIGNATURES:
        if start.startswith(signature):
            return codec
    declared = DECLARED.match(start)
    if declared:
        try:
            codec = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            return "latin-1"
        # Without a signature the bytes are ASCII-based, whatever a UTF-16 or UTF-32 label claims.
        if not codec.startswith(("utf-16", "utf-32")):
            return codec
    return "latin-1"  # every byte a character: markup in any ASCII-based encoding reads as itself


def _declares_dtd(text: str, read: Callable[[], str | None]) -> bool:
    """Whether the prolog starting ``text`` (``read`` gives more, None at the end) has a DOCTYPE."""
    closing = ""  # the end of the comment or processing instruction being skipped
    while True:
        if closing:
            end = text.find(closing)
            if end < 0:
                more = read()
                if more is None:
                    return False
                text = text[max(0, len(text) - len(closing) + 1):] + more  # a closing split across reads
                continue
            text, closing = text[end + len(closing):], ""
        text = text.lstrip(" \t\r\n")
        if len(text) < len("<!DOCTYPE"):
            more = read()
            if more is not None:
                text += more
                continue
        if text.startswith("<?"):
            text, closing = text[2:], "?>"
        elif text.startswith("<!--"):
            text, closing = text[4:], "-->"
        else:
            return text[:9].upper() == "<!DOCTYPE"
