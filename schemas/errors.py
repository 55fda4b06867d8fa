"""marshmallow error messages as flat field paths, the shape every 422 answer uses."""

from __future__ import annotations

from typing import Any


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"values.name[0].data": [reasons]}``."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "body": list(messages)}
    if isinstance(messages, str):
        return {prefix or "body": [messages]}
    flat: dict[str, list[str]] = {}
    if prefix and isinstance(messages, dict) and messages and set(messages) <= {"key", "value"}:
        # A Dict field nests reasons under "key" and "value"; both are about the entry itself.
        # (Not at the top: there "value" is a field's name, as in a bulk edit.)
        for part in messages.values():
            for field, reasons in flatten_messages(part, prefix).items():
                flat.setdefault(field, []).extend(reasons)
        return flat
    items = messages.items() if isinstance(messages, dict) else enumerate(messages)
    for key, value in items:
        if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
            path = f"{prefix}[{key}]"
        elif key == "_schema":
            path = prefix
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        for field, reasons in flatten_messages(value, path).items():
            flat.setdefault(field, []).extend(reasons)
    return flat
