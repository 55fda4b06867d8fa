"""The channels pages: the list, one channel's page (configuration, pull URLs with their token,
publishing now with live progress, the publication history), and the routes of the modules
beside it (``channel_config`` for the admin's edits, ``channel_diff`` for the diff page).

Every change goes through the services the API uses: ``ChannelService`` (guarded by the
channel's ETag in a hidden field), ``rotate_token``, and the ``Publisher`` started the way the
API's ``start`` does it. Diagnostics download as the API's own CSV.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, stream_with_context, url_for

from hub.errors import ServiceUnavailable
from hub.publishing.pipeline import ChannelBusy
from hub.publishing.render import ChannelRenderer
from hub.store.models import Publication
from hub.store.repos import PublicationRepo
from hub.web.api.publications import diagnostics_csv
from hub.web.hub import catalog, hub, session
from hub.web.ui import channel_config, channel_diff, channel_page
from hub.web.ui.access import current_user, needs
from schemas.publication import PublicationOut


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/channels", "channels", index)
    blp.add_url_rule("/channels", "create_channel", channel_config.create, methods=["POST"])
    # "new-channel" cannot be a channel code (codes have no '-'), so it never hides a channel.
    blp.add_url_rule("/channels/new-channel", "new_channel", channel_config.new)
    blp.add_url_rule("/channels/<code>", "channel", show)
    blp.add_url_rule("/channels/<code>", "save_channel", channel_config.save, methods=["POST"])
    blp.add_url_rule("/channels/<code>/delete", "confirm_delete_channel", channel_config.confirm_delete)
    blp.add_url_rule("/channels/<code>/delete", "delete_channel", channel_config.delete, methods=["POST"])
    blp.add_url_rule("/channels/<code>/diff", "channel_diff", channel_diff.show)
    blp.add_url_rule("/channels/<code>/feed-token", "rotate_token", rotate, methods=["POST"])
    blp.add_url_rule("/channels/<code>/publications", "publish_channel", publish, methods=["POST"])
    blp.add_url_rule("/channels/<code>/publications/<int:publication_id>/status", "publication_status", status)
    blp.add_url_rule("/channels/<code>/publications/<int:publication_id>/diagnostics.csv", "publication_csv", diagnostics)


def index() -> str:
    channels = sorted(catalog().channels.values(), key=lambda c: c.code)
    last = PublicationRepo(session()).last_for_channels(c.id for c in channels)
    return render_template("ui/channels.html", channels=channels, last=last)


def show(code: str) -> str:
    service = channel_page.service()
    return channel_page.render(service, service.get(code))


@needs("admin")
def rotate(code: str) -> Response:
    service = channel_page.service()
    service.rotate_token(service.get(code))
    session().commit()
    flash("The feed token was replaced: pull URLs with the old one no longer work.")
    return redirect(url_for("ui.channel", code=code))


@needs("publisher")
def publish(code: str) -> Response:
    the_hub = hub()
    publisher = the_hub.publisher()
    channel = channel_page.service().get(code)
    # Refuse a channel that cannot render before queuing it, as the API does.
    ChannelRenderer(session(), the_hub.adapters, the_hub.settings, channel, datetime.now(timezone.utc))
    # The publisher writes through its own sessions: end this request's transaction first (on
    # SQLite it holds the write lock).
    session().commit()
    try:
        publication_id = publisher.start(code, f"ui:{current_user().email}")
    except ChannelBusy as exc:
        running = PublicationRepo(session()).get(exc.publication_id) if exc.publication_id else None
        if running is None or running.status not in ("queued", "running"):  # it ended in between
            flash(f"{code} was already publishing; that run has just ended. Publish again if you need a new one.")
            return redirect(url_for("ui.channel", code=code, _anchor="publish-heading"))
        when = (f"started {running.started:%Y-%m-%d %H:%M:%S} UTC" if running.started
                else f"queued {running.queued:%Y-%m-%d %H:%M:%S} UTC")
        flash(f"{code} is already publishing (publication {running.id}, {when}); watch it below.")
        return redirect(url_for("ui.channel", code=code, watch=running.id, _anchor="publish-heading"))
    try:
        the_hub.run_publication(publisher, publication_id)
    except ServiceUnavailable as exc:
        flash(exc.detail)
        return redirect(url_for("ui.channel", code=code, _anchor="publish-heading"))
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
