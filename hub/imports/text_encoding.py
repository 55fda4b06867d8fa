"""Which encoding and which delimiter a text file uses, found without reading it into memory."""

from __future__ import annotations

import codecs
from pathlib import Path

CHUNK = 1 << 16
DELIMITERS = (",", ";", "\t")


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` when the file starts with a UTF-8 BOM, ``utf-8`` when every byte decodes as
    UTF-8, else ``cp1252`` (Latin-1 as Windows writes it, which spreadsheets export).

    The whole file is checked, in chunks: an "é" on row 90,000 must not be misread because the
    first rows happened to be ASCII.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as raw:
        first = raw.read(CHUNK)
        if first.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        chunk = first
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = raw.read(CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _latin(path)
    return "utf-8"


def _latin(path: Path) -> str:
    # cp1252 leaves five bytes undefined; a file using them is ISO 8859-1 proper, which reads any byte.
    with path.open("rb") as raw:
        while chunk := raw.read(CHUNK):
            if any(byte in chunk for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D)):
                return "latin-1"
    return "cp1252"


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a header line: whichever of , ; and tab it holds most of (comma on a tie)."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","
