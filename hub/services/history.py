"""History: field-level differences between two states of a product or product model.

A creation (version 1) is stored with no changes: they are every field of its snapshot going
from nothing to its value, so storing them held the state twice (at a million products, a fifth
of the database and a tenth of the demo's time). Reading a version fills them in again.
"""

from __future__ import annotations

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


def stored_changes(number: int, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What version ``number`` stores of its ``changes``: none for a creation (see above)."""
    return [] if number == 1 else changes


def record(
    session: Session, entity: str, key: str, number: int, author: str, at: datetime,
    changes: list[dict[str, Any]], snapshot: State,
) -> None:
    VersionRepo(session).add(Version(entity=entity, entity_key=key, version=number, author=author, at=at,
                                     changes=stored_changes(number, changes), snapshot=snapshot))


def versions(session: Session, entity: str, key: str) -> list[Version]:
    return [_complete(found) for found in VersionRepo(session).list(entity, key)]


def version(session: Session, entity: str, key: str, number: int) -> Version:
    """One version; raises NotFound when it does not exist."""
    found = VersionRepo(session).get(entity, key, number)
    if found is None:
        raise NotFound(f"{entity.replace('_', ' ')} '{key}' has no version {number}")
    return _complete(found)


def _complete(found: Version) -> Version:
    """A creation's changes, derived from its snapshot; set as loaded, so nothing is written back.
    (Versions stored before this kept their changes and are read as they are.)"""
    if found.version == 1 and not found.changes:
        set_committed_value(found, "changes", diff(None, found.snapshot))
    return found
