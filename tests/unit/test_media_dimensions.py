"""The dimensions images declare, read from their headers only: decompression bombs, zero sizes
and unreadable (truncated, malformed) headers are refused; real small images pass. The images
are built byte by byte in tests/support/images.py."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest

from hub.services.media_dimensions import MAX_JPEG_FILL, MAX_JPEG_SEGMENTS, MAX_PIXELS, Unreadable, declared_size, dimension_refusal
from tests.support.images import WEBP_VP8, WEBP_VP8L, WEBP_VP8X, gif, jpeg, png, webp_vp8, webp_vp8l, webp_vp8x

PNG, GIF, JPEG, WEBP = "image/png", "image/gif", "image/jpeg", "image/webp"


class CountingFile(io.BytesIO):
    """A file that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def refusal(tmp_path: Path, kind: str, data: bytes) -> str | None:
    path = tmp_path / "upload"
    path.write_bytes(data)
    return dimension_refusal(kind, path)


@pytest.mark.parametrize(("kind", "data", "size"), [
    (PNG, png(), (1, 1)), (PNG, png(40, 30), (40, 30)), (PNG, png(8000, 8000), (8000, 8000)),
    (GIF, gif(), (1, 1)), (GIF, gif(5, 4), (5, 4)),
    (JPEG, jpeg(), (1, 1)), (JPEG, jpeg(20, 9, comments=3), (20, 9)), (JPEG, jpeg(3, 5, sof=0xC2), (3, 5)),
    (WEBP, WEBP_VP8, (1, 1)), (WEBP, WEBP_VP8L, (1, 1)), (WEBP, WEBP_VP8X, (1, 1)),
    (WEBP, webp_vp8(300, 200), (300, 200)), (WEBP, webp_vp8l(16384, 2), (16384, 2)), (WEBP, webp_vp8x(640, 480), (640, 480)),
], ids=["png", "png-40x30", "png-at-limit", "gif", "gif-5x4", "jpeg", "jpeg-comments", "jpeg-progressive",
        "webp-vp8", "webp-vp8l", "webp-vp8x", "vp8-300x200", "vp8l-wide", "vp8x-640x480"])
def test_an_image_declares_its_size_and_passes(tmp_path: Path, kind: str, data: bytes, size: tuple[int, int]) -> None:
    assert declared_size(kind, io.BytesIO(data)) == size
    assert refusal(tmp_path, kind, data) is None


def test_the_limit_is_googles_64_megapixels(tmp_path: Path) -> None:
    assert MAX_PIXELS == 64_000_000
    assert refusal(tmp_path, PNG, png(8000, 8000)) is None
    assert refusal(tmp_path, PNG, png(8000, 8001)) == (
        "declares 8000 x 8001 pixels (64,008,000 pixels), over the limit of 64 megapixels (64,000,000 pixels) per image")


@pytest.mark.parametrize(("kind", "data", "width", "height"), [
    (PNG, png(100000, 100000), 100000, 100000),
    (PNG, png(2**31 - 1, 1), 2**31 - 1, 1),
    (GIF, gif(65535, 65535), 65535, 65535),
    (GIF, gif(1, 1, frame=(60000, 60000)), 60000, 60000),  # a 1 x 1 screen: decoders grow it to the frame
    (JPEG, jpeg(65535, 65535), 65535, 65535),
    (JPEG, jpeg(10000, 10000, sof=0xC2, comments=5), 10000, 10000),
    (WEBP, webp_vp8(16383, 16383), 16383, 16383),
    (WEBP, webp_vp8l(16384, 16384), 16384, 16384),
    (WEBP, webp_vp8x(100000, 100000), 100000, 100000),
], ids=["png", "png-wide", "gif", "gif-frame", "jpeg", "jpeg-progressive", "webp-vp8", "webp-vp8l", "webp-vp8x"])
def test_a_decompression_bomb_is_refused_naming_its_dimensions(
    tmp_path: Path, kind: str, data: bytes, width: int, height: int
) -> None:
    assert len(data) < 2000  # a few bytes declaring gigabytes of pixels
    said = refusal(tmp_path, kind, data)
    assert said is not None
    assert f"declares {width} x {height} pixels" in said and "64 megapixels" in said


@pytest.mark.parametrize(("kind", "data"), [
    (PNG, png(0, 5)), (PNG, png(5, 0)), (GIF, gif(0, 0, frame=(0, 0))), (JPEG, jpeg(5, 0)), (JPEG, jpeg(0, 5)), (WEBP, webp_vp8(0, 1)),
], ids=["png-0-wide", "png-0-high", "gif", "jpeg-0-high", "jpeg-0-wide", "webp-vp8"])
def test_an_image_of_no_pixels_is_refused(tmp_path: Path, kind: str, data: bytes) -> None:
    said = refusal(tmp_path, kind, data)
    assert said is not None and said.startswith("declares") and "at least 1 pixel" in said


