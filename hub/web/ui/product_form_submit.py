"""A posted product form: its texts put back into the form (so a refused save shows what was
typed), the API body they make (to be loaded by ``ProductIn`` and saved by ``ProductService``),
and each reason for a refusal placed on the input its field path names.

Only inputs that were posted replace stored data: a value, media or offer the form did not show
is sent back as stored, so saving the page never drops what it could not display.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from hub.web.ui.product_form import OFFER_FIELDS, MediaRow, OfferRow, ProductForm, ValueInput, local_text
from hub.web.ui.product_form_values import Entry, from_entry

MAX_OFFER_ROWS = 200  # far above any real product; a bound on what one post can make us read
LOCAL_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$")
VALUE_PATH = re.compile(r"^values\.(?P<code>\w+)(?:\[(?P<index>\d+)\])?")
ROW_PATH = re.compile(r"^(?P<list>offers|media)\[(?P<index>\d+)\](?:\.(?P<field>\w+))?(?:\.(?P<key>\w+))?")


@dataclass
class Submission:
    """The body for ``ProductIn().load`` and, per body path, the part of the form it came from."""

    body: dict[str, Any]
    values: dict[str, ValueInput] = field(default_factory=dict)  # "values.name[1]" -> its input
    offers: dict[int, OfferRow] = field(default_factory=dict)  # index in body["offers"] -> row
    media: dict[int, MediaRow] = field(default_factory=dict)  # index in body["media"] -> row


def read_posted(form: ProductForm, posted: MultiDict[str, str], state: dict[str, Any]) -> Submission:
    """Fill ``form`` with the posted texts and build the body from ``state`` (the product's)."""
    submission = Submission(copy.deepcopy(state))
    body = submission.body
    body["enabled"] = posted.get("enabled") == "on"
    form.enabled = body["enabled"]
    _read_values(form, posted, submission)
    if "category" in posted:  # a hidden empty "category" marks the checkboxes as posted
        form.chosen_categories = {code for code in posted.getlist("category") if code}
        body["categories"] = sorted(form.chosen_categories)
    _read_media(form, posted, submission)
    if "offers-count" in posted:
        _read_offers(form, posted, submission, state["offers"])
    return submission


def _read_values(form: ProductForm, posted: MultiDict[str, str], submission: Submission) -> None:
    values = submission.body["values"]
    for group in form.groups:
        if not group.editable:
            continue
        code = group.attribute.code
        posted_inputs = [i for i in group.inputs() if i.name in posted]
        for value_input in posted_inputs:
            value_input.entry = Entry(posted.get(value_input.name, ""), posted.get(value_input.name + ":unit", ""),
                                      tuple(v for v in posted.getlist(value_input.name) if v))
        replaced = {(i.locale, i.scope) for i in posted_inputs}
        entries = [e for e in values.get(code, []) if (e["locale"], e["scope"]) not in replaced]
        for value_input in posted_inputs:
            data = from_entry(group.attribute, value_input.entry)
            if data is not None:
                submission.values[f"values.{code}[{len(entries)}]"] = value_input
                entries.append({"locale": value_input.locale, "scope": value_input.scope, "data": data})
        if entries:
            values[code] = entries
        else:
            values.pop(code, None)


def _read_media(form: ProductForm, posted: MultiDict[str, str], submission: Submission) -> None:
    kept = []
    for row, ref in zip(form.media, submission.body["media"]):
        if row.name("role") in posted:
            row.role = posted.get(row.name("role"), "")
            row.remove = posted.get(row.name("remove")) == "on"
            for locale in form.locales:
                row.alt[locale] = posted.get(row.name(f"alt-{locale}"), "").strip()
            if row.remove:
                continue
            unshown = {k: v for k, v in (ref.get("alt") or {}).items() if k not in form.locales}
            ref = {**ref, "role": row.role, "alt": {**unshown, **{k: v for k, v in row.alt.items() if v}}}
        submission.media[len(kept)] = row
        kept.append(ref)
    submission.body["media"] = kept


def _read_offers(form: ProductForm, posted: MultiDict[str, str], submission: Submission, stored: list[dict[str, Any]]) -> None:
    try:
        count = min(int(posted.get("offers-count", "0")), MAX_OFFER_ROWS)
    except ValueError:
        count = 0
    form.offers = []
    offers = []
    for index in range(count):
        was = posted.get(f"offers-{index}-was", "")
        row = OfferRow(index, int(was) if was.isdigit() and int(was) < len(stored) else None)
        row.texts = {name: posted.get(row.name(name), "").strip() for name in OFFER_FIELDS}
        row.remove = posted.get(row.name("remove")) == "on"
        form.offers.append(row)
        if row.remove or row.blank:
            continue
        original = stored[row.was] if row.was is not None else {}
        offer: dict[str, Any] = {name: row.texts[name] or None for name in ("channel", "location", "sale_price")}
        for name in ("currency", "price"):  # left out when empty, so the reason is "required"
            if row.texts[name]:
                offer[name] = row.texts[name]
        for name in ("sale_start", "sale_end"):
            offer[name] = _instant(row.texts[name], original.get(name))
        submission.offers[len(offers)] = row
        offers.append(offer)
    submission.body["offers"] = offers


def _instant(text: str, original: str | None) -> str | None:
    """A datetime-local text as an ISO instant in UTC (the form says so). Unchanged, it is the
    stored instant to the microsecond, which the input cannot show."""
    if not text:
        return None
    if original and text == local_text(original):
        return original
    return f"{text}+00:00" if LOCAL_DATETIME.match(text) else text


def place_errors(form: ProductForm, submission: Submission, errors: dict[str, list[str]]) -> None:
    """Attach each reason to the input its path names; the rest go to the form's sections."""
    for path, reasons in errors.items():
        if not _place(form, submission, path, reasons):
            form.errors.setdefault("general", []).extend(f"{path}: {reason}" for reason in reasons)


def _place(form: ProductForm, submission: Submission, path: str, reasons: list[str]) -> bool:
    value = VALUE_PATH.match(path)
    if value:
        target = submission.values.get(f"values.{value['code']}[{value['index']}]") if value["index"] else None
        if target is not None:
            target.errors.extend(reasons)
            return True
        group = form.group(value["code"])
        if group is not None:
            group.errors.extend(reasons)
            return True
        return False
    row_path = ROW_PATH.match(path)
    if row_path:
        index = int(row_path["index"])
        row = submission.offers.get(index) if row_path["list"] == "offers" else submission.media.get(index)
        if row is None:
            return False
        part = row_path["field"] or "row"
        if row_path["list"] == "media" and part == "alt" and row_path["key"] in form.locales:
            part = f"alt:{row_path['key']}"
        elif part not in (*OFFER_FIELDS, "role", "alt"):
            part = "row"
        row.errors.setdefault(part, []).extend(reasons)
        return True
    section = path.split("[", 1)[0].split(".", 1)[0]
    if section in ("categories", "media", "offers"):
        form.errors.setdefault(section, []).extend(reasons)
        return True
    return False
