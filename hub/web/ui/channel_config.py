"""Admins change a channel's configuration, create channels and delete them.

Every write goes through ``ChannelService`` with a body loaded by ``ChannelIn().load``, as the
API's PUT, POST and DELETE do; saves and deletes carry the channel's ETag in a hidden field, so a
change made meanwhile by someone else is refused rather than overwritten.
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from hub.errors import Conflict, ValidationFailed
from hub.services.catalog import ChannelService
from hub.store.models import Channel
from hub.store.publication_items import count_for_channel
from hub.web.body import load
from hub.web.etag import etag_of
from hub.web.hub import catalog, hub, session
from hub.web.ui import channel_form, channel_page
from hub.web.ui.access import needs
from hub.web.ui.channel_form import ChannelForm
from schemas.channel import ChannelIn

STALE = ("Not saved: someone changed this channel after you opened it. The page now shows the current "
         "configuration; make your change again.")
INVALID = "Not saved: correct the fields marked below."


def _store(service: ChannelService, form: ChannelForm, data: dict[str, Any], channel: Channel | None) -> Channel | None:
    """Load and save the body; on refusal, put the reasons on the form and answer None."""
    if form.errors:
        return None
    try:
        body = load(ChannelIn(), data)
        return service.replace(channel, body) if channel is not None else service.create(body)
    except (ValidationFailed, Conflict) as exc:
        channel_form.place_errors(form, exc.errors)
        if not exc.errors:
            form.general.append(exc.detail)
    return None


@needs("admin")
def save(code: str) -> Response | tuple[str, int]:
    service = channel_page.service()
    channel = service.get(code)
    if request.form.get("etag") != etag_of(service.state(channel)):
        return channel_page.render(service, channel, message=STALE), 409
    form, data = channel_form.read(request.form, service.state(channel), sorted(catalog().locales), hub().adapters)
    if _store(service, form, data, channel) is not None:
        session().commit()
        flash("Saved.")
        return redirect(url_for("ui.channel", code=code))
    session().rollback()
    return channel_page.render(service, service.get(code), form=form, message=INVALID), 422


@needs("admin")
def new() -> str:
    form = channel_form.initial(None, sorted(catalog().locales), hub().adapters)
    return render_template("ui/channel_new.html", **channel_page.form_context(form))


@needs("admin")
def create() -> Response | tuple[str, int]:
    service = channel_page.service()
    form, data = channel_form.read(request.form, None, sorted(catalog().locales), hub().adapters)
    created = _store(service, form, data, None)
    if created is not None:
        session().commit()
        flash(f"Channel {created.code} created. Publish it to get its pull URLs.")
        return redirect(url_for("ui.channel", code=created.code))
    session().rollback()
    return render_template("ui/channel_new.html", message=INVALID, **channel_page.form_context(form)), 422


@needs("admin")
def confirm_delete(code: str) -> str:
    service = channel_page.service()
    channel = service.get(code)
    publications = count_for_channel(session(), channel.id)
    return render_template("ui/channel_delete.html", channel=channel, etag=etag_of(service.state(channel)),
                           publications=publications)


@needs("admin")
def delete(code: str) -> Response | tuple[str, int]:
    service = channel_page.service()
    channel = service.get(code)
    if request.form.get("etag") != etag_of(service.state(channel)):
        return channel_page.render(service, channel, message="Not deleted: someone changed this channel after you "
                                                             "opened the confirmation. Check it and delete again."), 409
    service.delete(channel)
    session().commit()
    flash(f"Channel {code} deleted; its pull URLs no longer work.")
    return redirect(url_for("ui.channels"))
