"""Diagnostics: one finding about one product on one channel."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    ERROR = "error"  # the item is excluded from the channel
    WARNING = "warning"  # the item goes out, but should be fixed


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    attribute: str | None = None
    fix: str | None = None
    sku: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data
