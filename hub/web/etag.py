"""Entity tags and conditional writes: a stale ``If-Match`` changes nothing."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import json, request

from hub.errors import PreconditionFailed


def etag_of(state: dict[str, Any]) -> str:
    """A strong tag from the editable state, so it changes exactly when the resource does."""
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def check_if_match(current: str | None) -> None:
    """Refuse the write when the client's ``If-Match`` names another version (or none exists)."""
    wanted = request.headers.get("If-Match")
    if wanted is None:
        return
    tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
    if "*" in tags and current is not None:
        return
    if current is None or current not in tags:
        raise PreconditionFailed("the resource changed since you read it (If-Match does not match its ETag); read it again")
