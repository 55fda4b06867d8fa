"""Raster media: the width and height an image declares, read from its header alone (no pixel is
decoded, no imaging library), so that a decompression bomb (a few bytes of PNG declaring
100000 x 100000 pixels) is refused at upload instead of exhausting a channel's or a thumbnailer's
memory when they decode it. An image whose signature names a format but whose header cannot be
read is refused too: what no decoder can open is no image."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import BinaryIO

# Google Merchant Center refuses product images "larger than 64 megapixels" (Product data
# specification, image_link); no channel we feed takes more, and a decoder holds 4 bytes a pixel.
MAX_PIXELS = 64_000_000
# Segments a JPEG may have before its frame header (APPn, COM, DQT, DHT, DRI...): real files
# have a few dozen; the bound keeps a file of empty segments from walking all of its 25 MiB.
MAX_JPEG_SEGMENTS = 1024
# 0xFF fill bytes allowed before a marker (encoders write none or a few), read one at a time.
MAX_JPEG_FILL = 1024

_NAMES = {"image/png": "PNG", "image/gif": "GIF", "image/jpeg": "JPEG", "image/webp": "WebP"}
# JPEG frame headers: SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC), which share the range.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers standing alone, without a length: TEM, RST0-RST7 (SOI was read with the signature).
_STANDALONE = frozenset((0x01, *range(0xD0, 0xD8)))


class Unreadable(Exception):
    """The header is cut short or malformed; the message says what was wrong."""


def dimension_refusal(kind: str, path: Path) -> str | None:
    """Why the image at ``path``, sniffed as ``kind``, may not be stored (its declared size, or an
    unreadable header), or None; None too for kinds without pixel dimensions (SVG, PDF)."""
    if kind not in _NAMES:
        return None
    with path.open("rb") as file:
        try:
            width, height = declared_size(kind, file)
        except Unreadable as exc:
            return f"is not a readable {_NAMES[kind]} image ({exc})"
    if width == 0 or height == 0:
        return f"declares {width} x {height} pixels: an image must be at least 1 pixel wide and high"
    if width * height > MAX_PIXELS:
        return (f"declares {width} x {height} pixels ({width * height:,} pixels), over the limit of "
                f"{MAX_PIXELS // 1_000_000} megapixels ({MAX_PIXELS:,} pixels) per image")
    return None


def declared_size(kind: str, file: BinaryIO) -> tuple[int, int]:
    """``(width, height)`` from the header of a PNG, GIF, JPEG or WebP ``file`` (positioned at its
    start); raises Unreadable."""
    reader = {"image/png": _png, "image/gif": _gif, "image/jpeg": _jpeg, "image/webp": _webp}[kind]
    return reader(file)


def _read(file: BinaryIO, size: int, what: str) -> bytes:
    data = file.read(size)
    if len(data) < size:
        raise Unreadable(f"the file ends inside its {what}")
    return data


def _png(file: BinaryIO) -> tuple[int, int]:
    """The IHDR chunk, which must come first, with its CRC checked (decoders refuse a bad one)."""
    _read(file, 8, "signature")
    length, chunk_type = struct.unpack(">I4s", _read(file, 8, "IHDR chunk"))
    if chunk_type != b"IHDR" or length != 13:
        raise Unreadable("its first chunk is not a 13-byte IHDR")
    body = _read(file, 13, "IHDR chunk")
    (crc,) = struct.unpack(">I", _read(file, 4, "IHDR chunk"))
    if zlib.crc32(chunk_type + body) & 0xFFFFFFFF != crc:
        raise Unreadable("its IHDR chunk fails its CRC")
    width, height = struct.unpack(">II", body[:8])
    return width, height


def _gif(file: BinaryIO) -> tuple[int, int]:
    """The canvas: the logical screen, grown to hold every frame, as decoders grow it (a 1 x 1
    screen with one 60000 x 60000 frame is a bomb). Walks the blocks, seeking past colour tables
    and data sub-blocks: two bytes read per sub-block of up to 255. A file that ends before its
    trailer is measured by the frames it holds, as decoders show them."""
    version = _read(file, 6, "header")
    if version not in (b"GIF87a", b"GIF89a"):
        raise Unreadable("its header is neither GIF87a nor GIF89a")
    width, height, packed = struct.unpack("<HHB", _read(file, 7, "logical screen descriptor")[:5])
    _skip_colour_table(file, packed)
    while (introducer := file.read(1)) not in (b"", b"\x3b"):  # the end, or the trailer
        if introducer == b"\x21":  # an extension: its label, then sub-blocks
            _read(file, 1, "extension label")
        elif introducer == b"\x2c":  # an image descriptor: where the frame lies, then its data
            left, top, frame_width, frame_height, packed = struct.unpack("<HHHHB", _read(file, 9, "image descriptor"))
            width, height = max(width, left + frame_width), max(height, top + frame_height)
            _skip_colour_table(file, packed)
            _read(file, 1, "image data")  # the LZW minimum code size
        else:
            raise Unreadable(f"byte 0x{introducer[0]:02X} starts no block")
        while (size := file.read(1)) not in (b"", b"\x00"):  # sub-blocks, up to the terminator
            file.seek(size[0], 1)
    return width, height


def _skip_colour_table(file: BinaryIO, packed: int) -> None:
    if packed & 0x80:
        file.seek(3 << ((packed & 0x07) + 1), 1)


def _jpeg(file: BinaryIO) -> tuple[int, int]:
    """Segment by segment from after SOI to the first frame header (SOFn), seeking past each
    segment's body: a few bytes are read per segment (and its fill bytes), for at most
    MAX_JPEG_SEGMENTS segments."""
    file.seek(2)
    for _ in range(MAX_JPEG_SEGMENTS):
        if _read(file, 1, "segment markers") != b"\xff":
            raise Unreadable("a segment does not start with a marker")
        marker = 0xFF
        for _fill in range(MAX_JPEG_FILL + 1):  # a marker may be preceded by 0xFF fill bytes
            marker = _read(file, 1, "segment markers")[0]
            if marker != 0xFF:
                break
        if marker == 0xFF:
            raise Unreadable(f"more than {MAX_JPEG_FILL} fill bytes before a marker")
        if marker in _STANDALONE:
            continue
        if marker in (0x00, 0xD8, 0xD9, 0xDA):  # stuffed byte, a second SOI, EOI or SOS before any frame
            raise Unreadable(f"marker 0x{marker:02X} comes before its frame header")
        (length,) = struct.unpack(">H", _read(file, 2, "segment lengths"))
        if length < 2:
            raise Unreadable(f"segment 0x{marker:02X} has an impossible length {length}")
        if marker in _SOF:
            if length < 8:
                raise Unreadable("its frame header is too short")
            _precision, height, width = struct.unpack(">BHH", _read(file, 5, "frame header"))
            return width, height
        position = file.tell()
        file.seek(position + length - 2)
        if _peek_end(file):
            raise Unreadable(f"the file ends inside segment 0x{marker:02X}")
    raise Unreadable(f"no frame header in its first {MAX_JPEG_SEGMENTS} segments")


def _peek_end(file: BinaryIO) -> bool:
    """Whether ``file`` is at (or past) its end: a seek beyond the end succeeds, a read does not."""
    position = file.tell()
    at_end = file.read(1) == b""
    file.seek(position)
    return at_end


def _webp(file: BinaryIO) -> tuple[int, int]:
    """The first chunk after the RIFF header: VP8 (lossy), VP8L (lossless) or VP8X (extended)."""
    _read(file, 12, "RIFF header")
    fourcc, _size = struct.unpack("<4sI", _read(file, 8, "first chunk header"))
    if fourcc == b"VP8 ":
        frame = _read(file, 10, "VP8 frame header")
        if frame[0] & 1 or frame[3:6] != b"\x9d\x01\x2a":
            raise Unreadable("its VP8 chunk does not start with a key frame")
        width, height = struct.unpack("<HH", frame[6:10])
        return width & 0x3FFF, height & 0x3FFF  # the top two bits are the upscaling mode
    if fourcc == b"VP8L":
        header = _read(file, 5, "VP8L header")
        if header[0] != 0x2F:
            raise Unreadable("its VP8L chunk lacks the 0x2F signature")
        (bits,) = struct.unpack("<I", header[1:])
        if bits >> 29:
            raise Unreadable("its VP8L version is not 0")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if fourcc == b"VP8X":
        header = _read(file, 10, "VP8X header")
        return int.from_bytes(header[4:7], "little") + 1, int.from_bytes(header[7:10], "little") + 1
    raise Unreadable(f"its first chunk is {fourcc.decode('latin-1')!r}, not VP8, VP8L or VP8X")
