"""Every migration upgrades a database holding data from each earlier schema (issue 16, item 7).

For every revision before head (read from the script directory, so a new migration is covered
without touching this file): an empty database is brought to that revision, every table of that
schema gets a few rows, the database is upgraded to head, and then every row must still be there
with the values of every column it kept, the schema must match the models, and the application
must read it: the start-up step after a migration (``crosscanal``'s ``ready``) and the API's
GETs of every collection and of each stored record.

The models describe only head, so the rows are built from the schema reflected at that revision:
each column gets a value of its type (``_value``), except where a generic one means nothing to the
code that reads it (``BY_COLUMN``, ``BY_TABLE``: codes, JSON shapes, prices, statuses). A column
named ``<table>_id`` refers to that table's rows even where no foreign key says so (the derived
tables have none since 0014).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask.testing import FlaskClient
from sqlalchemy import (JSON, BigInteger, Boolean, Column, Connection, DateTime, Engine, Float, Integer, LargeBinary,
                        MetaData, String, Table, Text, func, insert, select)
from sqlalchemy.schema import sort_tables

from hub.config import Settings
from hub.jobs.runners import fail_orphans
from hub.services import product_index
from hub.services.accounts import create_token
from hub.services.context import CatalogContext
from hub.store.db import make_engine, make_session_factory
from hub.store.migrate import MIGRATIONS, alembic_config, revision, upgrade
from hub.store.models import Base, BulkEdit
from hub.store.name_search import outside_the_models
from hub.web import create_app
from tests.integration.helpers import API, everything
from tests.support.services import empty_database

SCRIPTS = ScriptDirectory(str(MIGRATIONS))
HEAD = SCRIPTS.get_current_head()  # raises if the migrations have more than one head
EARLIER = [script.revision for script in reversed(list(SCRIPTS.walk_revisions())) if script.revision != HEAD]

ROWS = 3  # per table: the last row leaves every nullable column NULL, the others fill them
BRAND_GUIDE_ROWS = 1  # a single row (id 1) by design
# Columns a migration removes on purpose, and where their values went: (table, column) ->
# (table, column) keyed by the same primary key, or None when they are dropped for good.
MOVED = {("product_document", "doc"): ("product_document_body", "doc")}  # 0010
# Derived tables a migration creates and fills from the master record (0011): what it wrote must
# be what the code writes (``crosscanal reindex``).
FILLED = ("category_member",)

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)
Maker = Callable[[int], Any]


def _pick(*choices: Any) -> Maker:
    return lambda i: choices[i % len(choices)]


def _name(i: int) -> dict[str, list[dict[str, Any]]]:
    return {"name": [{"locale": "en_US", "scope": None, "data": f"Product {i}"}],
            "description": [{"locale": "en_US", "scope": None, "data": f"Made to last, {i}"}]}


# Values by column name, whatever the table; then by (table, column), which wins.
BY_COLUMN: dict[str, Maker] = {
    "labels": lambda i: {"en_US": f"Label {i}", "fr_FR": f"Libellé {i}"},
    "values": _name,
    "media": lambda i: [],
    "variant_axes": lambda i: [],
    "locale": _pick("en_US"),
    "currency": _pick("EUR", "USD", "GBP"),
    "country": _pick("FR", "DE", "GB"),
    "price": _pick("19.99", "5.00", "120.50"),
    "sale_price": _pick("14.99", "4.00", "99.00"),
    "sha256": lambda i: f"{i:064x}",
    "doc_hash": lambda i: f"{i:032x}",
    "email": lambda i: f"user{i}@example.com",
    "role": _pick("admin", "editor", "viewer"),
    "severity": _pick("error", "warning"),
    "runner": lambda i: f"elsewhere {4000 + i} 12345",  # another machine's process: left alone
    "search_text": lambda i: f"product {i}",
    "moments": lambda i: "",
    "schedule": _pick("0 3 * * *", "*/30 * * * *"),
}
BY_TABLE: dict[tuple[str, str], Maker] = {
    ("locale", "code"): _pick("en_US", "fr_FR", "de_DE"),
    ("currency", "code"): _pick("EUR", "USD", "GBP"),
    ("attribute", "code"): _pick("name", "description", "ean"),
    ("attribute", "type"): _pick("text", "textarea", "identifier"),
    ("attribute", "localizable"): _pick(True, True, False),
    ("attribute", "scopable"): _pick(False),
    ("attribute", "validation"): lambda i: {},
    ("attribute", "options"): lambda i: [],
    ("attribute", "unit"): lambda i: None,
    ("channel", "adapter"): _pick("google_merchant", "meta_catalog", "bmecat"),
    ("channel", "filter"): lambda i: {"enabled_only": True},
    ("channel", "mapping"): lambda i: {},
    ("channel", "settings"): lambda i: {},
    ("channel", "destination"): lambda i: None,
    ("location", "type"): _pick("store", "store", "warehouse"),  # an offer's location is a store
    ("location", "address"): lambda i: {"street": f"{i} Harbour Road", "city": "Lyon", "postal_code": "69001"},
    ("brand_guide", "brand_names"): lambda i: ["Acme"],
    ("brand_guide", "banned_words"): lambda i: ["cheap"],
    ("brand_guide", "title_template"): lambda i: "{brand} {name}",
    ("brand_guide", "required_image_roles"): lambda i: [],
    ("media", "path"): lambda i: f"ab/{i:02d}/photo-{i}.jpg",
    ("media", "content_type"): _pick("image/jpeg"),
    ("version", "entity"): _pick("product"),
    ("version", "entity_key"): lambda i: f"sku-{i}",
    ("version", "version"): _pick(1),
    ("version", "snapshot"): lambda i: None,
    ("version", "changes"): lambda i: [],
    ("product_document", "stock"): lambda i: b"[]",
    ("product_document", "doc"): lambda i: json.dumps({"sku": f"sku-{i}"}).encode(),
    ("product_document_body", "doc"): lambda i: json.dumps({"sku": f"sku-{i}"}).encode(),
    ("product_completeness", "missing"): lambda i: [],
    ("publication", "status"): _pick("succeeded", "failed", "running"),
    ("publication", "trigger"): _pick("manual", "schedule"),
    ("publication", "progress"): _pick(1.0, 0.5),
    ("publication_file", "name"): _pick("feed.xml"),
    ("publication_file", "content_type"): _pick("application/xml"),
    ("scheduled_run", "details"): lambda i: {},
    ("bulk_edit", "action"): lambda i: {"set": {"enabled": False}},
    ("bulk_edit", "failures"): lambda i: [],
    ("bulk_edit", "skus"): lambda i: [f"sku-{i}"],
    ("bulk_edit", "status"): _pick("succeeded", "failed", "running"),
    ("import_job", "status"): _pick("succeeded", "failed", "running"),
    ("import_job", "kind"): _pick("products"),
    ("import_job", "format"): _pick("csv", "ndjson"),
    ("import_job", "options"): lambda i: {},
    ("import_job", "rejections"): lambda i: [],
    ("column_mapping", "columns"): lambda i: {"SKU": "sku", "Name": "name"},
    ("import_fingerprint", "gtins"): lambda i: "",
}


def _value(table: Table, column: Column, i: int) -> Any:
    """A plausible value of ``column``'s type for row ``i``, unique per row."""
    kind = column.type
    if isinstance(kind, Boolean):
        return i % 2 == 0
    if isinstance(kind, (Integer, BigInteger)):
        return i + 1
    if isinstance(kind, Float):
        return 0.25 * (i + 1)
    if isinstance(kind, DateTime):
        return T0 + timedelta(days=i)
    if isinstance(kind, LargeBinary):
        return bytes([i]) * 8
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, String) and kind.length is not None and kind.length <= 3:
        return "ABC"[i % 3] * kind.length
    if isinstance(kind, (String, Text)):
        return f"{column.name}-{i}"
    raise AssertionError(f"no value for {table.name}.{column.name} of type {kind!r}: add one to this test")


