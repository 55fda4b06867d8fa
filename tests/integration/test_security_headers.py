"""Every answer carries the headers that confine our pages in a browser; https is believed only
from a proxy the settings trust."""

from __future__ import annotations

from dataclasses import replace

from flask.testing import FlaskClient

from hub.config import Settings
from hub.web import create_app
from tests.integration.helpers import API, Headers, tiny_png


def test_every_kind_of_answer_carries_the_policy(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    answers = [client.get("/sign-in"), client.get(f"{API}/products", headers=tokens["viewer"]),
               client.get(f"{API}/products/nothing", headers=tokens["viewer"]), client.get("/api/docs"),
               client.get("/api/docs/init.js"), client.get("/feeds/nope/x.xml")]
    for answer in answers:
        policy = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "frame-ancestors 'self'" in policy
        assert "unsafe-inline" not in policy
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin" and answer.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "Strict-Transport-Security" not in answer.headers  # plain http
    assert "<script>" not in client.get("/api/docs").get_data(as_text=True)  # its script is a file
    stored = client.post(f"{API}/media", data={"file": (__import__("io").BytesIO(tiny_png()), "a.png")},
                         content_type="multipart/form-data", headers=tokens["editor"]).json
    assert client.get(f"/media/{stored['path']}").headers["Content-Security-Policy"] == \
        answers[0].headers["Content-Security-Policy"]


def test_https_is_believed_only_from_a_trusted_proxy(settings: Settings) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = create_app(settings).test_client().get("/sign-in", headers=forwarded)
    assert "Strict-Transport-Security" not in direct.headers
    assert all("Secure" not in cookie for cookie in direct.headers.getlist("Set-Cookie"))

    proxied = create_app(replace(settings, trusted_proxies=1)).test_client().get("/sign-in", headers=forwarded)
    assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookies = proxied.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in cookie for cookie in cookies)
