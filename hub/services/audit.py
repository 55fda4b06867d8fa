"""The audit log's recorder: who did which administrative action to what, and what it changed.

The services that perform these actions (accounts, channels, locales, currencies, the brand
guide) call ``record`` in the session of the change, so an entry is committed with its change
or not at all; a refused change raises before anything is recorded. They are given the actor
(``Acting``): the web layer builds it from the request's token or signed-in user and its
address, the command passes ``CLI``. Without an actor nothing is recorded: code that acts for
nobody (the demo catalog's loader, test fixtures) seeds data, it performs no one's action, and
it may run against a schema older than the audit log (migration tests). Secrets never reach a
stored entry: fields that hold one are recorded as changed, without their value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from sqlalchemy.orm import Session

from hub.store.audit import AuditEntry, AuditRepo

# What the services record, for the pages that filter by them.
ACTIONS = ("user.create", "token.create", "token.revoke", "channel.create", "channel.update", "channel.rotate_token",
           "channel.delete", "locale.create", "locale.update", "locale.delete", "currency.create", "currency.update",
           "currency.delete", "brand_guide.update")
SUBJECT_KINDS = ("user", "token", "channel", "locale", "currency", "brand_guide")
SECRET_FIELDS = frozenset({"password", "password_hash", "token", "token_hash", "feed_token", "secret"})
NOT_RECORDED = "(secret, not recorded)"


@dataclass(frozen=True)
class Acting:
    """Who performs an action, as the audit log names them: a token, a user of the UI, or the
    ``crosscanal`` command; ``address`` is the client's when a request acted."""

    kind: str
    id: int | None
    name: str
    address: str | None = None


CLI = Acting("cli", None, "cli")


def changed(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``after`` whose value differs from ``before`` (all of them when there was
    no before), with their new values."""
    before = before or {}
    return {name: value for name, value in after.items() if name not in before or before[name] != value}


def _redacted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: NOT_RECORDED if key in SECRET_FIELDS else _redacted(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(inner) for inner in value]
    return value


def record(session: Session, actor: Acting | None, action: str, subject: tuple[str, str],
           changes: Mapping[str, Any] | None = None) -> AuditEntry | None:
    """Add an entry for ``action`` on ``subject`` (kind, key) to the session's transaction; with
    no actor, none. Values under a secret field's name, at any depth, are replaced by a marker."""
    if actor is None:
        return None
    kind, key = subject
    entry = AuditEntry(actor_kind=actor.kind, actor_id=actor.id, actor_name=actor.name, action=action,
                       subject_kind=kind, subject_key=str(key), changes=_redacted(dict(changes or {})),
                       address=actor.address[:64] if actor.address else None)
    AuditRepo(session).add(entry)
    return entry


def entries(session: Session, before: int | None, limit: int, action: str | None = None,
            subject_kind: str | None = None, subject_key: str | None = None) -> Sequence[AuditEntry]:
    """A page of entries, newest first: those older than entry ``before``, filtered as given."""
    return AuditRepo(session).page(before, limit, action, subject_kind, subject_key)
