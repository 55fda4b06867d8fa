"""Rendering the channel page and the channel form: what every view that shows them passes in."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from hub.publishing.shards import by_worker
from hub.services.catalog import ChannelService
from hub.store.models import Channel
from hub.store.repos import PublicationRepo
from hub.web.api.catalog import ChannelRecords  # the feed URLs, as the API shows them
from hub.web.etag import etag_of
from hub.web.acting import acting
from hub.web.hub import catalog, hub, session
from hub.web.ui import channel_form, channel_settings
from hub.web.ui.access import can, current_user
from hub.web.ui.channel_form import ChannelForm


def service() -> ChannelService:
    """The channel service as the API's uses it: checked against the installed adapters."""
    return ChannelService(session(), catalog(), f"user:{current_user().email}", adapters=hub().adapters, actor=acting())


def form_context(form: ChannelForm) -> dict[str, Any]:
    """What the form's inputs choose from: locales, currencies, adapters with their settings,
    families and the category tree."""
    ctx = catalog()
    return {
        "form": form, "locales": sorted(ctx.locales), "currencies": sorted(ctx.currencies),
        "adapters": channel_settings.every_adapter(hub().adapters),
        "families": sorted(ctx.families.values(), key=lambda f: f.code),
        "categories": channel_form.category_tree(ctx),
    }


def render(channel_service: ChannelService, channel: Channel, *, form: ChannelForm | None = None,
           message: str | None = None) -> str:
    """The channel page; ``form`` is the admin's refused form to show again (else the stored state)."""
    state = channel_service.state(channel)
    history = PublicationRepo(session()).for_channel(channel.id)
    watch = request.args.get("watch", type=int)
    watched = next((p for p in history if p.id == watch), None)
    if watched is None and history and history[0].status in ("queued", "running"):
        watched = history[0]  # someone else's run: follow it rather than offer a second
    feed_urls = ChannelRecords(session(), catalog()).representation(channel)["feed_urls"] if can("publisher") else []
    adapter = hub().adapters.get(channel.adapter)
    context = form_context(form or channel_form.initial(channel, sorted(catalog().locales), hub().adapters))
    return render_template(
        "ui/channel.html", channel=channel, state=state, etag=etag_of(state), adapter_title=adapter.title if adapter else None,
        history=history, watched=watched, feed_urls=feed_urls, message=message,
        rendered_by={p.id: by_worker(p.shards) for p in history}, **context,
    )
