"""The channels pages: the list, one channel's configuration and its edit form for admins, the
pull URLs with their token, publishing now with live progress, and the publication history.

Every change goes through the services the API uses: ``ChannelService.replace`` (guarded by the
channel's ETag in a hidden field) and ``rotate_token``, and the ``Publisher`` started the way the
API's ``start`` does it. Diagnostics download as the API's own CSV.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, stream_with_context, url_for
from marshmallow import ValidationError

from hub.errors import ValidationFailed
from hub.publishing.render import ChannelRenderer
from hub.services.catalog import ChannelService
from hub.store.models import Channel, Publication
from hub.store.repos import PublicationRepo
from hub.web.api.catalog import ChannelRecords  # the feed URLs, as the API shows them
from hub.web.api.publications import diagnostics_csv
from hub.web.etag import etag_of
from hub.web.hub import catalog, hub, session
from hub.web.ui.access import can, current_user, needs
from schemas.channel import ChannelIn
from schemas.errors import flatten_messages
from schemas.publication import PublicationOut

STALE = ("Not saved: someone changed this channel after you opened it. The page now shows the current "
         "configuration; make your change again.")
FORM_FIELDS = ("locale", "currency", "country", "schedule", "title_template", "category_map")


@dataclass
class ChannelForm:
    """What the admin's edit form shows: submitted texts and the reasons, by input name."""

    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/channels", "channels", index)
    blp.add_url_rule("/channels/<code>", "channel", show)
    blp.add_url_rule("/channels/<code>", "save_channel", save, methods=["POST"])
    blp.add_url_rule("/channels/<code>/feed-token", "rotate_token", rotate, methods=["POST"])
    blp.add_url_rule("/channels/<code>/publications", "publish_channel", publish, methods=["POST"])
    blp.add_url_rule("/channels/<code>/publications/<int:publication_id>/status", "publication_status", status)
    blp.add_url_rule("/channels/<code>/publications/<int:publication_id>/diagnostics.csv", "publication_csv", diagnostics)


def _service() -> ChannelService:
    return ChannelService(session(), catalog(), f"user:{current_user().email}", adapters=hub().adapters)


def index() -> str:
    channels = sorted(catalog().channels.values(), key=lambda c: c.code)
    last = PublicationRepo(session()).last_for_channels(c.id for c in channels)
    return render_template("ui/channels.html", channels=channels, last=last)


def show(code: str) -> str:
    service = _service()
    channel = service.get(code)
    return _render(service, channel)


@needs("admin")
def save(code: str) -> Response | tuple[str, int]:
    service = _service()
    channel = service.get(code)
    if request.form.get("etag") != etag_of(service.state(channel)):
        return _render(service, channel, message=STALE), 409
    form = ChannelForm({name: request.form.get(name, "").replace("\r\n", "\n") for name in FORM_FIELDS})
    locales = sorted(catalog().locales)
    for locale in locales:
        form.values[f"label:{locale}"] = request.form.get(f"label:{locale}", "").strip()
    data = copy.deepcopy(service.state(channel))
    category_map = _parse_category_map(form)
    if not form.errors:
        data["labels"] = {locale: form.values[f"label:{locale}"] for locale in locales if form.values[f"label:{locale}"]}
        for name in ("locale", "currency", "country"):
            data[name] = form.values[name].strip()
        data["schedule"] = form.values["schedule"].strip() or None
        data["mapping"] = {**(data["mapping"] or {}), "title_template": form.values["title_template"].strip() or None,
                           "category_map": category_map}
        try:
            service.replace(channel, ChannelIn().load(data))
        except ValidationError as exc:
            _place_errors(form, flatten_messages(exc.messages))
        except ValidationFailed as exc:
            _place_errors(form, exc.errors)
        else:
            session().commit()
            flash("Saved.")
            return redirect(url_for("ui.channel", code=code))
    session().rollback()
    return _render(service, service.get(code), form=form, message="Not saved: correct the fields marked below."), 422


