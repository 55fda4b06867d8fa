"""The one failure an import raises for a whole file (rows that fail are reported, not raised)."""

from __future__ import annotations

from hub.errors import HubError


class FileRefused(HubError):
    """The file cannot be imported at all: unreadable, unsafe, too big, or missing a required column."""

    status, title, type = 422, "File refused", "/problems/import-file-refused"
    exit_code = 2
