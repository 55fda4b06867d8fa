"""Saved column mappings: a supplier's headers renamed to ours once, reused by name on every file."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hub.errors import NotFound
from hub.store.imports import ColumnMapping, ImportRepo
from hub.store.types import utcnow


def get_mapping(session: Session, name: str) -> ColumnMapping:
    """The saved mapping; raises NotFound listing the ones there are."""
    repo = ImportRepo(session)
    found = repo.mapping(name)
    if found is None:
        names = ", ".join(m.name for m in repo.mappings()) or "none yet"
        raise NotFound(f"no column mapping '{name}'; saved mappings: {names}")
    return found


def save_mapping(session: Session, data: dict[str, Any]) -> ColumnMapping:
    """Create or replace the mapping of a loaded ``ColumnMappingIn``."""
    repo = ImportRepo(session)
    mapping = repo.mapping(data["name"])
    if mapping is None:
        mapping = ColumnMapping(name=data["name"], columns=dict(data["columns"]), created=utcnow(), updated=utcnow())
        repo.add(mapping)
    elif mapping.columns != data["columns"]:
        mapping.columns = dict(data["columns"])
        mapping.updated = utcnow()
    return mapping


def combined(session: Session, name: str | None, columns: dict[str, str]) -> dict[str, str]:
    """The renames one import applies: a saved mapping's, with ``columns`` given for this file over them."""
    saved = dict(get_mapping(session, name).columns) if name else {}
    return {**saved, **columns}


def delete_mapping(session: Session, name: str) -> None:
    """Forget a saved mapping (jobs that used it keep its name); raises NotFound."""
    session.delete(get_mapping(session, name))
    session.flush()
