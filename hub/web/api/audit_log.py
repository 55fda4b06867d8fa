"""The audit log of administrative actions, read by admins a page at a time, newest first."""

from __future__ import annotations

from typing import Any

from hub.errors import BadRequest
from hub.services import audit
from hub.store.audit import AuditEntry
from hub.web.auth import require
from hub.web.body import HubBlueprint
from hub.web.crud import decode_cursor, next_cursor
from hub.web.hub import session
from schemas.audit import AuditLogArgs, AuditLogPage

READ_ROLE = "admin"
blp = HubBlueprint("audit-log", __name__, url_prefix="/audit-log",
                   description="Administrative actions: users, tokens, channels, locales, currencies, brand guide (admin)")


def representation(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id, "at": entry.at, "action": entry.action, "changes": entry.changes, "address": entry.address,
        "actor": {"kind": entry.actor_kind, "id": entry.actor_id, "name": entry.actor_name},
        "subject": {"kind": entry.subject_kind, "key": entry.subject_key},
    }


def before_id(cursor: str | None) -> int | None:
    """The entry id an ``after`` cursor of this list names; raises BadRequest for another."""
    key = decode_cursor(cursor)
    if key is None:
        return None
    if not key.isdigit():
        raise BadRequest("the 'after' cursor is not one this API gave out", errors={"after": ["unknown cursor"]})
    return int(key)


def page(args: dict[str, Any]) -> tuple[list[AuditEntry], str | None]:
    """The entries ``args`` (loaded by ``AuditLogArgs``) ask for, and the cursor of the next page."""
    limit = args["limit"]
    rows = list(audit.entries(session(), before_id(args["after"]), limit + 1, args["action"],
                              args["subject_kind"], args["subject_key"]))
    return rows[:limit], next_cursor(rows, limit, lambda row: str(row.id))


@blp.route("", methods=["GET"], endpoint="list")
@require(READ_ROLE)
@blp.arguments(AuditLogArgs, location="query")
@blp.response(200, AuditLogPage)
@blp.doc(summary="List the audit log's entries, newest first, a page at a time; filter by action and subject")
def list_entries(args: dict[str, Any]) -> Any:
    rows, next_cursor = page(args)
    return {"items": [representation(row) for row in rows], "next": next_cursor}
