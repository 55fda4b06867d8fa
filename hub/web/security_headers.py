"""Headers every answer carries so a browser confines what our pages may do.

The Content-Security-Policy runs only our own scripts and styles: no inline script or style
attribute, so markup someone slipped into a product (a name, an alt text) cannot run or restyle
a page even if a template ever failed to escape it. Pages may not be framed by other sites. Behind
``CROSSCANAL_TRUSTED_PROXIES`` proxies, their ``X-Forwarded-*`` headers say whether the client
came over https: then the answers ask for https from now on (HSTS) and the session cookie is
sent over https only.
"""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'",
    "img-src * data:",  # product images may live on a supplier's or a CDN's host
    "object-src 'self'",  # the printed sheet's PDF in the shelf-label preview
    "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'self'",  # our own pages embed our PDFs (the printed sheet); nobody else frames us
))
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",  # frame-ancestors, for browsers before it
}
HSTS = "max-age=31536000"


def _secure(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)  # a route's own (a media SVG's stricter policy) stands
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


class _SessionCookies(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` when the hub's public URL is https, or this request came
    over https (as a trusted proxy says)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or (has_request_context() and request.is_secure))


def init_app(app: Flask, trusted_proxies: int) -> None:
    app.after_request(_secure)
    app.session_interface = _SessionCookies()
    if trusted_proxies:
        n = trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]
