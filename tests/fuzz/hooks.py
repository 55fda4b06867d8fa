"""Schemathesis hooks for the API fuzz run (loaded through ``SCHEMATHESIS_HOOKS``).

``PATCH /products`` takes NDJSON, which schemathesis has no serializer for: without one the
operation was never fuzzed. The document declares its body as an array of products, one per
line; a generated array is sent one JSON value per line, anything else as a single line.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(_ctx: Any, value: Any) -> bytes:
    lines = value if isinstance(value, list) else [value]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()
