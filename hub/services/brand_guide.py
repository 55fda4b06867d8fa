"""The brand guide: canonical brand spellings, banned words and the title template, as diagnostics."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from channel_adapters.base.diagnostics import Diagnostic, Severity
from channel_adapters.base.view import ProductView
from hub.store.models import BrandGuide
from hub.store.repos import CatalogRepo

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")
CHECKED_TEXT = ("name", "description", "short_description")


def placeholders(template: str) -> list[str]:
    return PLACEHOLDER.findall(template or "")


def render_title(template: str | None, labels: dict[str, str] | Any) -> str | None:
    """Fill ``{attribute}`` placeholders with the values people read; missing ones leave no gap."""
    if not template:
        return None
    text = PLACEHOLDER.sub(lambda m: labels.get(m.group(1), ""), template)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+([,.;:!?])", r"\1", text) or None


def get(session: Session) -> BrandGuide:
    """The guide, or an empty one that enforces nothing."""
    return CatalogRepo(session).brand_guide() or BrandGuide(id=1, brand_names=[], banned_words=[], title_template="", required_image_roles=[])


def put(session: Session, data: dict[str, Any]) -> BrandGuide:
    guide = CatalogRepo(session).brand_guide()
    if guide is None:
        guide = BrandGuide(id=1)
        session.add(guide)
    guide.brand_names = list(dict.fromkeys(data["brand_names"]))
    guide.banned_words = list(dict.fromkeys(data["banned_words"]))
    guide.title_template = data["title_template"]
    guide.required_image_roles = list(dict.fromkeys(data["required_image_roles"]))
    session.flush()
    return guide


def state(guide: BrandGuide) -> dict[str, Any]:
    return {
        "brand_names": guide.brand_names, "banned_words": guide.banned_words,
        "title_template": guide.title_template, "required_image_roles": guide.required_image_roles,
    }


def check(view: ProductView, guide: BrandGuide) -> list[Diagnostic]:
    """Findings that keep one brand image: spelling of brands, banned words, title, imagery."""
    found: list[Diagnostic] = []
    brand = view.labels.get("brand")
    if brand and guide.brand_names and brand not in guide.brand_names:
        canonical = next((b for b in guide.brand_names if b.casefold() == brand.casefold()), None)
        if canonical:
            found.append(Diagnostic(Severity.WARNING, "brand_spelling", f"brand is spelled '{brand}'; the brand guide spells it '{canonical}'",
                                    "brand", f"write '{canonical}'", view.sku))
        else:
            found.append(Diagnostic(Severity.WARNING, "brand_unknown", f"brand '{brand}' is not in the brand guide",
                                    "brand", "use a brand listed in the brand guide, or add it there", view.sku))
    for attribute in CHECKED_TEXT:
        text = view.labels.get(attribute) or ""
        for word in guide.banned_words:
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, flags=re.IGNORECASE):
                found.append(Diagnostic(Severity.ERROR, "banned_word", f"{attribute} contains the banned word '{word}'",
                                        attribute, f"remove '{word}' from {attribute}", view.sku))
    template = guide.title_template
    missing = [p for p in placeholders(template) if not view.labels.get(p)]
    if template and missing:
        found.append(Diagnostic(Severity.WARNING, "title_incomplete",
                                f"the title template needs {', '.join(missing)}, which the product does not have",
                                missing[0], f"fill {', '.join(missing)}", view.sku))
    roles = {m.role for m in view.media}
    for role in guide.required_image_roles:
        if role not in roles:
            found.append(Diagnostic(Severity.WARNING, "image_missing", f"the brand guide requires a {role} image",
                                    "media", f"add an image with the role {role}", view.sku))
    return found
