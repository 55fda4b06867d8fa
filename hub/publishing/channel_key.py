"""The channel key: a hash of everything outside a product that shapes its rendered item.

The adapter and its code, the channel's settings, mapping and filter-independent context, the
brand guide, the attributes' types and option labels, the category tree and the locations.
Kept parts are reused only under an equal key, so any change to these re-renders the whole
channel, and only that channel. Per product, the item key adds its document hash, what it
lacks on the channel and which of its sale moments have passed (``hub.publishing.shards``).
"""

from __future__ import annotations

import hashlib
import inspect
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

import channel_adapters.base
import hub.publishing.render
import hub.services.brand_guide
import hub.services.documents
import hub.services.resolve
from hub.publishing.render import ChannelRenderer
from hub.services import brand_guide
from hub.services.context import CatalogContext


@lru_cache(maxsize=64)
def code_version(adapter_type: type) -> str:
    """A hash of the code that turns documents into this adapter's bytes: its package, the
    adapters' base package and the hub's resolving and rendering modules."""
    files: set[Path] = set()
    for module in (inspect.getmodule(adapter_type), channel_adapters.base, hub.publishing.render, hub.services.resolve,
                   hub.services.brand_guide, hub.services.documents):
        source = Path(inspect.getfile(module))  # type: ignore[arg-type]
        files |= set(source.parent.glob("*.py")) if source.name == "__init__.py" else {source}
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(files):
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def channel_key(renderer: ChannelRenderer, catalog: CatalogContext) -> str:
    ctx, lens = renderer.ctx, renderer.lens
    facts: dict[str, Any] = {
        "adapter": [renderer.adapter.name, getattr(renderer.adapter, "version", ""), code_version(type(renderer.adapter))],
        "context": [ctx.channel, ctx.locale, ctx.currency, ctx.country, ctx.settings, ctx.media_url, ctx.field_overrides,
                    [[s.code, s.name, s.country, s.address] for s in ctx.stores]],
        "guide": brand_guide.state(renderer.guide),
        "title_template": lens.title_template,
        "categories": [[code, list(lens.categories[code].path), lens.mapped[code]] for code in sorted(lens.categories)],
        "attributes": [[a.code, a.type, a.options, a.unit] for _code, a in sorted(catalog.attributes.items())],
        "locations": sorted([code, *facts] for code, facts in lens.locations.items()),
    }
    return hashlib.blake2b(orjson.dumps(facts, option=orjson.OPT_SORT_KEYS, default=str), digest_size=16).hexdigest()
