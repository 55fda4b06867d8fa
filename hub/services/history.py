"""History: field-level differences between two states of a product or product model.

A creation (version 1) is stored with neither changes nor, while it is the latest version, a
snapshot. Its changes are every field of its state going from nothing to its value, and its
state is the record's own until the next version, so storing either repeated the product (at a
million products, a version's 2 KB of state was a sixth of the demo's writes). The version that
follows a creation stores the creation's snapshot from the state it replaces; reading a version
fills in what was not stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from hub.errors import NotFound
from hub.services.inheritance import flat_values
from hub.store.models import Version
from hub.store.repos import VersionRepo

State = dict[str, Any]


def _offer_field(offer: dict[str, Any]) -> str:
    """``offers.EUR``, ``offers.EUR-marketplace``, ``offers.EUR@PAR01``."""
    name = "offers." + "-".join(part for part in (offer["currency"], offer.get("channel")) if part)
    return name + (f"@{offer['location']}" if offer.get("location") else "")


def _flatten(state: State | None) -> dict[str, Any]:
    """One entry per field a person would name: ``enabled``, ``values.name-en_US``, ``offers.EUR``."""
    if not state:
        return {}
    flat: dict[str, Any] = {}
    for key, value in state.items():
        if key == "values":
            flat.update({f"values.{field}": data for field, data in flat_values(value).items()})
        elif key == "offers":
            flat.update({_offer_field(offer): offer for offer in value})
        else:
            flat[key] = value
    return flat


def diff(old: State | None, new: State) -> list[dict[str, Any]]:
    """The changed fields, each as ``{"field", "old", "new"}``; empty when nothing changed.
    Equal states are answered at once: an unchanged import row or save is the common case, and
    flattening both states was most of its comparison."""
    if old == new:
        return []
    before, after = _flatten(old), _flatten(new)
    changes = []
    for field in sorted(set(before) | set(after)):
        if before.get(field) != after.get(field):
            changes.append({"field": field, "old": before.get(field), "new": after.get(field)})
    return changes


def creation(entity: str, key: str, author: str, at: datetime) -> dict[str, Any]:
    """The row of a creation (version 1), stored without changes or snapshot (see above)."""
    return {"entity": entity, "entity_key": key, "version": 1, "author": author, "at": at, "changes": [], "snapshot": None}


def record(
    session: Session, entity: str, key: str, number: int, author: str, at: datetime,
    changes: list[dict[str, Any]], snapshot: State, before: State | None,
) -> None:
    """Version ``number`` with its ``changes`` and the ``snapshot`` after them; ``before``, the
    state it replaces, becomes the snapshot of a creation that did not store one."""
    if number == 1:
        VersionRepo(session).add(Version(**creation(entity, key, author, at)))
        return
    if number == 2:
        session.flush()  # a creation still pending in this session is written first
        VersionRepo(session).fill_creations(entity, [(key, before)])
    VersionRepo(session).add(Version(entity=entity, entity_key=key, version=number, author=author, at=at,
                                     changes=changes, snapshot=snapshot))


def versions(session: Session, entity: str, key: str, current: Callable[[], State]) -> list[Version]:
    """Every version, oldest first; ``current`` answers the record's state, which a creation
    without a snapshot holds."""
    return [_complete(found, current) for found in VersionRepo(session).list(entity, key)]


def version(session: Session, entity: str, key: str, number: int, current: Callable[[], State]) -> Version:
    """One version; raises NotFound when it does not exist."""
    found = VersionRepo(session).get(entity, key, number)
    if found is None:
        raise NotFound(f"{entity.replace('_', ' ')} '{key}' has no version {number}")
    return _complete(found, current)


def _complete(found: Version, current: Callable[[], State]) -> Version:
    """A creation's snapshot (the record's state while no version followed it) and changes (from
    that snapshot), set as loaded, so nothing is written back. (Creations stored before kept
    their snapshot, and some their changes; they are read as they are.)"""
    if found.snapshot is None:
        set_committed_value(found, "snapshot", current())
    if found.version == 1 and not found.changes:
        set_committed_value(found, "changes", diff(None, found.snapshot))
    return found
