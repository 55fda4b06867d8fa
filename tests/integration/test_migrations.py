"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text

from hub.services.demo import DemoCatalog
from hub.store.db import make_engine, make_session_factory
from hub.store.documents import DocumentRepo, stale_query
from hub.store.migrate import alembic_config, revision, upgrade
from hub.store.models import Base, Product
from hub.store.name_search import outside_the_models
from tests.support.services import empty_database

FTS_AUTOMERGE = 8  # migration 0013's


def test_migrated_schema_matches_the_models(engine: Engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": outside_the_models})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrading_twice_changes_nothing(engine: Engine):
    before = sorted(inspect(engine).get_table_names())
    upgrade(engine)
    assert sorted(inspect(engine).get_table_names()) == before
    assert {"product", "attribute", "version", "stock", "offer", "channel"} <= set(before)


KEY_ORDERED = ("product_completeness", "stock", "product_category", "category_member")
DERIVED = ("product_completeness", "category_member", "product_document", "product_document_body")  # no foreign keys since 0014


def _contents(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {table: [tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))]
                for table in (*KEY_ORDERED, *DERIVED, "offer", "product")}


def test_a_catalog_from_before_0013_keeps_every_row_in_key_order_and_its_derived_rows_without_foreign_keys(request: pytest.FixtureRequest, tmp_path: Path):
    with empty_database(request.config.getoption("--db"), tmp_path / "old.db") as url:
        engine = make_engine(url)
        try:
            command.upgrade(alembic_config(engine), "0012")
            with make_session_factory(engine)() as session:
                DemoCatalog(session, tmp_path / "media", products=60).load()
                stale = sorted(session.scalars(select(Product.id).order_by(Product.id).limit(3)))
                DocumentRepo(session).mark_stale(stale)
                session.commit()
            before = _contents(engine)

            upgrade(engine)

            assert _contents(engine) == before
            assert all(before[table] for table in before)
            found = inspect(engine)
            assert {table: found.get_foreign_keys(table) for table in DERIVED} == {table: [] for table in DERIVED}
            assert found.get_foreign_keys("stock") and found.get_foreign_keys("offer")  # the master record's stay
            with make_session_factory(engine)() as session:
                assert DocumentRepo(session).stale(0, 100) == stale  # read through the index of stale rows
            if engine.dialect.name == "sqlite":
                with engine.connect() as conn:
                    made = dict(conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())
                    query = stale_query(0, 100).compile(engine, compile_kwargs={"literal_binds": True})
                    plan = " ".join(str(row) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {query}")))
                assert all(made[table].rstrip().endswith("WITHOUT ROWID") for table in KEY_ORDERED)
                assert "ix_product_document_stale" in plan
                with engine.connect() as conn:
                    merging = conn.execute(text("SELECT v FROM product_search_config WHERE k = 'automerge'")).scalar()
                assert merging == FTS_AUTOMERGE
        finally:
            engine.dispose()


def test_downgrading_0014_drops_orphaned_derived_rows_and_brings_the_keys_back(request: pytest.FixtureRequest, tmp_path: Path):
    with empty_database(request.config.getoption("--db"), tmp_path / "new.db") as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            with engine.begin() as conn:  # rows of a product and a channel that do not exist: nothing refuses them now
                conn.execute(text("INSERT INTO product_document_body (product_id, doc) VALUES (999, :doc)"), {"doc": b"{}"})
                conn.execute(text("INSERT INTO product_completeness (product_id, channel_id, ratio, missing, carried) "
                                  "VALUES (999, 999, 1.0, '[]', :carried)"), {"carried": True})

            command.downgrade(alembic_config(engine), "0013")

            found = inspect(engine)
            assert {table: len(found.get_foreign_keys(table)) for table in DERIVED} == {
                "product_completeness": 2, "category_member": 2, "product_document": 1, "product_document_body": 1}
            with engine.connect() as conn:
                assert [conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in DERIVED] == [0, 0, 0, 0]
        finally:
            engine.dispose()


def test_processes_started_at_once_on_an_empty_database_migrate_it_once(request: pytest.FixtureRequest, tmp_path: Path):
    """As ``docker compose up`` starts the hub, the workers and the scheduler: each migrates as it
    starts; without the migration lock three of four failed (a duplicate table, a locked database)."""
    with empty_database(request.config.getoption("--db"), tmp_path / "fresh.db") as url:
        started = [subprocess.Popen([sys.executable, "-m", "hub.cli", "init"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    env={**os.environ, "CROSSCANAL_DATABASE_URL": url, "CROSSCANAL_DATA_DIR": str(tmp_path / str(n))})
                   for n in range(4)]
        outputs = [process.communicate(timeout=300)[0].decode(errors="replace") for process in started]
        assert [process.returncode for process in started] == [0] * 4, "\n---\n".join(outputs)[-4000:]
        engine = make_engine(url)
        try:
            assert revision(engine) == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        finally:
            engine.dispose()
