"""The crosscanal command, run through click against the real database."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import func, select, text

from hub.store.models import ApiToken, Product, User
from tests import factories



def test_init_is_idempotent(run):
    first, second = run("init"), run("init")
    assert first.exit_code == 0 and second.exit_code == 0
    assert "database ready" in second.output


def test_token_create_prints_a_working_token_alone_on_the_last_line(run, client):
    result = run("token", "create", "--role", "viewer", "--name", "ci")
    assert result.exit_code == 0
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("cc_") and " " not in token
    assert client.get("/api/v1/attributes", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    denied = client.post("/api/v1/locales", json={"code": "de_DE"}, headers={"Authorization": f"Bearer {token}"})
    assert denied.status_code == 403


def test_token_create_refuses_an_unknown_role(run, db_session):
    result = run("token", "create", "--role", "owner")
    assert result.exit_code == 2 and "owner" in result.output
    assert db_session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_user_create_reads_the_password_from_stdin_and_hashes_it(run, db_session):
    result = run("user", "create", "ana@example.com", "--role", "editor", stdin="correct horse battery\n")
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "ana@example.com"))
    assert user.role == "editor"
    assert user.password_hash.startswith("$argon2") and "correct horse" not in user.password_hash


def test_user_create_rejects_a_short_password_and_stores_nothing(run, db_session):
    result = run("user", "create", "bo@example.com", "--role", "viewer", stdin="short\n")
    assert result.exit_code == 2
    assert "password" in result.output
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_completeness_lists_each_channel_with_missing_attributes(run, db_session):
    factories.catalog(db_session)
    factories.product(db_session, "juice-1", values={"name": factories.value("Juice", "en_US")})
    result = run("completeness", "juice-1")
    assert result.exit_code == 0
    web = next(line for line in result.output.splitlines() if line.startswith("web"))
    assert "33.3%" in web and "ean, net_content" in web


def test_completeness_of_an_unknown_sku_fails_with_a_message(run, db_session):
    factories.catalog(db_session)
    result = run("completeness", "nope")
    assert result.exit_code == 1 and "no product with SKU 'nope'" in result.output


def test_demo_loads_once_and_prints_an_admin_token(run, db_session):
    first = run("demo")
    assert first.exit_code == 0, first.output
    assert "products: 240" in first.output
    assert "sign in as admin@crosscanal.example with the password" in first.output
    assert db_session.scalar(select(User).where(User.email == "admin@crosscanal.example")).role == "admin"
    token = first.stdout.strip().splitlines()[-1]
    assert token.startswith("cc_")
    again = run("demo")
    assert "already in the database" in again.output
    assert db_session.scalar(select(func.count()).select_from(Product)) == 240


def test_the_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "hub.cli", "--help"], capture_output=True, text=True, check=True)
    assert "serve" in result.stdout and "token" in result.stdout


def test_reindex_rebuilds_the_derived_rows_and_says_how_many(run, db_session, settings):
    factories.catalog(db_session)
    for sku in ("a", "b", "c"):
        factories.product(db_session, sku, values={"name": factories.value(sku.upper(), "en_US")})
    (settings.data_dir / "parts" / "1").mkdir(parents=True)
    result = run("reindex")
    assert result.exit_code == 0, result.output
    assert "3 products reindexed" in result.stdout
    assert not (settings.data_dir / "parts").exists()  # the next publications render every item


def test_demo_and_reindex_leave_postgresql_with_fresh_statistics(run, db_session):
    """Where autovacuum is off (as on our machines) nothing else would count the bulk-loaded
    tables, and the planner scanned a million-row table for a page of fifty."""
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's planner statistics are left alone")

    def analyzed() -> int:
        db_session.commit()  # a fresh snapshot of the statistics views
        return db_session.scalar(text("SELECT analyze_count + autoanalyze_count FROM pg_stat_user_tables WHERE relname = 'product'"))

    before = analyzed()
    assert run("demo").exit_code == 0
    after_demo = analyzed()
    assert after_demo > before
    assert run("reindex").exit_code == 0
    assert analyzed() > after_demo