def _tables(conn: Connection) -> list[Table]:
    """The schema as it is now, in an order that puts every table after those it refers to."""
    metadata = MetaData()
    metadata.reflect(conn, only=lambda name, _: name != "alembic_version" and outside_the_models(None, name, "table", True, None))
    names = set(metadata.tables)
    by_name = [(metadata.tables[referred[0]], table) for table in metadata.tables.values() for column in table.columns
               if (referred := _referred(column, names)) and referred[0] != table.name]
    return sort_tables(metadata.tables.values(), extra_dependencies=by_name)


def _fill(conn: Connection) -> None:
    """Rows in every table of the current schema (tables a migration filled keep just theirs)."""
    made: dict[str, list[dict[str, Any]]] = {}
    tables = _tables(conn)
    names = {table.name for table in tables}
    for table in tables:
        if conn.scalar(select(func.count()).select_from(table)):
            continue  # filled by its migration (the document counter)
        made[table.name] = []
        for i in range(BRAND_GUIDE_ROWS if table.name == "brand_guide" else ROWS):
            row: dict[str, Any] = {}
            for column in table.columns:
                if column.nullable and i == ROWS - 1:
                    continue
                referred = _referred(column, names)
                if referred is not None:
                    target, key = referred
                    rows = made.get(target, [])
                    if target == table.name:  # the category tree: each below the one before
                        row[column.name] = rows[i - 1][key] if i else None
                    elif rows:
                        row[column.name] = rows[i % len(rows)][key]
                    continue
                if column is table.autoincrement_column:
                    continue
                maker = BY_TABLE.get((table.name, column.name)) or BY_COLUMN.get(column.name)
                row[column.name] = maker(i) if maker else _value(table, column, i)
            made[table.name].append(dict(conn.execute(insert(table).values(row).returning(*table.columns)).mappings().one()))


def _referred(column: Column, tables: set[str]) -> tuple[str, str] | None:
    """The (table, column) ``column`` refers to: by its foreign key, or by its name."""
    for key in column.foreign_keys:
        return key.column.table.name, key.column.name
    if column.name.endswith("_id") and column.name[:-3] in tables:
        return column.name[:-3], "id"
    return None


