"""crosscanal publish: a summary table, and an exit status that scripts can trust."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import update

from hub.cli import main
from hub.store.models import Channel
from tests.integration.test_publishing import publisher, shop  # noqa: F401 - fixtures


def run(settings, *args: str):
    env = {"CROSSCANAL_DATABASE_URL": settings.database_url, "CROSSCANAL_DATA_DIR": str(settings.data_dir)}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def summary(output: str, channel: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.startswith(channel + " "))


def test_publish_prints_a_summary_and_exits_zero(shop, settings):  # noqa: F811
    result = run(settings, "publish", "acme")
    assert result.exit_code == 0, result.output
    assert summary(result.stdout, "acme")[:5] == ["acme", "succeeded", "5", "0", "0"]
    feeds = run(settings, "feeds")
    assert f"/feeds/acme/acme.csv?token={shop['channel']['feed_token']}" in feeds.stdout


def test_a_failed_publication_exits_one(shop, settings, db_session):  # noqa: F811
    db_session.execute(update(Channel).where(Channel.code == "acme").values(settings={"fail_after": 1}))
    db_session.commit()
    result = run(settings, "publish", "--all")
    assert result.exit_code == 1
    assert summary(result.stdout, "acme")[1] == "failed"


def test_publish_refuses_a_busy_channel_and_unknown_names(shop, settings, app):  # noqa: F811
    publisher(settings, app).start("acme", "test")  # a run in progress
    busy = run(settings, "publish", "acme")
    assert busy.exit_code != 0 and "being published" in busy.output
    unknown = run(settings, "publish", "nope")
    assert unknown.exit_code != 0 and "unknown channel(s): nope" in unknown.output
    assert run(settings, "publish").exit_code == 2  # neither names nor --all
