"""JSON merge patch (RFC 7396), with values merged per (attribute, locale, scope) as DESIGN.md says."""

from __future__ import annotations

from typing import Any


def merge_patch(target: Any, patch: Any, *, top: bool = True) -> Any:
    """RFC 7396; only a resource's own top-level ``values`` merge per (attribute, locale, scope)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif top and key == "values" and isinstance(value, dict):
            result[key] = merge_values(result.get(key) or {}, value)
        else:
            result[key] = merge_patch(result.get(key), value, top=False)
    return result


def merge_values(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A patched value replaces the stored one with the same locale and scope; others stay.

    ``{"name": null}`` removes every value of ``name``; an entry with ``"data": null`` removes
    just that locale and scope. Malformed entries pass through for the schema to report.
    """
    merged = {code: list(entries) for code, entries in current.items()}
    for code, entries in patch.items():
        if entries is None:
            merged.pop(code, None)
            continue
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            merged[code] = entries
            continue
        kept = [e for e in merged.get(code, []) if not any(
            (e.get("locale"), e.get("scope")) == (n.get("locale"), n.get("scope")) for n in entries
        )]
        merged[code] = kept + entries
    return merged
