"""Minimal real images, built byte by byte (no imaging library), and decompression bombs: the
same files with headers declaring enormous dimensions. Each small one is a file decoders open
(checked once with Pillow when these were written; the tests use no imaging library)."""

from __future__ import annotations

import base64
import struct
import zlib


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int = 1, height: int = 1) -> bytes:
    """A greyscale PNG declaring ``width`` x ``height``; its IDAT holds the pixels only when the
    image is small (a bomb's few bytes of IDAT are what makes it a bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = (b"\x00" + b"\x80" * width) * height if width * height <= 4096 else b"\x00\x80"
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(rows)) + _png_chunk(b"IEND", b"")


def gif(width: int = 1, height: int = 1, *, frame: tuple[int, int] = (1, 1)) -> bytes:
    """A GIF89a whose logical screen is ``width`` x ``height``, holding one ``frame``-sized frame
    (its pixel data is that of one pixel, which is all a header check reads), after a comment."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"  # 2 colours
    comment = b"\x21\xfe\x03abc\x00"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, *frame, 0) + b"\x02\x02\x44\x01\x00"  # LZW: clear, 0, end
    return screen + comment + image + b"\x3b"


def jpeg(width: int = 1, height: int = 1, *, sof: int = 0xC0, comments: int = 0) -> bytes:
    """A baseline greyscale JPEG (JFIF, SOF0 unless ``sof`` says otherwise) of ``width`` x
    ``height`` pixels of one grey, with ``comments`` COM segments before its frame header. Huffman
    tables of one 1-bit code each: every block is "DC difference 0, end of block"."""
    def segment(marker: int, body: bytes) -> bytes:
        return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body

    blocks = min(((width + 7) // 8) * ((height + 7) // 8), 4096)  # a bomb's scan is cut short
    bits = "00" * blocks
    bits += "1" * (-len(bits) % 8)
    scan = bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)).replace(b"\xff", b"\xff\x00")
    return (b"\xff\xd8"
            + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
            + b"".join(segment(0xFE, b"a comment") for _ in range(comments))
            + segment(0xDB, b"\x00" + b"\x01" * 64)
            + segment(sof, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
            + segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")  # DC table 0: category 0
            + segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")  # AC table 0: end of block
            + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
            + scan + b"\xff\xd9")


# Real 1x1 WebPs, as browsers' feature tests use them: lossy (VP8), lossless (VP8L), and
# extended (VP8X, with an alpha chunk and a VP8 frame).
WEBP_VP8 = base64.b64decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA")
WEBP_VP8L = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
WEBP_VP8X = base64.b64decode(
    "UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==")


def webp_vp8(width: int, height: int) -> bytes:
    """The lossy WebP with its key frame declaring ``width`` x ``height`` (at most 16383 each)."""
    return WEBP_VP8[:26] + struct.pack("<HH", width, height) + WEBP_VP8[30:]


def webp_vp8l(width: int, height: int) -> bytes:
    """The lossless WebP with its header declaring ``width`` x ``height`` (1 to 16384 each)."""
    bits = struct.unpack("<I", WEBP_VP8L[21:25])[0] & ~0x0FFFFFFF
    return WEBP_VP8L[:21] + struct.pack("<I", bits | (width - 1) | (height - 1) << 14) + WEBP_VP8L[25:]


def webp_vp8x(width: int, height: int) -> bytes:
    """The extended WebP with its canvas declaring ``width`` x ``height`` (1 to 2**24 each)."""
    return WEBP_VP8X[:24] + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little") + WEBP_VP8X[30:]