def _contents(engine: Engine) -> dict[str, dict[tuple, dict[str, Any]]]:
    """Every row of every table, by primary key."""
    with engine.connect() as conn:
        found = {}
        for table in _tables(conn):
            key = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
            found[table.name] = {tuple(row[k] for k in key): dict(row)
                                 for row in conn.execute(select(table)).mappings()}
        return found


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with empty_database(request.config.getoption("--db"), tmp_path / "old.db") as url:
        yield url


def test_the_revisions_come_from_the_script_directory():
    assert EARLIER[0] == "0001" and HEAD not in EARLIER
    assert len(EARLIER) + 1 == len(list(SCRIPTS.walk_revisions())) >= 16


@pytest.mark.parametrize("start", EARLIER)
def test_a_database_with_rows_of_each_earlier_schema_upgrades_to_head_keeping_them(start: str, database: str, tmp_path: Path):
    engine = make_engine(database)
    try:
        command.upgrade(alembic_config(engine), start)
        with engine.begin() as conn:
            _fill(conn)
        before = _contents(engine)

        upgrade(engine)

        assert revision(engine) == HEAD
        after = _contents(engine)
        _assert_kept(before, after)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": outside_the_models})
            assert compare_metadata(context, Base.metadata) == []
        _assert_the_hub_reads_it(engine, database, tmp_path, {row["sku"] for row in after["product"].values()})
        filled = [table for table in FILLED if table not in before]
        if filled:
            with make_session_factory(engine, writer=True)() as session:
                product_index.rebuild(session, CatalogContext(session))
            rebuilt = _contents(engine)
            assert {table: after[table] for table in filled} == {table: rebuilt[table] for table in filled}
            assert all(after[table] for table in filled)
    finally:
        engine.dispose()


def _assert_kept(before: dict[str, dict[tuple, dict[str, Any]]], after: dict[str, dict[tuple, dict[str, Any]]]) -> None:
    """Every row of a table still at head is there, with the value of each column it kept; a
    column dropped must be named in ``MOVED``, and its values be where that says."""
    assert all(before[table] for table in before), f"tables left empty: {[t for t in before if not before[t]]}"
    for table, rows in before.items():
        if table not in after:
            continue
        assert sorted(after[table]) == sorted(rows), f"{table}: rows lost or added"
        for key, row in rows.items():
            for column, was in row.items():
                if column in after[table][key]:
                    assert after[table][key][column] == was, f"{table} {key}: {column} changed"
                    continue
                assert (table, column) in MOVED, f"{table}.{column} dropped with its values"
                if MOVED[table, column] is not None:
                    target, target_column = MOVED[table, column]
                    moved = after[target].get(key, {}).get(target_column)
                    assert moved == was, f"{table}.{column} not moved to {target}"


def _assert_the_hub_reads_it(engine: Engine, url: str, tmp_path: Path, skus: set[str]) -> None:
    """What a start after the migration does (``crosscanal``'s ``ready``: the product index
    filled in, dead jobs failed), then the API's reads: every GET without a key, and each stored
    product, publication and job."""
    writers = make_session_factory(engine, writer=True)
    with writers() as session:
        product_index.backfill(session, CatalogContext(session))
        session.commit()
    fail_orphans(writers)
    app = create_app(Settings(data_dir=tmp_path / "var", database_url=url, publish_url=str(tmp_path / "var" / "feeds"),
                              secret_key="test-secret"))
    hub = app.extensions["crosscanal"]
    try:
        with hub.sessions() as session:
            headers = {"Authorization": f"Bearer {create_token(session, 'admin', 'migration test')}"}
            session.commit()
        client = app.test_client()
        seen = everything(client, headers)
        assert {item["sku"] for item in seen["products"]} == skus
        for sku in skus:
            _get(client, f"{API}/products/{sku}", headers)
            _get(client, f"{API}/products/{sku}/completeness", headers)
        for channel in seen["channels"]:
            for publication in _get(client, f"{API}/channels/{channel['code']}/publications", headers):
                _get(client, f"{API}/publications/{publication['id']}", headers)
                _get(client, f"{API}/publications/{publication['id']}/diagnostics", headers)
        for job in _get(client, f"{API}/imports", headers)["items"]:
            _get(client, f"{API}/imports/{job['id']}", headers)
        for rule in app.url_map.iter_rules():  # every collection, those added later too
            if rule.rule.startswith(API) and "GET" in (rule.methods or ()) and not rule.arguments:
                _get(client, rule.rule, headers)
        with hub.sessions() as session:
            for job_id in session.scalars(select(BulkEdit.id)):
                _get(client, f"{API}/bulk-edits/{job_id}", headers)
    finally:
        hub.engine.dispose()


def _get(client: FlaskClient, url: str, headers: dict[str, str]) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, f"GET {url}: {response.status_code} {response.get_data(as_text=True)[:500]}"
    return response.get_json()
