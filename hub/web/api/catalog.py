"""Catalog structure collections: attributes, families, categories, locations, channels, locales, currencies."""

from __future__ import annotations

from typing import Any

from hub.services.accounts import Actor, role_allows
from hub.services.catalog import (
    AttributeService, CategoryService, ChannelService, CurrencyService, FamilyService, LocaleService, LocationService,
)
from hub.web.acting import acting
from hub.web.auth import current_actor, require
from hub.web.body import HubBlueprint
from hub.web.crud import Collection, register
from hub.web.etag import check_if_match, etag_of
from hub.store.repos import PublicationRepo
from hub.web.hub import catalog, hub, session
from schemas.attribute import AttributeIn, AttributeOut
from schemas.category import CategoryIn, CategoryOut
from schemas.channel import ChannelIn, ChannelOut
from schemas.currency import CurrencyIn, CurrencyOut
from schemas.family import FamilyIn, FamilyOut
from schemas.locale import LocaleIn, LocaleOut
from schemas.location import LocationIn, LocationOut


def _channel_representation(rep: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """Only those who may publish see the feed token; it opens the channel's feeds."""
    return rep if role_allows(actor.role, "publisher") else {k: v for k, v in rep.items() if k not in ("feed_token", "feed_urls")}


def _service(cls: type) -> Any:
    return lambda: cls(session(), catalog(), current_actor().name, actor=acting())


class ChannelRecords(ChannelService):
    """Channels as the web layer shows them: checked against the installed adapters, with the
    feed token and pull URLs (callers redact both for roles below publisher)."""

    def __init__(self, session: Any, ctx: Any, author: str = "", **kwargs: Any) -> None:
        super().__init__(session, ctx, author, adapters=hub().adapters, **kwargs)

    def representation(self, obj: Any) -> dict[str, Any]:
        """Adds the feed token and the pull URLs of the files the last good publication wrote."""
        base = hub().settings.public_url.rstrip("/")
        latest = next((p for p in PublicationRepo(self.session).for_channel(obj.id, limit=20) if p.status == "succeeded"), None)
        urls = [f"{base}/feeds/{obj.code}/{f.name}?token={obj.feed_token}" for f in (latest.files if latest else [])]
        return {**self.state(obj), "feed_token": obj.feed_token, "feed_urls": urls}


COLLECTIONS = [
    Collection("attributes", "code", "attribute", _service(AttributeService), AttributeIn, AttributeOut),
    Collection("families", "code", "family", _service(FamilyService), FamilyIn, FamilyOut),
    Collection("categories", "code", "category", _service(CategoryService), CategoryIn, CategoryOut),
    Collection("locations", "code", "location", _service(LocationService), LocationIn, LocationOut),
    Collection("channels", "code", "channel", _service(ChannelRecords), ChannelIn, ChannelOut,
               write_role="admin", redact=_channel_representation),
    Collection("locales", "code", "locale", _service(LocaleService), LocaleIn, LocaleOut, write_role="admin"),
    Collection("currencies", "code", "currency", _service(CurrencyService), CurrencyIn, CurrencyOut, write_role="admin"),
]


def blueprints() -> list[HubBlueprint]:
    found = []
    for collection in COLLECTIONS:
        blp = HubBlueprint(collection.name, __name__, url_prefix=f"/{collection.name}",
                           description=f"{collection.noun.capitalize()} records")
        register(blp, collection)
        if collection.name == "channels":
            _add_token_rotation(blp)
        found.append(blp)
    return found


def _add_token_rotation(blp: HubBlueprint) -> None:
    @blp.route("/<key>/feed-token", methods=["POST"], endpoint="rotate_token")
    @require("admin")
    @blp.response(200, ChannelOut)
    @blp.doc(summary="Replace the channel's feed token; pull URLs with the old one stop working")
    def rotate(key: str) -> Any:
        service = ChannelRecords(session(), catalog(), current_actor().name, actor=acting())
        channel = service.get(key)
        check_if_match(etag_of(service.state(channel)))
        service.rotate_token(channel)
        session().commit()
        return service.representation(channel), 200, {"ETag": etag_of(service.state(channel))}
