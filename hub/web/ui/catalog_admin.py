"""Family and attribute administration: the pages live in ``attributes`` and ``families``; this
module mounts both, as the blueprint expects one module per area."""

from __future__ import annotations

from flask import Blueprint

from hub.web.ui import attributes, families


def register(blp: Blueprint) -> None:
    attributes.register(blp)
    families.register(blp)
