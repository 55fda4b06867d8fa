"""Placeholder: filled in by the brand guide / family and attribute administration work."""

from __future__ import annotations

from flask import Blueprint


def register(blp: Blueprint) -> None:
    return None
