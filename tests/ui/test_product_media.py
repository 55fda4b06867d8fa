"""Adding an image from the product page in a real browser: the file is stored as the API stores
it and attached with its role and alt text; a file that is not an image, a second main image and a
stale page are refused with the reason on the upload's inputs and nothing attached; a viewer
sees no upload and cannot post one.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.ui.conftest import api_product, change, sign_in

SKU = "dark-chocolate-orange-100g-s2"  # a demo product with one image, its main one


def png(red: int, green: int, blue: int) -> bytes:
    """A real 1x1 PNG of one colour, built by hand (as tests/integration/helpers.py does)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes([0, red, green, blue]))) + chunk(b"IEND", b"")


def choose(page: Page, name: str, content: bytes, mime: str = "image/png") -> None:
    page.get_by_label("New image file").set_input_files({"name": name, "mimeType": mime, "buffer": content})


def media_of(page: Page, tokens: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    return api_product(page, tokens, SKU)["media"]


def test_an_editor_adds_an_image_with_its_alt_text(page: Page, tokens: dict) -> None:
    before = media_of(page, tokens)
    sign_in(page, "editor")
    page.goto(f"/products/{SKU}")
    expect(page.get_by_label("New image file")).to_have_attribute("accept", "image/png,image/jpeg,image/gif,image/webp,image/svg+xml")
    choose(page, "side.png", png(10, 120, 200))
    page.get_by_label("New image role").select_option("additional")
    page.get_by_label("New image alt text (en_US)").fill("The bar seen from the side")
    page.get_by_label("New image alt text (en_US)").press("Enter")  # adds the image, not a save of the form

    expect(page.get_by_role("status")).to_have_text("Image added.")
    after = media_of(page, tokens)
    assert after[:-1] == before and len(after) == len(before) + 1
    added = after[-1]
    assert added["role"] == "additional" and added["alt"] == {"en_US": "The bar seen from the side"}
    assert added["path"].endswith(".png")

    n = len(after)
    expect(page.get_by_label(f"Image {n} alt text (en_US)")).to_have_value("The bar seen from the side")
    expect(page.get_by_label(f"Image {n} role")).to_have_value("additional")
    thumb = page.get_by_role("img", name=f"Image {n}", exact=True)
    expect(thumb).to_have_attribute("src", f"/media/{added['path']}")
    page.wait_for_function("img => img.complete && img.naturalWidth === 1", arg=thumb.element_handle())
    served = page.request.get(f"/media/{added['path']}")
    assert served.ok and served.body() == png(10, 120, 200)


def test_what_is_not_an_image_or_a_second_main_is_refused_and_nothing_attached(page: Page, tokens: dict, screenshots: Path) -> None:
    before = media_of(page, tokens)
    sign_in(page, "editor")
    page.goto(f"/products/{SKU}")

    choose(page, "notes.png", b"just some text, not a picture\n")
    page.get_by_label("New image alt text (fr_FR)").fill("Vue de côté")
    page.get_by_role("button", name="Add image").click()
    expect(page.get_by_role("alert")).to_contain_text("Image not added")
    expect(page.locator("#upload-file-error")).to_contain_text("'notes.png' is not a JPEG, PNG, GIF, WebP, SVG or PDF")
    expect(page.get_by_label("New image file")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert").get_by_role("link", name="New image file")).to_have_attribute("href", "#upload-file")
    expect(page.get_by_label("New image alt text (fr_FR)")).to_have_value("Vue de côté")  # kept as typed
    assert media_of(page, tokens) == before
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet: the upload fits without scrolling sideways
    box = page.locator("#media-upload")
    box.scroll_into_view_if_needed()
    bounds = box.bounding_box()
    assert bounds is not None and bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 768
    box.screenshot(path=str(screenshots / "product-media-upload-refused.png"))

    choose(page, "front.png", png(200, 30, 30))
    page.get_by_label("New image role").select_option("main")  # the product has its main image already
    page.get_by_role("button", name="Add image").click()
    expect(page.locator("#upload-role-error")).to_have_text("only one image can have the role main")
    expect(page.locator("#upload-file-error")).to_have_count(0)
    assert media_of(page, tokens) == before


def test_a_stale_page_or_unsaved_edits_add_nothing(page: Page, db_session: Session, tokens: dict) -> None:
    sign_in(page, "editor")
    page.goto(f"/products/{SKU}")

    # Unsaved edits in the form would be dropped by the reload after adding: the page says so first.
    page.get_by_label("Rating", exact=True).fill("2")
    choose(page, "top.png", png(1, 2, 3))
    page.get_by_role("button", name="Add image").click()
    expect(page.locator("#upload-unsaved")).to_be_visible()
    expect(page.get_by_label("Rating", exact=True)).to_have_value("2")  # still on the page, not posted

    page.reload()
    theirs = change(db_session, SKU, enabled=False)  # someone else saves meanwhile
    choose(page, "top.png", png(1, 2, 3))
    page.get_by_label("New image alt text (en_US)").fill("Top view")
    page.get_by_role("button", name="Add image").click()
    expect(page.get_by_role("alert")).to_contain_text("someone changed this product")
    assert media_of(page, tokens) == theirs["media"]
    expect(page.get_by_label("Enabled")).not_to_be_checked()  # the page shows the current version
    expect(page.get_by_label("New image alt text (en_US)")).to_have_value("Top view")


def test_a_viewer_sees_no_upload_and_cannot_post_one(page: Page, tokens: dict) -> None:
    before = media_of(page, tokens)
    sign_in(page, "viewer")
    page.goto(f"/products/{SKU}")
    expect(page.get_by_role("heading", name=SKU, level=1)).to_be_visible()
    expect(page.get_by_label("New image file")).to_have_count(0)
    expect(page.get_by_role("button", name="Add image")).to_have_count(0)
    token = page.locator("meta[name='csrf-token']").get_attribute("content")
    etag = page.request.get(f"/api/v1/products/{SKU}", headers=tokens["viewer"]).headers["etag"]  # a post that is not stale
    answer = page.request.post(f"/products/{SKU}/media", max_redirects=0, multipart={
        "csrf_token": token, "etag": etag, "upload-role": "additional", "upload-alt-en_US": "x",
        "upload-file": {"name": "a.png", "mimeType": "image/png", "buffer": png(0, 0, 0)},
    })
    assert answer.status == 403
    assert media_of(page, tokens) == before
