"""The dashboard: each channel's last publication and the completeness of what it carries."""

from __future__ import annotations

from flask import Blueprint, render_template

from hub.services import overview
from hub.web.hub import catalog, session


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/", "dashboard", dashboard)


def dashboard() -> str:
    return render_template("ui/dashboard.html", channels=overview.channels(session(), catalog()))