@needs("admin")
def rotate(code: str) -> Response:
    service = _service()
    service.rotate_token(service.get(code))
    session().commit()
    flash("The feed token was replaced: pull URLs with the old one no longer work.")
    return redirect(url_for("ui.channel", code=code))


@needs("publisher")
def publish(code: str) -> Response:
    the_hub = hub()
    publisher = the_hub.publisher()
    channel = _service().get(code)
    # Refuse a channel that cannot render before queuing it, as the API does.
    ChannelRenderer(session(), the_hub.adapters, the_hub.settings, channel, datetime.now(timezone.utc))
    # The publisher writes through its own sessions: end this request's transaction first (on
    # SQLite it holds the write lock).
    session().commit()
    publication_id = publisher.start(code, f"ui:{current_user().email}")
    the_hub.jobs.submit(publisher.run, publication_id)
    return redirect(url_for("ui.channel", code=code, watch=publication_id, _anchor="publish-heading"))


def status(code: str, publication_id: int) -> Response:
    return jsonify(PublicationOut().dump(_publication(code, publication_id)))


def diagnostics(code: str, publication_id: int) -> Response:
    _publication(code, publication_id)
    return Response(stream_with_context(diagnostics_csv(publication_id, None)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="publication-{publication_id}-diagnostics.csv"'})


def _publication(code: str, publication_id: int) -> Publication:
    publication = PublicationRepo(session()).get(publication_id)
    if publication is None or publication.channel.code != code:
        abort(404, f"No publication {publication_id} of channel '{code}'.")
    return publication


def _parse_category_map(form: ChannelForm) -> dict[str, str]:
    """One ``our_code = channel category`` per line; blank lines are skipped."""
    found: dict[str, str] = {}
    for number, line in enumerate(form.values["category_map"].split("\n"), start=1):
        if not line.strip():
            continue
        ours, sep, theirs = line.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            form.errors.setdefault("category_map", []).append(
                f"line {number}: write 'our_code = channel category'")
            continue
        found[ours.strip()] = theirs.strip()
    return found


def _place_errors(form: ChannelForm, errors: dict[str, list[str]]) -> None:
    """Attach each reason to its input; those about settings the form does not show go above it."""
    for path, reasons in errors.items():
        if path in ("locale", "currency", "country", "schedule"):
            target = path
        elif path.startswith("labels."):
            target = f"label:{path.removeprefix('labels.')}"
            target = target if target in form.values else "labels"
        elif path == "mapping.title_template":
            target = "title_template"
        elif path.startswith("mapping.category_map"):
            code = path.removeprefix("mapping.category_map").lstrip(".")
            reasons = [f"{code}: {r}" if code else r for r in reasons]
            target = "category_map"
        else:
            form.general.extend(f"{path}: {reason}" for reason in reasons)
            continue
        form.errors.setdefault(target, []).extend(reasons)


def _initial_form(channel: Channel) -> ChannelForm:
    mapping = channel.mapping or {}
    values = {
        "locale": channel.locale, "currency": channel.currency, "country": channel.country,
        "schedule": channel.schedule or "", "title_template": mapping.get("title_template") or "",
        "category_map": "\n".join(f"{ours} = {theirs}" for ours, theirs in (mapping.get("category_map") or {}).items()),
    }
    for locale in sorted(catalog().locales):
        values[f"label:{locale}"] = (channel.labels or {}).get(locale, "")
    return ChannelForm(values)


def _render(service: ChannelService, channel: Channel, *, form: ChannelForm | None = None,
            message: str | None = None) -> str:
    history = PublicationRepo(session()).for_channel(channel.id)
    watch = request.args.get("watch", type=int)
    watched = next((p for p in history if p.id == watch), None)
    feed_urls = ChannelRecords(session(), catalog()).representation(channel)["feed_urls"] if can("publisher") else []
    return render_template(
        "ui/channel.html", channel=channel, state=service.state(channel), etag=etag_of(service.state(channel)),
        form=form or _initial_form(channel), locales=sorted(catalog().locales), currencies=sorted(catalog().currencies),
        history=history, watched=watched, feed_urls=feed_urls, message=message,
    )

