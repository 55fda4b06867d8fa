"""How a rendered item's values read in a preview: one-line texts, hosts, images, and sales.

Presentation only: the values are the adapter's; these helpers decide how a person sees them
(a sale shown while it runs, as channels do; the hub's own images loaded through this site).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping
from urllib.parse import urlsplit

from flask import url_for

from hub.web.hub import hub


def preview_text(value: Any) -> str:
    """A field's value in one line of text: strings as they are, lists and records as JSON."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Sale:
    """A feed's sale as shoppers meet it at ``now``: running, or announced with its dates."""

    price: str
    running: bool
    start: str | None = None  # dates (YYYY-MM-DD) of a dated sale
    end: str | None = None


def sale_of(fields: Mapping[str, Any], now: datetime) -> Sale | None:
    """Channels show a dated sale only between its dates (``sale_price_effective_date``, start/end in
    ISO 8601) and an undated one at once; a period that cannot be read counts as running."""
    price = fields.get("sale_price")
    if not price:
        return None
    period = fields.get("sale_price_effective_date")
    if not period or "/" not in period:
        return Sale(price, True)
    first, last = period.split("/", 1)
    try:
        start, end = datetime.fromisoformat(first), datetime.fromisoformat(last)
    except ValueError:
        return Sale(price, True)
    return Sale(price, start <= now < end, start.date().isoformat(), end.date().isoformat())


def preview_host(url: str) -> str:
    """The address a social post shows under its title: the link's host name."""
    return urlsplit(url).hostname or url


def shown_image(url: str | None) -> str | None:
    """An image link as this browser can load it: the hub's own media through this site, whatever
    public address the channels are given, so previews work before the hub is reachable from outside."""
    media_url = hub().settings.media_url
    if url and url.startswith(media_url):
        return url_for("files.media", path=url[len(media_url):])
    return url
