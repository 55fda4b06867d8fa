"""JSON from outside, parsed with a bound on its nesting. A body of 5,000 nested lists broke the
parser's recursion (a server error); nothing we take nests deeper than a few levels."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64


def loads(raw: bytes | str) -> Any:
    """``json.loads``, raising ValueError (as for malformed JSON) for nesting past ``MAX_DEPTH``."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from None
    bracket, brace = (b"[", b"{") if isinstance(raw, bytes) else ("[", "{")
    if raw.count(bracket) + raw.count(brace) > MAX_DEPTH and _deeper_than(data, MAX_DEPTH):  # most bodies skip the walk
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
    return data


def _deeper_than(data: Any, most: int) -> bool:
    pending = [(data, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > most:
                return True
            pending.extend((inner, depth + 1) for inner in (item.values() if isinstance(item, dict) else item))
    return False
