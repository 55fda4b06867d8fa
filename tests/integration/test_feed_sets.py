"""A channel's several files switch as one set: a reader polling while the channel republishes
never gets an XML from one publication beside a TSV from another, through the hub's feed URLs
(``/feeds/<channel>`` and its pinned URLs) or from the destination itself (``current.json``)."""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.publishing.pipeline import Publisher
from hub.services.demo import DemoCatalog
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.models import Channel, Publication
from schemas.product import ProductIn
from tests.support.live_server import serving

REPUBLISHES = 5


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _rename(the_hub, sku: str, name: str) -> None:
    with the_hub.writers() as session:
        service = ProductService(session, CatalogContext(session), "test")
        product = service.find(sku)
        body = copy.deepcopy(service.state(product))
        body["values"]["name"] = [{"locale": "en_US", "scope": None, "data": name}]
        service.save(ProductIn().load(body), product)
        session.commit()


def test_a_reader_polling_during_republishes_never_sees_a_mixed_set(app, settings: Settings, db_session: Session):
    DemoCatalog(db_session, settings.media_dir).load()
    db_session.commit()
    the_hub = app.extensions["crosscanal"]
    publisher = Publisher(settings, the_hub.writers, the_hub.adapters, workers=1)
    first = publisher.publish("google_shopping", "test")
    tsv = next(f for f in first.files if f.name == "products.tsv")
    sku = Path(tsv.location).read_text().splitlines()[1].split("\t")[0]  # the first item's id: its SKU
    assert first.status == "succeeded" and {f.name for f in first.files} == {"products.xml", "products.tsv"}
    token = db_session.scalar(select(Channel.feed_token).where(Channel.code == "google_shopping"))
    folder = Path(settings.publish_url) / "google_shopping"
    seen: dict[str, set[int]] = {"hub": set(), "destination": set()}
    mixed: list[str] = []
    stop = threading.Event()

    def reading(read):  # an error in a reader is a finding, not a thread that quietly ends
        def loop(*args) -> None:
            try:
                read(*args)
            except Exception as exc:  # noqa: BLE001
                mixed.append(f"{read.__name__}: {exc!r}")
        return loop

    def read_through_the_hub(base: str) -> None:
        with requests.Session() as http:
            while not stop.is_set():
                current = http.get(f"{base}/feeds/google_shopping", params={"token": token}).json()
                for file in current["files"]:
                    body = http.get(base + file["url"], params={"token": token})
                    if body.status_code != 200 or _digest(body.content) != file["sha256"]:
                        mixed.append(f"hub: {file['name']} of publication {current['publication']}: {body.status_code}")
                seen["hub"].add(current["publication"])

    def read_the_destination() -> None:
        while not stop.is_set():
            pointer = json.loads((folder / "current.json").read_bytes())
            for name, file in pointer["files"].items():
                if _digest((folder / file["path"]).read_bytes()) != file["sha256"]:
                    mixed.append(f"destination: {name} of publication {pointer['publication']}")
            seen["destination"].add(pointer["publication"])

    with serving(app) as base:
        readers = [threading.Thread(target=reading(read_through_the_hub), args=(base,)),
                   threading.Thread(target=reading(read_the_destination))]
        for reader in readers:
            reader.start()
        published = [first.id]
        for round_ in range(REPUBLISHES):
            _rename(the_hub, sku, f"Round {round_}")  # an item in both files changes
            result = publisher.publish("google_shopping", "test")
            assert result.status == "succeeded", result.error
            published.append(result.id)
            time.sleep(0.2)
        stop.set()
        for reader in readers:
            reader.join()

    assert mixed == []
    assert len(seen["hub"]) >= 3 and len(seen["destination"]) >= 3, seen  # the readers did see the switches
    db_session.rollback()  # a fresh snapshot: the publications were written meanwhile
    kept = sorted(p.name for p in folder.iterdir() if p.is_dir())
    assert kept == [f"v{n:08d}" for n in published[-settings.feed_versions:]]  # older sets pruned
    plain = {p.name for p in folder.iterdir() if p.is_file()}
    assert plain == {"current.json", "products.xml", "products.tsv"}
    last = db_session.get(Publication, published[-1])
    assert {f.name: f.sha256 for f in last.files} == {name: _digest((folder / name).read_bytes()) for name in ("products.xml", "products.tsv")}
