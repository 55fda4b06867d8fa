"""A job that ends on an unforeseen error tells its user why without the machine's paths or the
database statement and its values (the log keeps those)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from hub.errors import unforeseen


def test_an_os_error_says_what_went_wrong_without_its_path(tmp_path: Path) -> None:
    with pytest.raises(OSError) as caught:
        (tmp_path / "uploads" / "secret-token.xlsx").open()
    said = unforeseen(caught.value)
    assert said == "unexpected error: No such file or directory"
    assert str(tmp_path) not in said and "secret-token" not in said


def test_a_database_error_says_the_database_reason_without_the_statement() -> None:
    engine = create_engine("sqlite://")
    with engine.begin() as connection, pytest.raises(IntegrityError) as caught:
        connection.execute(text("CREATE TABLE t (code TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO t VALUES ('private-value')"))
        connection.execute(text("INSERT INTO t VALUES ('private-value')"))
    said = unforeseen(caught.value)
    assert said == "the database refused the work: UNIQUE constraint failed: t.code"
    assert "INSERT" not in said and "private-value" not in said


def test_any_other_error_keeps_its_message() -> None:
    assert unforeseen(KeyError("gtin")) == "unexpected error: 'gtin'"
