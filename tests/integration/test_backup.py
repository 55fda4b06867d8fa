"""crosscanal backup and restore: a demo hub backed up through the real command, changed, and
restored to exactly what it was (every table's rows, media and feed files byte for byte); and
every refusal changes nothing."""

from __future__ import annotations

import dataclasses
import io
import tarfile
from pathlib import Path
from typing import Any, Iterator

import boto3
import orjson
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from click.testing import CliRunner, Result
from sqlalchemy import Engine, select, text

from hub.cli import main
from hub.config import Settings
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.db import make_engine, make_session_factory
from hub.store.migrate import alembic_config, revision
from hub.store.models import Base, Channel, Product, PublicationFile
from hub.web import create_app
from tests.support.s3 import s3_server
from tests.support.services import empty_database

CHANNELS = ("google_shopping", "marketplace")


@dataclasses.dataclass
class Hub:
    """A hub of its own (database and data folder) driven through the ``crosscanal`` command."""

    url: str
    data_dir: Path
    engine: Engine
    publish_url: str = ""

    def run(self, *args: str) -> Result:
        env = {"CROSSCANAL_DATABASE_URL": self.url, "CROSSCANAL_DATA_DIR": str(self.data_dir),
               "CROSSCANAL_PUBLISH_URL": self.publish_url}
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    def state(self) -> dict[str, Any]:
        return {"tables": tables(self.engine), "media": files(self.data_dir / "media"),
                "feeds": files(self.data_dir / "feeds"), "records": files(self.data_dir / "publications")}


