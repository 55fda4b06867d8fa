"""The brand guide: canonical brand spellings, banned words and the title template, as diagnostics.

Besides the stored guide, this module answers what a proposed guide would change (``draft`` and
``compare``), so the UI can preview an edit on real products before anyone saves it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy.orm import Session

from channel_adapters.base.diagnostics import Diagnostic, Severity
from channel_adapters.base.view import ProductView
from hub.services import audit
from hub.services.audit import Acting
from hub.store.models import BrandGuide
from hub.store.repos import CatalogRepo

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")
CHECKED_TEXT = ("name", "description", "short_description")
_SPACE_BEFORE_MARK = re.compile(r" ([,.;:!?])")


def placeholders(template: str) -> list[str]:
    return list(_compiled(template or "")[1])


@lru_cache(maxsize=64)
def _compiled(template: str) -> tuple[str, tuple[str, ...]]:
    """The template as a positional format string and the attribute each position takes: a view
    fills a title per product, and ``str.format`` costs a third of a substitution with a callback."""
    pieces = PLACEHOLDER.split(template)
    text = "".join(piece.replace("{", "{{").replace("}", "}}") if n % 2 == 0 else "{}" for n, piece in enumerate(pieces))
    return text, tuple(pieces[1::2])


def render_title(template: str | None, labels: dict[str, str] | Any) -> str | None:
    """Fill ``{attribute}`` placeholders with the values people read; missing ones leave no gap."""
    if not template:
        return None
    text, names = _compiled(template)
    get = labels.get
    text = " ".join(text.format(*[get(name, "") for name in names]).split())
    if _SPACE_BEFORE_MARK.search(text):
        text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    return text or None


def get(session: Session, lock: bool = False) -> BrandGuide:
    """The guide, or an empty one that enforces nothing. ``lock``: read to be changed, locked
    when the session writes (``hub.store.base.for_writing``)."""
    return CatalogRepo(session).brand_guide(lock) or BrandGuide(id=1, brand_names=[], banned_words=[], title_template="", required_image_roles=[])


def _fill(guide: BrandGuide, data: dict[str, Any]) -> BrandGuide:
    guide.brand_names = list(dict.fromkeys(data["brand_names"]))
    guide.banned_words = list(dict.fromkeys(data["banned_words"]))
    guide.title_template = data["title_template"]
    guide.required_image_roles = list(dict.fromkeys(data["required_image_roles"]))
    return guide


def put(session: Session, data: dict[str, Any], *, actor: Acting | None = None) -> BrandGuide:
    """Store the guide ``data`` (loaded by ``BrandGuideIn``) describes; a change is recorded in
    the audit log for ``actor``."""
    guide = CatalogRepo(session).brand_guide()
    before = state(guide) if guide is not None else None
    if guide is None:
        guide = BrandGuide(id=1)
        session.add(guide)
    _fill(guide, data)
    session.flush()
    changes = audit.changed(before, state(guide))
    if changes:
        audit.record(session, actor, "brand_guide.update", ("brand_guide", "brand_guide"), changes)
    return guide


def draft(data: dict[str, Any]) -> BrandGuide:
    """The guide ``data`` (loaded by ``BrandGuideIn``) describes, never added to a session: what
    a preview checks against, with the same normalization ``put`` would store."""
    return _fill(BrandGuide(), data)


def state(guide: BrandGuide) -> dict[str, Any]:
    return {
        "brand_names": guide.brand_names, "banned_words": guide.banned_words,
        "title_template": guide.title_template, "required_image_roles": guide.required_image_roles,
    }


def canonical_brand(brand: str, guide: BrandGuide | Rules) -> str | None:
    """The guide's spelling of ``brand`` when it differs only in case, such as 'northwind'."""
    if brand in guide.brand_names:
        return None
    return next((b for b in guide.brand_names if b.casefold() == brand.casefold()), None)


def _banned_pattern(word: str) -> str:
    return rf"(?<!\w){re.escape(word)}(?!\w)"


@lru_cache(maxsize=4096)
def _banned_regex(word: str) -> re.Pattern[str]:
    return re.compile(_banned_pattern(word), re.IGNORECASE)


