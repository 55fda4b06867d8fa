"""The brand guide page: the rules every channel respects, their edit form, and a preview of what
an edit would change on a few products before it is saved.

Saving goes through ``brand_guide.put`` with the input loaded by ``BrandGuideIn``, as the API's
PUT does, guarded by the guide's ETag in a hidden field. The preview loads the same input, builds
an unsaved guide (``brand_guide.draft``) and compares each product's resolved view under the
stored and the proposed guide; it writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from hub.services import brand_guide
from hub.services.resolve import resolve
from hub.store.models import BrandGuide, Channel, Product
from hub.store.documents import DocumentRepo
from hub.store.repos import ProductRepo
from hub.web.acting import acting
from hub.web.api.brand_guide import WRITE_ROLE  # the page lets exactly the API's writers edit
from hub.web.etag import etag_of
from hub.web.hub import catalog, session
from hub.web.ui.access import needs
from schemas.brand_guide import BrandGuideIn
from schemas.errors import flatten_messages

PREVIEW_SIZE = 5
MAX_PREVIEW_SKUS = 20
LIST_FIELDS = ("brand_names", "banned_words")
STALE = ("Not saved: someone changed the brand guide after you opened it. The page now shows the current "
         "guide; make your change again.")


def image_roles() -> list[str]:
    """The media roles a guide may require: those its schema accepts."""
    inner = BrandGuideIn().fields["required_image_roles"].inner  # type: ignore[attr-defined]
    return list(next(v.choices for v in inner.validators if hasattr(v, "choices")))


@dataclass
class GuideForm:
    """What the edit form shows: the submitted texts, the preview's choices, and the reasons."""

    texts: dict[str, str]  # brand_names and banned_words one per line, title_template
    roles: list[str]
    channel: str = ""
    skus: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def lines(self, name: str) -> list[tuple[int, str]]:
        """The non-blank lines of a list field with their line numbers, so a reason can point at one."""
        return [(number, line.strip()) for number, line in enumerate(self.texts[name].split("\n"), start=1) if line.strip()]

    def data(self) -> dict[str, Any]:
        """The input ``BrandGuideIn`` loads, shaped as the API's PUT body."""
        return {"brand_names": [line for _, line in self.lines("brand_names")],
                "banned_words": [line for _, line in self.lines("banned_words")],
                "title_template": self.texts["title_template"].strip(), "required_image_roles": self.roles}


@dataclass
class Preview:
    channel: Channel
    changes: list[brand_guide.Change]
    own_template: bool  # the channel's own title template wins over the guide's
    unknown_placeholders: list[str]


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/brand-guide", "brand_guide", show)
    blp.add_url_rule("/brand-guide", "save_brand_guide", submit, methods=["POST"])


def show() -> str:
    guide = brand_guide.get(session())
    return _render(guide, _initial_form(guide))


@needs(WRITE_ROLE)
def submit() -> Response | tuple[str, int] | str:
    """Both buttons post the same form: "Preview" shows what it would change, "Save" stores it."""
    guide = brand_guide.get(session(), lock=True)
    etag = etag_of(brand_guide.state(guide))
    sent_etag = request.form.get("etag", "")
    saving = request.form.get("action") == "save"
    if saving and sent_etag != etag:
        return _render(guide, _initial_form(guide), message=STALE), 409
    form = _read_form()
    try:
        data = BrandGuideIn().load(form.data())
    except ValidationError as exc:
        _place_errors(form, flatten_messages(exc.messages))
        verb = "saved" if saving else "previewed"
        return _render(guide, form, etag=sent_etag, message=f"Not {verb}: correct the fields marked below."), 422
    if saving:
        brand_guide.put(session(), data, actor=acting())
        session().commit()
        flash("Saved: every channel applies the new brand guide from its next publication.")
        return redirect(url_for("ui.brand_guide"))
    preview = _preview(guide, brand_guide.draft(data), form)
    notice = None if sent_etag == etag else ("Someone changed the brand guide after you opened it: saving this "
                                              "would be refused. Reload the page to start from the current guide.")
    status = 422 if form.errors else 200
    return _render(guide, form, etag=sent_etag, preview=preview, message=notice), status


