"""The upload folder between an upload and its import: the size limit, read from the
environment, and the sweep of uploads previewed but never imported. On the real file system."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from hub.config import DEFAULT_IMPORT_MAX_BYTES, Settings
from hub.errors import NotFound
from hub.imports.uploads import ABANDONED_AFTER, UploadTooLarge, Uploads

CSV = b"sku,name-en_US\njuice,Orange juice\n"


def age(uploads: Uploads, token: str, seconds: float) -> None:
    folder = uploads.folder / token
    then = time.time() - seconds
    os.utime(folder, (then, then))


@pytest.mark.parametrize(("raw", "size"), [
    ("", DEFAULT_IMPORT_MAX_BYTES), ("1048576", 1024 * 1024), ("50MB", 50_000_000), ("2 GiB", 2 * 1024**3),
    ("512kib", 512 * 1024),
])
def test_the_limit_is_read_from_the_environment(raw: str, size: int) -> None:
    assert Settings.from_env({"CROSSCANAL_IMPORT_MAX_BYTES": raw}).import_max_bytes == size


@pytest.mark.parametrize("raw", ["lots", "12XB", "0", "-5", "1.5GB"])
def test_a_bad_limit_stops_the_start_naming_the_variable(raw: str) -> None:
    with pytest.raises(ValueError, match=f"CROSSCANAL_IMPORT_MAX_BYTES: '{raw}'"):
        Settings.from_env({"CROSSCANAL_IMPORT_MAX_BYTES": raw})


def test_a_file_over_the_limit_is_refused_and_the_message_gives_the_limit(tmp_path: Path) -> None:
    uploads = Uploads(tmp_path, max_bytes=3 * 1024 * 1024)
    assert uploads.limit == "3 MiB"
    with pytest.raises(UploadTooLarge, match="at most 3 MiB"):
        uploads.save(io.BytesIO(b"x" * (3 * 1024 * 1024 + 1)), {"filename": "big.csv"})
    assert list(uploads.folder.iterdir()) == []
    assert Uploads(tmp_path, max_bytes=100).limit == "100 bytes"


def test_uploads_nobody_imported_are_swept_a_day_later(tmp_path: Path) -> None:
    uploads = Uploads(tmp_path)
    abandoned = uploads.save(io.BytesIO(CSV), {"filename": "old.csv"})
    recent = uploads.save(io.BytesIO(CSV), {"filename": "recent.csv"})
    age(uploads, abandoned, ABANDONED_AFTER + 60)
    age(uploads, recent, ABANDONED_AFTER - 3600)
    (uploads.folder / "not-a-token").mkdir()  # not ours to delete
    age(uploads, "not-a-token", ABANDONED_AFTER * 2)

    newest = uploads.save(io.BytesIO(CSV), {"filename": "new.csv"})  # a new upload sweeps

    with pytest.raises(NotFound, match="upload the file again"):
        uploads.path(abandoned)
    assert uploads.path(recent).read_bytes() == CSV
    assert uploads.options(newest) == {"filename": "new.csv"}
    assert (uploads.folder / "not-a-token").is_dir()


def test_an_upload_being_imported_is_not_swept_and_is_deleted_after(tmp_path: Path) -> None:
    uploads = Uploads(tmp_path)
    token = uploads.save(io.BytesIO(CSV), {"filename": "slow.csv"})
    age(uploads, token, ABANDONED_AFTER + 60)  # previewed yesterday, imported now
    seen: list[bytes] = []

    def import_while_another_upload_arrives(job_id: int, path: Path) -> None:
        Uploads(tmp_path).save(io.BytesIO(CSV), {"filename": "other.csv"})
        seen.append(path.read_bytes())

    uploads.run_then_discard(import_while_another_upload_arrives, 1, token)
    assert seen == [CSV]
    with pytest.raises(NotFound):
        uploads.path(token)


@pytest.mark.parametrize(("size", "shown"), [(1000 * 1024 * 1024, "1000 MiB"), (1536 * 1024 * 1024, "1.5 GiB"),
                                              (200 * 1024 * 1024, "200 MiB"), (1500, "1.465 KiB")])
def test_the_limit_reads_as_a_person_would_write_it(tmp_path: Path, size: int, shown: str) -> None:
    assert Uploads(tmp_path, max_bytes=size).limit == shown