@lru_cache(maxsize=64)
def _any_banned(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for all the words: most texts hold none, and then one search tells."""
    return re.compile("|".join(_banned_pattern(w) for w in words), re.IGNORECASE) if words else None


@lru_cache(maxsize=64)
def _ascii_lowered(words: tuple[str, ...]) -> tuple[str, ...] | None:
    """The words in lower case when all are ASCII; None when one is not (a Kelvin sign in a word
    matches 'k' in any case, so only ASCII words may be looked for with ``in``)."""
    return tuple(w.lower() for w in words) if all(w.isascii() for w in words) else None


def banned_in(text: str, guide: BrandGuide | Rules) -> list[str]:
    """The banned words ``text`` contains, as whole words in any case."""
    words = tuple(guide.banned_words)
    if not words or not text:
        return []
    # Most texts hold none of the words: for ASCII text and words a substring test tells that
    # much faster than the regular expression, which tries its look-behind at every position.
    lowered = _ascii_lowered(words)
    if lowered is not None and text.isascii():
        folded = text.lower()
        if not any(word in folded for word in lowered):
            return []
    found = _any_banned(words)
    if found is None or not found.search(text):
        return []
    return [word for word in words if _banned_regex(word).search(text)]


def marked(text: str, words: Iterable[str]) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, each telling whether it is a banned word, so a page can mark them."""
    words = [w for w in words if w]
    if not words or not text:
        return [(text, False)] if text else []
    # Longest first, so "best ever" is marked whole rather than a shorter banned word inside it.
    pattern = re.compile("|".join(_banned_pattern(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    pieces, at = [], 0
    for match in pattern.finditer(text):
        if match.start() > at:
            pieces.append((text[at:match.start()], False))
        pieces.append((match.group(0), True))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


@dataclass(frozen=True)
class Rules:
    """A guide's rules as plain values, read once per publication: the checks then run per
    product without an attribute read on the ORM object each time."""

    brand_names: tuple[str, ...]
    known_brands: frozenset[str]
    banned_words: tuple[str, ...]
    title_template: str
    required_image_roles: tuple[str, ...]


def rules(guide: BrandGuide) -> Rules:
    names = tuple(guide.brand_names or ())
    return Rules(names, frozenset(names), tuple(guide.banned_words or ()), guide.title_template or "",
                 tuple(guide.required_image_roles or ()))


def check(view: ProductView, guide: BrandGuide | Rules) -> list[Diagnostic]:
    """Findings that keep one brand image: spelling of brands, banned words, title, imagery."""
    guide = guide if type(guide) is Rules else rules(guide)
    found: list[Diagnostic] = []
    labels = view.labels
    brand = labels.get("brand")
    if brand and guide.brand_names and brand not in guide.known_brands:
        canonical = canonical_brand(brand, guide)
        if canonical:
            found.append(Diagnostic(Severity.WARNING, "brand_spelling", f"brand is spelled '{brand}'; the brand guide spells it '{canonical}'",
                                    "brand", f"write '{canonical}'", view.sku))
        else:
            found.append(Diagnostic(Severity.WARNING, "brand_unknown", f"brand '{brand}' is not in the brand guide",
                                    "brand", "use a brand listed in the brand guide, or add it there", view.sku))
    if guide.banned_words:
        for attribute in CHECKED_TEXT:
            for word in banned_in(labels.get(attribute) or "", guide):
                found.append(Diagnostic(Severity.ERROR, "banned_word", f"{attribute} contains the banned word '{word}'",
                                        attribute, f"remove '{word}' from {attribute}", view.sku))
    template = guide.title_template
    if template:
        missing = [p for p in _compiled(template)[1] if not labels.get(p)]
        if missing:
            found.append(Diagnostic(Severity.WARNING, "title_incomplete",
                                    f"the title template needs {', '.join(missing)}, which the product does not have",
                                    missing[0], f"fill {', '.join(missing)}", view.sku))
    if guide.required_image_roles:
        roles = {m.role for m in view.media}
        for role in guide.required_image_roles:
            if role not in roles:
                found.append(Diagnostic(Severity.WARNING, "image_missing", f"the brand guide requires a {role} image",
                                        "media", f"add an image with the role {role}", view.sku))
    return found


@dataclass(frozen=True)
class TextFinding:
    """One checked text of a product, cut into pieces that are or are not banned words."""

    attribute: str
    pieces: list[tuple[str, bool]]
    words: list[str]


@dataclass(frozen=True)
class Change:
    """What replacing the stored guide by a proposed one changes for one product on one channel."""

    sku: str
    title_before: str | None
    title_after: str | None
    brand: str | None
    brand_after: str | None  # the proposed guide's spelling, when it differs only in case
    brand_known: bool  # the proposed guide lists the brand (or lists no brands at all)
    texts: list[TextFinding]  # the checked texts holding a word the proposed guide bans
    diagnostics: list[Diagnostic]  # the proposed guide's findings
    added: list[Diagnostic] = field(default_factory=list)  # among those, the ones the stored guide does not raise
    gone: list[Diagnostic] = field(default_factory=list)  # the stored guide's findings the proposal drops

    @property
    def title_changes(self) -> bool:
        return self.title_before != self.title_after


def compare(before: ProductView, after: ProductView, current: BrandGuide, proposed: BrandGuide) -> Change:
    """Compare one product's views resolved with the stored and the proposed guide's title template.

    The views differ only in their title; the guides decide the findings.
    """
    brand = after.labels.get("brand")
    old, new = check(before, current), check(after, proposed)
    texts = []
    for attribute in CHECKED_TEXT:
        text = after.labels.get(attribute) or ""
        words = banned_in(text, proposed)
        if words:
            texts.append(TextFinding(attribute, marked(text, words), words))
    return Change(
        sku=after.sku, title_before=before.title, title_after=after.title, brand=brand,
        brand_after=canonical_brand(brand, proposed) if brand else None,
        brand_known=not brand or not proposed.brand_names or brand in proposed.brand_names,
        texts=texts, diagnostics=new, added=[d for d in new if d not in old], gone=[d for d in old if d not in new],
    )
