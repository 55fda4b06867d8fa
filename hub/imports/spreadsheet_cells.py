"""Cells a spreadsheet would run as formulas, and their neutralized form (OWASP "CSV injection").

Exports prefix such text with a single quote; imports take exactly that prefix off again, so a
round trip is lossless. A value that itself starts with a quote is prefixed too, so the quote a
person typed survives the round trip.
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralize(text: str) -> str:
    """The text as a spreadsheet cell: a leading formula character (or quote) gets a quote before it."""
    if text.startswith(TRIGGERS) or text.startswith(QUOTE):
        return QUOTE + text
    return text


_FIRST = frozenset((*TRIGGERS, QUOTE))  # every trigger is one character


def neutralized(row: list[str]) -> list[str]:
    """``neutralize`` over a row of cells, with no call per cell: an export writes tens of
    millions of cells, and nearly all of them start with none of these characters."""
    return [QUOTE + cell if cell[:1] in _FIRST else cell for cell in row]


def restore(text: str) -> str:
    """Undo ``neutralize``: a quote before a formula character (or before a quote) is dropped."""
    if text.startswith(QUOTE) and (text[1:].startswith(TRIGGERS) or text[1:].startswith(QUOTE)):
        return text[1:]
    return text


def defuse(text: str) -> str:
    """For files only read by people (reports): a quote before a formula character, nothing more."""
    return QUOTE + text if text.startswith(TRIGGERS) else text