def _jpeg_segments(*segments: bytes) -> bytes:
    return b"\xff\xd8" + b"".join(segments)


UNREADABLE = [
    (PNG, png()[:8], "ends inside its IHDR"),
    (PNG, png()[:20], "ends inside its IHDR"),
    (PNG, png()[:31], "ends inside its IHDR"),  # the CRC cut short
    (PNG, png()[:29] + b"\x00\x00\x00\x00" + png()[33:], "fails its CRC"),
    (PNG, png(100000, 100000)[:12] + b"IDAT" + png(100000, 100000)[16:], "not a 13-byte IHDR"),
    (GIF, b"GIF8", "ends inside its header"),
    (GIF, gif()[:8], "ends inside its logical screen"),
    (GIF, b"GIF88a" + gif()[6:], "neither GIF87a nor GIF89a"),
    (JPEG, b"\xff\xd8\xff", "ends inside its segment markers"),
    (JPEG, jpeg()[:30], "ends inside segment 0xDB"),
    (JPEG, jpeg()[: jpeg().index(b"\xff\xc0") + 6], "ends inside its frame header"),
    (JPEG, jpeg()[:5], "ends inside its segment lengths"),
    (JPEG, _jpeg_segments(b"\xff\xfe\x00\x01"), "impossible length 1"),
    (JPEG, _jpeg_segments(b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"), "0xDA comes before its frame header"),
    (JPEG, _jpeg_segments(b"\xff\xd9"), "0xD9 comes before its frame header"),
    (JPEG, _jpeg_segments(b"\xff\xfe\x00\x02", b"garbage"), "does not start with a marker"),
    (JPEG, _jpeg_segments(b"\xff\xc0\x00\x05\x08\x00\x01"), "frame header is too short"),
    (JPEG, _jpeg_segments(b"\xff\xfe\xff\xff" + b"\x00" * 100), "ends inside segment 0xFE"),
    (JPEG, _jpeg_segments(*[b"\xff\xfe\x00\x02"] * (MAX_JPEG_SEGMENTS + 1), jpeg()[2:]), "no frame header"),
    (JPEG, _jpeg_segments(b"\xff" * (MAX_JPEG_FILL + 1), jpeg()[2:]), "fill bytes before a marker"),
    (WEBP, WEBP_VP8[:16], "ends inside its first chunk header"),
    (WEBP, WEBP_VP8[:28], "ends inside its VP8 frame header"),
    (WEBP, WEBP_VP8L[:22], "ends inside its VP8L header"),
    (WEBP, WEBP_VP8X[:26], "ends inside its VP8X header"),
    (WEBP, WEBP_VP8[:20] + b"\x31" + WEBP_VP8[21:], "not start with a key frame"),
    (WEBP, WEBP_VP8L[:20] + b"\x2e" + WEBP_VP8L[21:], "lacks the 0x2F signature"),
    (WEBP, WEBP_VP8L[:24] + b"\x20" + WEBP_VP8L[25:], "version is not 0"),
    (WEBP, WEBP_VP8X[:12] + b"ALPH" + WEBP_VP8X[16:], "first chunk is 'ALPH'"),
]


@pytest.mark.parametrize(("kind", "data", "reason"), [pytest.param(*case, id=case[2]) for case in UNREADABLE])
def test_an_unreadable_header_is_refused(tmp_path: Path, kind: str, data: bytes, reason: str) -> None:
    with pytest.raises(Unreadable, match=reason):
        declared_size(kind, io.BytesIO(data))
    said = refusal(tmp_path, kind, data)
    assert said is not None and said.startswith(f"is not a readable {kind.split('/')[1].upper().replace('WEBP', 'WebP')} image")


def test_a_jpeg_is_read_segment_by_segment_without_reading_their_bodies() -> None:
    """Fill bytes, standalone markers and 60 KiB of metadata before the frame header: a few dozen
    bytes are read, however long the segments are."""
    metadata = b"\xff\xe1" + struct.pack(">H", 60_002) + b"Exif\x00\x00" + b"\x00" * 59_994
    data = jpeg()[:2] + b"\xff\xff\xff\xd0" + metadata * 8 + b"\xff" * MAX_JPEG_FILL + jpeg(640, 480)[2:]
    file = CountingFile(data)

    assert declared_size(JPEG, file) == (640, 480)
    assert file.bytes_read < MAX_JPEG_FILL + 200 < len(data) // 100


def test_kinds_without_pixel_dimensions_are_not_checked(tmp_path: Path) -> None:
    assert refusal(tmp_path, "image/svg+xml", b"<svg/>") is None
    assert refusal(tmp_path, "application/pdf", b"%PDF-1.7") is None
