"""A small PDF writer that streams: each page goes to the output as soon as it is finished.

Why not reportlab's canvas: it keeps every finished page, uncompressed, until it saves the file
(about 25 kB a page of labels), so memory would grow with the catalog. A PDF only needs its
objects' byte offsets at the end (the cross-reference table), so a writer that counts bytes can
flush pages as it goes and keep two integers a page. reportlab still does what it is good at:
font metrics and barcode geometry.

What belongs here: PDF syntax only (objects, streams, the text, path and colour operators the
labels use), with the PDF base fonts Helvetica and Helvetica-Bold, which need no embedding.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timezone
from typing import BinaryIO

# Fonts as the page resources name them; the base fonts draw Windows-1252 (WinAnsiEncoding).
FONTS = {"Helvetica": "F1", "Helvetica-Bold": "F2"}
CATALOG, PAGES, INFO, FIRST_FONT = 1, 2, 3, 4


def number(value: float) -> str:
    """A PDF number: at most three decimals and no exponent, trailing zeros dropped."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def literal(text: str) -> bytes:
    """A PDF string for a base font: Windows-1252 bytes, with what it cannot show as '?'."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"\\r") + b")"


def text_string(text: str) -> bytes:
    """A document-information string in any script: UTF-16BE with its byte-order mark, in hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


class Page:
    """The drawing operators of one page, in user space points from the bottom left."""

    def __init__(self) -> None:
        self._ops: list[bytes] = []
        self._font: tuple[str, float] | None = None

    def set_font(self, name: str, size: float) -> None:
        self._font = (name, size)

    @property
    def font(self) -> tuple[str, float]:
        if self._font is None:
            raise ValueError("set a font before drawing text")
        return self._font

    def text(self, x: float, y: float, text: str) -> None:
        name, size = self.font
        self._ops.append(b"BT /%s %s Tf 1 0 0 1 %s %s Tm %s Tj ET" % (
            FONTS[name].encode(), number(size).encode(), number(x).encode(), number(y).encode(), literal(text)))

    def fill_gray(self, level: float) -> None:
        self._ops.append(b"%s g" % number(level).encode())

    def stroke_gray(self, level: float) -> None:
        self._ops.append(b"%s G" % number(level).encode())

    def line_width(self, width: float) -> None:
        self._ops.append(b"%s w" % number(width).encode())

    def stroke_rect(self, x: float, y: float, width: float, height: float) -> None:
        self._ops.append(b"%s re S" % self._box(x, y, width, height))

    def fill_rects(self, rects: tuple[tuple[float, float, float, float], ...]) -> None:
        """Fill many rectangles as one path: a barcode's bars."""
        self._ops.extend(b"%s re" % self._box(*rect) for rect in rects)
        self._ops.append(b"f")

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self._ops.append(" ".join((number(x1), number(y1), "m", number(x2), number(y2), "l S")).encode())

    def save(self) -> None:
        self._ops.append(b"q")

    def restore(self) -> None:
        self._ops.append(b"Q")

    def translate(self, x: float, y: float) -> None:
        self._ops.append(b"1 0 0 1 %s %s cm" % (number(x).encode(), number(y).encode()))

    def content(self) -> bytes:
        return b"\n".join(self._ops) + b"\n"

    @staticmethod
    def _box(x: float, y: float, width: float, height: float) -> bytes:
        return " ".join(number(v) for v in (x, y, width, height)).encode()


class PdfFile:
    """A PDF written front to back onto a stream that need not seek: pages first, the catalog last."""

    def __init__(self, out: BinaryIO, width: float, height: float) -> None:
        self._out, self._size = out, (width, height)
        self._written = 0
        self._offsets: dict[int, int] = {}
        self._pages: list[int] = []
        self._next = FIRST_FONT + len(FONTS)
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # the binary comment tells transfer tools it is binary
        for index, name in enumerate(FONTS):
            self._object(FIRST_FONT + index,
                         b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>" % name.encode())

    def add_page(self, page: Page) -> None:
        """Compress the page's content and write it out now; only its object number is kept."""
        content = zlib.compress(page.content())
        content_number, page_number = self._next, self._next + 1
        self._next += 2
        self._object(content_number, b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content))
        fonts = b" ".join(b"/%s %d 0 R" % (ref.encode(), FIRST_FONT + i) for i, ref in enumerate(FONTS.values()))
        self._object(page_number, b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources << /Font << %s >> >> /Contents %d 0 R >>" % (
            PAGES, number(self._size[0]).encode(), number(self._size[1]).encode(), fonts, content_number))
        self._pages.append(page_number)

    def close(self, title: str, subject: str, creator: str, created: datetime) -> None:
        """Write the page tree, catalog, document information and cross-reference table."""
        kids = b" ".join(b"%d 0 R" % n for n in self._pages)
        self._object(PAGES, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self._pages)))
        self._object(CATALOG, b"<< /Type /Catalog /Pages %d 0 R >>" % PAGES)
        stamp = created.astimezone(timezone.utc).strftime("D:%Y%m%d%H%M%SZ").encode()
        self._object(INFO, b"<< /Title %s /Subject %s /Creator %s /Producer (Crosscanal) /CreationDate (%s) /ModDate (%s) >>" % (
            text_string(title), text_string(subject), text_string(creator), stamp, stamp))
        xref, size = self._written, self._next
        rows = [b"0000000000 65535 f \n"] + [b"%010d 00000 n \n" % self._offsets[n] for n in range(1, size)]
        self._write(b"xref\n0 %d\n%s" % (size, b"".join(rows)))
        self._write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, CATALOG, INFO, xref))

    def _object(self, number_: int, body: bytes) -> None:
        self._offsets[number_] = self._written
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number_, body))

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._written += len(data)
