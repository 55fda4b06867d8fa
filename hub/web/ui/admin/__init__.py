"""The administration screens only admins reach (the audit log); each screen has its module here
and its templates under ``templates/ui/admin/``."""

from __future__ import annotations

from flask import Blueprint

from hub.web.ui.admin import audit_log


def register(blp: Blueprint) -> None:
    audit_log.register(blp)
