"""Uploads of images declaring enormous dimensions (decompression bombs) or with unreadable
headers: refused with 422 on ``file`` naming the reason, and nothing stored (no row, no file,
no upload left behind); small real images of each format are stored as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.store.models import Media
from tests.integration.helpers import Headers, assert_problem, row_count
from tests.integration.test_media import upload
from tests.support.images import WEBP_VP8, WEBP_VP8L, WEBP_VP8X, gif, jpeg, png, webp_vp8, webp_vp8l, webp_vp8x


def stored_files(settings: Settings) -> list[Path]:
    """Every file under the media folder, upload leftovers (``.upload-*``) included."""
    folder = Path(settings.media_dir)
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize(("data", "name", "kind"), [
    (png(40, 30), "small.png", "image/png"),
    (gif(5, 4), "small.gif", "image/gif"),
    (jpeg(20, 9), "small.jpg", "image/jpeg"),
    (WEBP_VP8, "lossy.webp", "image/webp"),
    (WEBP_VP8L, "lossless.webp", "image/webp"),
    (WEBP_VP8X, "extended.webp", "image/webp"),
], ids=["png", "gif", "jpeg", "webp-vp8", "webp-vp8l", "webp-vp8x"])
def test_a_small_image_of_each_format_is_stored(
    client: FlaskClient, db_session: Session, settings: Settings, tokens: dict[str, Headers], seeded: None,
    data: bytes, name: str, kind: str,
) -> None:
    response = upload(client, tokens["editor"], data, name)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["content_type"] == kind
    assert client.get(f"/media/{response.json['path']}").data == data
    assert row_count(db_session, Media) == 1
    assert [p.relative_to(settings.media_dir).as_posix() for p in stored_files(settings)] == [response.json["path"]]


BOMBS = [
    (png(100000, 100000), "bomb.png", 100000, 100000),
    (gif(65535, 65535), "bomb.gif", 65535, 65535),
    (jpeg(65535, 65535), "bomb.jpg", 65535, 65535),
    (webp_vp8(16383, 16383), "bomb-vp8.webp", 16383, 16383),
    (webp_vp8l(16384, 16384), "bomb-vp8l.webp", 16384, 16384),
    (webp_vp8x(100000, 100000), "bomb-vp8x.webp", 100000, 100000),
]
UNREADABLE = [
    (png()[:20], "cut.png", "is not a readable PNG image (the file ends inside its IHDR chunk)"),
    (gif()[:8], "cut.gif", "is not a readable GIF image (the file ends inside its logical screen descriptor)"),
    (jpeg()[:30], "cut.jpg", "is not a readable JPEG image (the file ends inside segment 0xDB)"),
    (WEBP_VP8X[:26], "cut.webp", "is not a readable WebP image (the file ends inside its VP8X header)"),
    (png(0, 1), "empty.png", "declares 0 x 1 pixels: an image must be at least 1 pixel wide and high"),
]


@pytest.fixture
def kept(client: FlaskClient, settings: Settings, tokens: dict[str, Headers], seeded: None) -> list[Path]:
    """One image stored before: the files then in the media folder."""
    response = upload(client, tokens["editor"], png(2, 2), "kept.png")
    assert response.status_code == 201, response.get_data(as_text=True)
    return stored_files(settings)


@pytest.mark.parametrize(("data", "name", "width", "height"), [pytest.param(*case, id=case[1]) for case in BOMBS])
def test_a_decompression_bomb_gets_422_naming_its_dimensions_and_nothing_is_stored(
    client: FlaskClient, db_session: Session, settings: Settings, tokens: dict[str, Headers], kept: list[Path],
    data: bytes, name: str, width: int, height: int,
) -> None:
    response = upload(client, tokens["editor"], data, name)

    body = assert_problem(response, 422, "file", name, f"{width} x {height}", "64 megapixels")
    assert body["errors"]["file"] == [f"'{name}' declares {width} x {height} pixels ({width * height:,} pixels), "
                                      "over the limit of 64 megapixels (64,000,000 pixels) per image"]
    assert row_count(db_session, Media) == 1
    assert stored_files(settings) == kept


@pytest.mark.parametrize(("data", "name", "reason"), [pytest.param(*case, id=case[1]) for case in UNREADABLE])
def test_an_unreadable_or_empty_image_gets_422_and_nothing_is_stored(
    client: FlaskClient, db_session: Session, settings: Settings, tokens: dict[str, Headers], kept: list[Path],
    data: bytes, name: str, reason: str,
) -> None:
    response = upload(client, tokens["editor"], data, name)

    body = assert_problem(response, 422, "file", name)
    assert body["errors"]["file"] == [f"'{name}' {reason}"]
    assert row_count(db_session, Media) == 1
    assert stored_files(settings) == kept
