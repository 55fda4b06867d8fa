"""The same pipeline publishing to S3: a real S3 HTTP endpoint on loopback (moto's server mode)."""

from __future__ import annotations

import dataclasses
import json
from typing import Iterator

import boto3
import pytest

from hub.config import Settings
from hub.publishing.pipeline import Publisher
from hub.services.accounts import create_token
from hub.services.catalog import ChannelService
from hub.services.context import CatalogContext
from hub.web import create_app
from tests import factories
from tests.support.s3 import s3_server
from schemas.channel import ChannelIn

BUCKET = "crosscanal-feeds"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with s3_server() as url:
        yield url


@pytest.fixture
def s3(endpoint: str, monkeypatch: pytest.MonkeyPatch):
    # boto3 reads its endpoint and credentials from its own variables, as in production.
    for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3")
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)
    return client


def test_publish_to_s3_and_serve_the_feed_from_it(acme, s3, settings: Settings, db_session):  # noqa: F811
    factories.catalog(db_session)
    s3_settings = dataclasses.replace(settings, publish_url=f"s3://{BUCKET}/shop")
    app = create_app(s3_settings)
    client = app.test_client()
    the_hub = app.extensions["crosscanal"]
    with the_hub.sessions() as session:
        admin = {"Authorization": f"Bearer {create_token(session, 'admin')}"}
        session.commit()
    channel = {"code": "acme", "adapter": "acme", "locale": "en_US", "currency": "EUR", "country": "FR"}
    assert client.post("/api/v1/channels", json=channel, headers=admin).status_code == 201
    token = client.get("/api/v1/channels/acme", headers=admin).json["feed_token"]
    factories.product(db_session, "tea-1", values={"name": factories.value("Green tea", "en_US")},
                      offers=[{"currency": "EUR", "price": "4.20"}])

    result = Publisher(s3_settings, the_hub.writers, the_hub.adapters).publish("acme", "test")
    assert result.status == "succeeded", result.error
    version = f"v{result.id:08d}"
    assert result.files[0].location == f"s3://{BUCKET}/shop/acme/{version}/acme.csv"
    stored = s3.get_object(Bucket=BUCKET, Key=f"shop/acme/{version}/acme.csv")
    body = stored["Body"].read()
    assert stored["ContentType"] == "text/csv" and b"tea-1,Green tea,4.20 EUR" in body
    plain = s3.get_object(Bucket=BUCKET, Key="shop/acme/acme.csv")  # the plain name, copied inside S3
    assert plain["Body"].read() == body and plain["ContentType"] == "text/csv"
    pointer = json.loads(s3.get_object(Bucket=BUCKET, Key="shop/acme/current.json")["Body"].read())
    assert pointer["publication"] == result.id
    assert pointer["files"]["acme.csv"] == {"path": f"{version}/acme.csv", "sha256": result.files[0].sha256,
                                            "bytes": len(body), "content_type": "text/csv"}

    pulled = client.get(f"/feeds/acme/acme.csv?token={token}")
    assert pulled.status_code == 200 and pulled.data == body
    assert pulled.headers["ETag"] == f'"{result.files[0].sha256}"'

    for _ in range(3):  # three more: the retention keeps the newest three versions
        assert Publisher(s3_settings, the_hub.writers, the_hub.adapters).publish("acme", "test").status == "succeeded"
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="shop/acme/", Delimiter="/")
    assert [common["Prefix"] for common in listed["CommonPrefixes"]] == [
        f"shop/acme/v{n:08d}/" for n in (result.id + 1, result.id + 2, result.id + 3)]
    app.extensions["crosscanal"].engine.dispose()


def test_an_unreachable_bucket_fails_the_publication_and_says_why(acme, s3, settings: Settings, db_session):  # noqa: F811
    factories.catalog(db_session)
    missing = dataclasses.replace(settings, publish_url="s3://no-such-bucket/x")
    app = create_app(missing)
    the_hub = app.extensions["crosscanal"]
    ChannelService(db_session, CatalogContext(db_session)).create(
        ChannelIn().load({"code": "acme", "adapter": "acme", "locale": "en_US", "currency": "EUR", "country": "FR"}))
    db_session.commit()
    factories.product(db_session, "tea-1", values={"name": factories.value("Tea", "en_US")}, offers=[{"currency": "EUR", "price": "1"}])
    result = Publisher(missing, the_hub.writers, the_hub.adapters).publish("acme", "test")
    assert result.status == "failed" and "no-such-bucket" in result.error
    app.extensions["crosscanal"].engine.dispose()
