"""The web layer: the app factory, the REST API, media and docs. The only place that knows Flask."""

from hub.web.app import create_app

__all__ = ["create_app"]
