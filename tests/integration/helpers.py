"""Small helpers the API tests share: reading problems, snapshots of stored data, tiny files."""

from __future__ import annotations

import io
import json
import struct
import time
import zlib
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import openpyxl
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, event, func, insert, select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from hub.store.models import Base, Family, Product
from hub.store.types import utcnow

API = "/api/v1"
PROBLEM = "application/problem+json"
COLLECTIONS = ("attributes", "families", "categories", "locations", "channels", "locales", "currencies",
               "product-models", "products")
Headers = dict[str, str]


def assert_problem(response: TestResponse, status: int, field: str | None = None, *reasons: str) -> dict[str, Any]:
    """Check an RFC 9457 problem: its status, media type and body; with ``field``, that the
    ``errors`` object names that field path and its reasons mention every word in ``reasons``."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {text}"
    assert response.mimetype == PROBLEM, f"expected {PROBLEM}, got {response.content_type}"
    body = json.loads(text)
    assert body["status"] == status
    assert body["title"] and body["type"] and body["detail"]
    if field is not None:
        errors = body.get("errors")
        assert isinstance(errors, dict), f"no errors object in {body}"
        assert field in errors, f"expected an error on {field!r}, got {errors}"
        assert errors[field] and all(isinstance(r, str) and r for r in errors[field])
        said = " ".join(errors[field]).lower()
        for word in reasons:
            assert word.lower() in said, f"reason for {field!r} should mention {word!r}: {errors[field]}"
    return body


def row_count(db_session: Session, model: type[Base]) -> int:
    """Rows in ``model``'s table as committed now (the session's snapshot is dropped first)."""
    db_session.rollback()
    return int(db_session.scalar(select(func.count()).select_from(model)) or 0)


def read(client: FlaskClient, url: str, headers: Headers) -> tuple[int, Any, str | None]:
    """GET ``url``: status, JSON body (or None) and ETag."""
    response = client.get(url, headers=headers)
    return response.status_code, response.get_json(silent=True), response.headers.get("ETag")


def everything(client: FlaskClient, headers: Headers) -> dict[str, Any]:
    """Every collection, the brand guide and each product's history, as the API answers them:
    comparing two of these shows whether anything at all was stored in between."""
    seen: dict[str, Any] = {}
    for name in COLLECTIONS:
        response = client.get(f"{API}/{name}", query_string={"limit": 1000}, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.json["next"] is None
        seen[name] = response.json["items"]
    for kind, key in (("products", "sku"), ("product-models", "code")):
        for item in seen[kind]:
            response = client.get(f"{API}/{kind}/{item[key]}/history", headers=headers)
            seen[f"{kind}/{item[key]}/history"] = response.json
    guide = client.get(f"{API}/brand-guide", headers=headers)
    seen["brand-guide"] = (guide.json, guide.headers.get("ETag"))
    return seen


def ndjson(*lines: Any) -> str:
    """NDJSON text: dicts are dumped, strings are sent as they are (to send broken lines)."""
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)


def upload(client: FlaskClient, headers: Headers, data: bytes, name: str = "supplier.csv", **options: str) -> Any:
    """Start an import through the API: the file as multipart, the options as its fields."""
    form: dict[str, Any] = {"file": (io.BytesIO(data), name), **options}
    return client.post(f"{API}/imports", data=form, content_type="multipart/form-data", headers=headers)


def finished(client: FlaskClient, headers: Headers, location: str) -> dict[str, Any]:
    """Poll a job's status as a script would, until it has ended."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = client.get(location, headers=headers).json
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"the job did not finish: {job}")


def read_ndjson(response: TestResponse) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines() if line.strip()]


def tiny_png(red: int = 255, green: int = 0, blue: int = 0) -> bytes:
    """A real 1x1 PNG of one colour, built by hand so no image library is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8 bits, truecolour
    pixels = zlib.compress(bytes([0, red, green, blue]))  # filter byte, then one RGB pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@contextmanager
def racing_writer(db_session: Session, sku: str, family: str) -> Iterator[list[str]]:
    """Inside the block, just before any flush or bulk insert (``ProductBatch``) that would insert
    a product ``sku``, "another writer" inserts it first, in the same transaction (as a race on
    the SKU looks to the database, which refuses the write). Yields the list of races that happened."""
    family_id = db_session.scalar(select(Family.id).where(Family.code == family))
    races: list[str] = []

    def first(session: Session, *args: Any) -> None:
        if any(isinstance(obj, Product) and obj.sku == sku for obj in session.new):
            races.append(sku)
            session.connection().execute(insert(Product.__table__).values(
                sku=sku, family_id=family_id, enabled=True, values={}, media=[], revision=1,
                created=utcnow(), updated=utcnow()))

    def first_in_bulk(connection: Connection, _cursor: Any, statement: str, parameters: Any, _context: Any,
                      executemany: bool) -> None:
        # The bulk path sends its own INSERT, many rows in one statement's flat tuple (SQLite), or
        # a COPY whose rows it shows the listeners as tuples (PostgreSQL).
        rows = parameters if executemany else [parameters]
        if (statement.startswith(("INSERT INTO product (", "COPY product (")) and sku not in races
                and any(sku in (row.values() if isinstance(row, dict) else row) for row in rows)):
            races.append(sku)
            connection.execute(insert(Product.__table__).values(
                sku=sku, family_id=family_id, enabled=True, values={}, media=[], revision=1,
                created=utcnow(), updated=utcnow()))

    with _racing(first, first_in_bulk):
        yield races


@contextmanager
def changed_meanwhile(db_session: Session, sku: str) -> Iterator[list[str]]:
    """Inside the block, just before each write of product ``sku`` (the bulk path's UPDATE of
    its batch, or its own save), "another writer" moves its revision on, in the same transaction,
    as a change committed meanwhile looks to a revision-checked UPDATE. Yields the writes raced."""
    target = db_session.scalar(select(Product.id).where(Product.sku == sku))
    races: list[str] = []

    def bump(connection: Connection) -> None:
        connection.execute(update(Product).where(Product.id == target).values(revision=Product.revision + 1))

    def own_save(session: Session, *_args: Any) -> None:
        if any(isinstance(obj, Product) and obj.id == target for obj in session.dirty):
            races.append("own save")
            bump(session.connection())

    def batch_update(connection: Connection, _cursor: Any, statement: str, parameters: Any, _context: Any,
                     executemany: bool) -> None:
        # The bulk path's UPDATE: statements of many rows on SQLite, an executemany on PostgreSQL.
        rows = parameters if executemany else [parameters]
        if "batch" not in races and statement.startswith("UPDATE product SET") and ("FROM ( VALUES" in statement or any(
                isinstance(row, dict) and row.get("w_pid") == target for row in rows)):
            races.append("batch")
            bump(connection)

    with _racing(own_save, batch_update):
        yield races


@contextmanager
def _racing(on_flush: Callable[..., None], on_statement: Callable[..., None]) -> Iterator[None]:
    """The two places another writer is made to race in: before a session's flush (a single
    save) and before a statement reaches the database (the bulk path's own statements)."""
    event.listen(Session, "before_flush", on_flush)
    event.listen(Engine, "before_cursor_execute", on_statement)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", on_flush)
        event.remove(Engine, "before_cursor_execute", on_statement)


def xlsx_cells(data: bytes) -> list[tuple[Any, ...]]:
    """An XLSX file's first sheet as rows of values: two exports compared by what they hold, since
    each file records the moment it was written."""
    return list(openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
