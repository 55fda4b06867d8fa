"""Media upload and serving, and products referring to uploaded files."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hub.store.models import Media
from tests.factories import value
from tests.integration.helpers import API, Headers, assert_problem, read, row_count, tiny_png


def upload(client: FlaskClient, headers: Headers, data: bytes, name: str = "pack.png") -> Any:
    return client.post(f"{API}/media", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data",
                       headers=headers)


@pytest.fixture
def png_path(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> str:
    response = upload(client, tokens["editor"], tiny_png())
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json["path"]


def add_image_attribute(client: FlaskClient, tokens: dict[str, Headers]) -> None:
    """An image attribute ``packshot``, added to the drinks family, all through the API."""
    created = client.post(f"{API}/attributes", json={"code": "packshot", "type": "image", "labels": {"en_US": "Packshot"}},
                          headers=tokens["editor"])
    assert created.status_code == 201, created.json
    family = client.get(f"{API}/families/drinks", headers=tokens["editor"]).json
    patched = client.patch(f"{API}/families/drinks", json={"attributes": family["attributes"] + ["packshot"]},
                           headers=tokens["editor"])
    assert patched.status_code == 200, patched.json


def test_an_uploaded_png_is_stored_and_served(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    png = tiny_png()

    response = upload(client, tokens["editor"], png)

    assert response.status_code == 201, response.json
    body = response.json
    assert body["content_type"] == "image/png" and body["size"] == len(png)
    assert body["sha256"] == hashlib.sha256(png).hexdigest()
    assert body["path"].endswith(".png") and body["url"].endswith("/media/" + body["path"])
    served = client.get(f"/media/{body['path']}")  # public: channels fetch images without a token
    assert served.status_code == 200
    assert served.data == png
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert row_count(db_session, Media) == 1


def test_the_same_bytes_are_kept_once(client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None) -> None:
    first = upload(client, tokens["editor"], tiny_png(), "a.png")
    second = upload(client, tokens["editor"], tiny_png(), "b.png")
    other = upload(client, tokens["editor"], tiny_png(0, 0, 255), "blue.png")
    assert first.status_code == second.status_code == other.status_code == 201
    assert first.json["path"] == second.json["path"] != other.json["path"]
    assert row_count(db_session, Media) == 2


@pytest.mark.parametrize("data, name", [
    (b"just some words, not a picture", "notes.txt"),
    (b"MZ\x90\x00 an executable pretending", "photo.png"),
    (b"", "empty.png"),
])
def test_a_file_that_is_not_an_image_gets_422_and_is_not_kept(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None, data: bytes, name: str
) -> None:
    response = upload(client, tokens["editor"], data, name)
    assert_problem(response, 422, "file", "not a JPEG, PNG")
    assert row_count(db_session, Media) == 0


def test_an_upload_without_the_file_field_gets_422(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    response = client.post(f"{API}/media", data={"picture": (io.BytesIO(tiny_png()), "a.png")},
                           content_type="multipart/form-data", headers=tokens["editor"])
    assert_problem(response, 422, "file", "file")
    assert row_count(db_session, Media) == 0


def test_an_unknown_media_path_is_404(client: FlaskClient, png_path: str) -> None:
    response = client.get("/media/00/" + "0" * 64 + ".png")
    assert_problem(response, 404)
    assert client.get("/media/" + png_path + "x").status_code == 404


def test_a_product_refers_to_an_uploaded_file_in_media(
    client: FlaskClient, tokens: dict[str, Headers], png_path: str
) -> None:
    media = [{"path": png_path, "role": "main", "alt": {"en_US": "A bottle", "fr_FR": "Une bouteille"}}]

    response = client.patch(f"{API}/products/juice", json={"media": media}, headers=tokens["editor"])

    assert response.status_code == 200, response.json
    assert response.json["media"] == [{"path": png_path, "role": "main", "alt": {"en_US": "A bottle", "fr_FR": "Une bouteille"}}]
    web = client.get(f"{API}/products/juice/resolved/web", headers=tokens["viewer"]).json
    store = client.get(f"{API}/products/juice/resolved/store", headers=tokens["viewer"]).json
    assert web["media"] == [{"path": png_path, "role": "main", "alt": "A bottle"}]
    assert store["media"] == [{"path": png_path, "role": "main", "alt": "Une bouteille"}]


def test_media_refs_are_checked(client: FlaskClient, tokens: dict[str, Headers], png_path: str) -> None:
    before = read(client, f"{API}/products/juice", tokens["viewer"])
    two_mains = [{"path": png_path, "role": "main"}, {"path": png_path, "role": "main"}]
    assert_problem(client.patch(f"{API}/products/juice", json={"media": two_mains}, headers=tokens["editor"]),
                   422, "media", "main")
    assert_problem(client.patch(f"{API}/products/juice", json={"media": [{"path": png_path, "role": "hero"}]},
                                headers=tokens["editor"]), 422, "media[0].role")
    assert_problem(client.patch(f"{API}/products/juice", json={"media": [{"path": png_path, "alt": {"de_DE": "Flasche"}}]},
                                headers=tokens["editor"]), 422, "media[0].alt", "unknown locale")
    assert read(client, f"{API}/products/juice", tokens["viewer"]) == before


def test_an_image_attribute_takes_an_uploaded_path(client: FlaskClient, tokens: dict[str, Headers], png_path: str) -> None:
    add_image_attribute(client, tokens)

    response = client.patch(f"{API}/products/juice", json={"values": {"packshot": value(png_path)}}, headers=tokens["editor"])

    assert response.status_code == 200, response.json
    assert response.json["values"]["packshot"] == value(png_path)
    assert client.get(f"{API}/products/juice/resolved/web", headers=tokens["viewer"]).json["values"]["packshot"] == png_path


def test_an_image_attribute_refuses_a_path_that_was_never_uploaded(
    client: FlaskClient, tokens: dict[str, Headers], png_path: str
) -> None:
    add_image_attribute(client, tokens)
    before = read(client, f"{API}/products/juice", tokens["viewer"])

    response = client.patch(f"{API}/products/juice", json={"values": {"packshot": value("ab/never-uploaded.png")}},
                            headers=tokens["editor"])

    assert_problem(response, 422, "values.packshot[0].data", "no media file", "upload")
    assert read(client, f"{API}/products/juice", tokens["viewer"]) == before


SVG = b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'


@pytest.mark.parametrize(("data", "reason"), [
    (b"<!doctype html><html><body><p>Buy now</p><svg></svg><script>alert(1)</script></body></html>", "is not a JPEG"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>', "holds script"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>', "holds script"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     b'<a xlink:href="java\tscript:alert(1)"><rect width="1" height="1"/></a></svg>', "holds script"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div>'
     b'</foreignObject></svg>', "holds script"),
    (b'<!DOCTYPE svg [<!ENTITY lol "lol">]><svg xmlns="http://www.w3.org/2000/svg">&lol;</svg>', "is not a JPEG"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "not a well-formed SVG"),
])
def test_a_page_or_an_svg_that_can_run_script_is_refused_as_media(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None, data: bytes, reason: str
) -> None:
    assert_problem(upload(client, tokens["editor"], data, name="logo.svg"), 422, "file", *reason.split())
    assert row_count(db_session, Media) == 0


def test_a_plain_svg_with_its_doctype_is_stored(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    data = SVG + b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1" fill="red"/></svg>'
    response = upload(client, tokens["editor"], data, name="logo.svg")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["content_type"] == "image/svg+xml" and response.json["path"].endswith(".svg")
    assert client.get(f"/media/{response.json['path']}").data == data