def tables(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table the models describe, and the schema revision."""
    found = {"alembic_version": [(revision(engine),)]}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = ", ".join(f'"{c.name}"' for c in (table.primary_key.columns or table.columns))
            found[table.name] = [tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table.name}" ORDER BY {order}'))]
    return found


def files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and not path.name.startswith(".")}


@pytest.fixture
def make_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Hubs on the database ``--db`` names, each with a fresh database."""
    made: list[Any] = []

    def make(name: str) -> Hub:
        context = empty_database(request.config.getoption("--db"), tmp_path / name / "hub.db")
        url = context.__enter__()
        made.append(context)
        hub = Hub(url, tmp_path / name / "var", make_engine(url))
        made.append(hub)
        return hub

    yield make
    for thing in reversed(made):
        if isinstance(thing, Hub):
            thing.engine.dispose()
        else:
            thing.__exit__(None, None, None)


@pytest.fixture
def published(make_hub: Any, tmp_path: Path) -> tuple[Hub, Path, dict[str, Any]]:
    """A demo hub with two channels published, its backup made by the command, and its state then."""
    hub = make_hub("shop")
    loaded = hub.run("demo", "--products", "30")
    assert loaded.exit_code == 0, loaded.output
    assert hub.run("publish", *CHANNELS).exit_code == 0
    original = hub.state()
    assert len(original["tables"]["product"]) == 30 and original["tables"]["publication"]
    assert original["media"] and len(original["feeds"]) >= 3 and original["records"]
    archive = tmp_path / "backups" / "shop.tar"
    made = hub.run("backup", str(archive))
    assert made.exit_code == 0, made.output
    assert "30 products" in made.stdout and archive.is_file()
    return hub, archive, original


def change(hub: Hub) -> dict[str, Any]:
    """Delete products through the service, republish, lose a media file and gain a stray one."""
    with make_session_factory(hub.engine, writer=True)() as session:
        service = ProductService(session, CatalogContext(session), "test")
        for product in session.scalars(select(Product).order_by(Product.id).limit(8)).all():
            service.delete(product)
        session.commit()
    assert hub.run("publish", *CHANNELS).exit_code == 0
    media = hub.data_dir / "media"
    next(path for path in sorted(media.rglob("*.png"))).unlink()
    (media / "stray.png").write_bytes(b"\x89PNG\r\n\x1a\nnot ours")
    return hub.state()


def test_a_restored_backup_is_the_hub_as_it_was_when_backed_up(published: tuple[Hub, Path, dict[str, Any]]):
    hub, archive, original = published
    changed = change(hub)
    assert all(changed[part] != original[part] for part in original)
    assert len(changed["tables"]["product"]) == 22

    refused = hub.run("restore", str(archive))
    assert refused.exit_code == 1
    assert "is not empty; give --force" in refused.output
    assert hub.state() == changed

    restored = hub.run("restore", "--force", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "30 products" in restored.stdout
    now = hub.state()
    for part in ("media", "feeds", "records"):
        assert now[part] == original[part], part
    for table, rows in original["tables"].items():
        assert now["tables"][table] == rows, table
    assert not (hub.data_dir / "parts").exists()  # the next publication renders every item again


def _rewrite(archive: Path, target: Path, change_member: Any) -> None:
    """Copy ``archive`` to ``target``, passing each member's bytes through ``change_member(name, data)``."""
    with tarfile.open(archive) as source, tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as out:
        for info in source:
            data = change_member(info.name, source.extractfile(info).read())
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def test_a_damaged_or_newer_archive_is_refused_and_changes_nothing(published: tuple[Hub, Path, dict[str, Any]],
                                                                   tmp_path: Path):
    hub, archive, _original = published
    changed = change(hub)

    flipped = tmp_path / "flipped.tar"
    flipped.write_bytes(archive.read_bytes())
    with tarfile.open(flipped) as opened:
        database = next(info for info in opened if info.name.startswith("database."))
    with open(flipped, "r+b") as handle:  # one byte in the middle of the database copy
        handle.seek(database.offset_data + database.size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0xFF]))
    damaged = hub.run("restore", "--force", str(flipped))
    assert damaged.exit_code == 1
    assert f"the checksum of '{database.name}' does not match" in damaged.output
    assert hub.state() == changed

    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    cut = hub.run("restore", "--force", str(truncated))
    assert cut.exit_code == 1 and "damaged or truncated" in cut.output
    assert hub.state() == changed

    newer = tmp_path / "newer.tar"

    def from_the_future(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = orjson.loads(data)
        manifest["database"]["revision"] = "9999"
        return orjson.dumps(manifest)

    _rewrite(archive, newer, from_the_future)
    refused = hub.run("restore", "--force", str(newer))
    assert refused.exit_code == 1 and "from a newer hub (schema revision 9999" in refused.output
    assert hub.state() == changed

    _rewrite(archive, newer, lambda name, data: data)  # the same archive rewritten is still good
    assert hub.run("restore", "--force", str(newer)).exit_code == 0
    assert hub.state() != changed


def test_an_older_backup_restores_into_a_new_hub_and_is_migrated(make_hub: Any, tmp_path: Path):
    old = make_hub("old")
    scripts = ScriptDirectory.from_config(alembic_config(old.engine))
    previous = scripts.get_revision(scripts.get_current_head()).down_revision
    command.upgrade(alembic_config(old.engine), previous)
    with old.engine.begin() as conn:
        conn.execute(text("INSERT INTO locale (code, label) VALUES ('de_DE', 'Deutsch')"))
    archive = tmp_path / "old.tar"
    assert old.run("backup", str(archive)).exit_code == 0

    new = make_hub("new")
    assert new.run("init").exit_code == 0  # a migrated, empty database: no --force needed
    restored = new.run("restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert revision(new.engine) == scripts.get_current_head()
    with new.engine.connect() as conn:
        assert conn.execute(text("SELECT code, label FROM locale")).all() == [("de_DE", "Deutsch")]
    # Every table of the models exists and can be read (the newest migration's included).
    assert set(tables(new.engine)) >= {table.name for table in Base.metadata.sorted_tables}


def test_feed_files_on_s3_are_backed_up_and_put_back(make_hub: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with s3_server() as endpoint:
        # boto3 reads its endpoint and credentials from its own variables, as in production.
        for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                            "AWS_DEFAULT_REGION": "us-east-1"}.items():
            monkeypatch.setenv(name, value)
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="feeds")
        hub = make_hub("s3")
        hub.publish_url = "s3://feeds/shop"
        assert hub.run("demo", "--products", "20").exit_code == 0
        assert hub.run("publish", "marketplace").exit_code == 0
        key = "shop/marketplace/catalog.xml"
        published = s3.get_object(Bucket="feeds", Key=key)["Body"].read()
        archive = tmp_path / "s3.tar"
        assert hub.run("backup", str(archive)).exit_code == 0
        with tarfile.open(archive) as opened:
            assert opened.extractfile("feeds/marketplace/catalog.xml").read() == published

        s3.put_object(Bucket="feeds", Key=key, Body=b"<overwritten/>")
        assert hub.run("restore", "--force", str(archive)).exit_code == 0
        assert s3.get_object(Bucket="feeds", Key=key)["Body"].read() == published


def test_a_backup_restores_into_another_hub_whose_feeds_lie_elsewhere(published: tuple[Hub, Path, dict[str, Any]],
                                                                     make_hub: Any):
    """A new machine: another data folder and publish URL. The feed files go to its destination,
    the records say where, and the feed URLs serve the same bytes; the first hub is untouched."""
    shop, archive, original = published
    elsewhere = make_hub("elsewhere")
    assert elsewhere.run("init").exit_code == 0
    restored = elsewhere.run("restore", str(archive))
    assert restored.exit_code == 0, restored.output

    assert shop.state()["feeds"] == original["feeds"]
    feeds = elsewhere.data_dir / "feeds"
    settings = Settings(data_dir=elsewhere.data_dir, database_url=elsewhere.url, publish_url=str(feeds), secret_key="x")
    client = create_app(settings).test_client()
    with make_session_factory(elsewhere.engine)() as session:
        for code in CHANNELS:
            channel = session.scalar(select(Channel).where(Channel.code == code))
            pointer = orjson.loads((feeds / code / "current.json").read_bytes())
            for name, entry in pointer["files"].items():
                kept = original["feeds"][f"{code}/{name}"]  # the plain name, as the first hub served it
                assert (feeds / code / entry["path"]).read_bytes() == kept
                served = client.get(f"/feeds/{code}/{name}?token={channel.feed_token}")
                assert served.status_code == 200 and served.data == kept
            locations = session.scalars(select(PublicationFile.location).where(
                PublicationFile.publication_id == pointer["publication"])).all()
            assert locations and all(location.startswith(str(feeds)) for location in locations)
    client.application.extensions["crosscanal"].engine.dispose()
