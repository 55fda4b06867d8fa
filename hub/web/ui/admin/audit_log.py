"""The audit log page (admins): its entries newest first, filtered by action and subject, a page
at a time, read as the API's ``GET /audit-log`` reads them."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template, request
from marshmallow import ValidationError

from hub.errors import HubError
from hub.services.audit import ACTIONS, SUBJECT_KINDS
from hub.web.api.audit_log import READ_ROLE, page, representation
from hub.web.ui.access import needs
from schemas.audit import AuditLogArgs
from schemas.errors import flatten_messages

PAGE_SIZE = 50
FILTER_NAMES = ("action", "subject_kind", "subject_key")


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/audit-log", "audit_log", show)


@needs(READ_ROLE)
def show() -> str | tuple[str, int]:
    filters = {name: (request.args.get(name) or "").strip() for name in FILTER_NAMES}
    errors: dict[str, list[str]] = {}
    entries: list[dict[str, Any]] = []
    next_cursor = None
    try:
        args = AuditLogArgs().load({**{k: v for k, v in filters.items() if v}, "limit": PAGE_SIZE,
                                    **({"after": request.args["after"]} if request.args.get("after") else {})})
        rows, next_cursor = page(args)
        entries = [{**representation(row), "shown": _shown(row.changes)} for row in rows]
    except ValidationError as exc:
        errors = flatten_messages(exc.messages)
    except HubError as exc:  # a cursor this page did not give out
        errors = exc.errors or {"after": [exc.detail]}
    html = render_template("ui/admin/audit_log.html", entries=entries, next_cursor=next_cursor, filters=filters,
                           page_args={k: v for k, v in filters.items() if v}, errors=errors, actions=ACTIONS,
                           kinds=SUBJECT_KINDS, first_page=not request.args.get("after"))
    return (html, 422) if errors else html


def _shown(changes: dict[str, Any]) -> list[tuple[str, str]]:
    """Each changed field with its new value as text: a string as it is, anything else as JSON."""
    return [(name, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True))
            for name, value in sorted(changes.items())]
