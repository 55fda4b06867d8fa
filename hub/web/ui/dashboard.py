"""The dashboard: each channel's last publication, the completeness of what it carries, and the
diagnostics found most often, each linking to the products concerned in the grid."""

from __future__ import annotations

from flask import Blueprint, render_template

from hub.services import overview
from hub.web.hub import catalog, session

TOP_DIAGNOSTICS = 15


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/", "dashboard", dashboard)


def dashboard() -> str:
    return render_template("ui/dashboard.html", channels=overview.channels(session(), catalog()),
                           diagnostics=overview.frequent_diagnostics(session(), catalog(), limit=TOP_DIAGNOSTICS))