def _initial_form(guide: BrandGuide) -> GuideForm:
    return GuideForm({"brand_names": "\n".join(guide.brand_names or []), "banned_words": "\n".join(guide.banned_words or []),
                      "title_template": guide.title_template or ""}, list(guide.required_image_roles or []),
                     channel=_default_channel())


def _default_channel() -> str:
    """A channel that uses the guide's title template (one without its own), else the first."""
    channels = sorted(catalog().channels.values(), key=lambda c: c.code)
    chosen = next((c for c in channels if not (c.mapping or {}).get("title_template")), channels[0] if channels else None)
    return chosen.code if chosen else ""


def _read_form() -> GuideForm:
    texts = {name: request.form.get(name, "").replace("\r\n", "\n") for name in (*LIST_FIELDS, "title_template")}
    return GuideForm(texts, request.form.getlist("required_image_roles"),
                     channel=request.form.get("channel", "").strip(), skus=request.form.get("skus", "").strip())


def _place_errors(form: GuideForm, errors: dict[str, list[str]]) -> None:
    """Attach each reason to its input; a reason about one line of a list names that line."""
    for path, reasons in errors.items():
        name, _, rest = path.partition("[")
        if name in LIST_FIELDS and rest:
            number, line = form.lines(name)[int(rest.split("]", 1)[0])]
            reasons = [f"line {number} ('{line[:30]}{'…' if len(line) > 30 else ''}'): {reason}" for reason in reasons]
        if name in (*LIST_FIELDS, "title_template", "required_image_roles"):
            form.errors.setdefault(name, []).extend(reasons)
        else:
            form.general.extend(f"{path}: {reason}" for reason in reasons)


def _preview_products(form: GuideForm, channel: Channel) -> list[Product]:
    """The SKUs typed (in their order), else the first products the channel carries."""
    repo = ProductRepo(session())
    wanted = list(dict.fromkeys(s for s in re.split(r"[\s,;]+", form.skus) if s))
    if not wanted:
        return list(repo.carried(catalog().selection(channel), 0, PREVIEW_SIZE))
    if len(wanted) > MAX_PREVIEW_SKUS:
        form.errors.setdefault("skus", []).append(f"{len(wanted)} SKUs; preview at most {MAX_PREVIEW_SKUS} at a time")
        return []
    found = repo.by_skus(wanted)
    unknown = [sku for sku in wanted if sku not in found]
    if unknown:
        form.errors.setdefault("skus", []).append(f"no product {', '.join(repr(s) for s in unknown)}")
    return [found[sku] for sku in wanted if sku in found]


def _preview(current: BrandGuide, proposed: BrandGuide, form: GuideForm) -> Preview | None:
    channel = catalog().channels.get(form.channel)
    if channel is None:
        form.errors.setdefault("channel", []).append(f"unknown channel '{form.channel}'")
        return None
    products = _preview_products(form, channel)
    stock = DocumentRepo(session()).stock_pairs([p.id for p in products])
    now = datetime.now(timezone.utc)
    changes = []
    for product in products:
        before = resolve(product, channel, catalog(), stock[product.id], now, current.title_template or None)
        after = resolve(product, channel, catalog(), stock[product.id], now, proposed.title_template or None)
        changes.append(brand_guide.compare(before, after, current, proposed))
    unknown = [p for p in brand_guide.placeholders(proposed.title_template) if p not in catalog().attributes]
    return Preview(channel, changes, bool((channel.mapping or {}).get("title_template")), unknown)


def _render(guide: BrandGuide, form: GuideForm, *, etag: str | None = None, preview: Preview | None = None,
            message: str | None = None) -> str:
    return render_template(
        "ui/brand_guide.html", guide=guide, form=form, etag=etag or etag_of(brand_guide.state(guide)),
        roles=image_roles(), channels=sorted(catalog().channels), preview=preview, message=message, write_role=WRITE_ROLE,
        preview_size=PREVIEW_SIZE,
    )
