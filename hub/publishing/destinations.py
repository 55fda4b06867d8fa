"""Where rendered files go: a local folder or S3. Writes are atomic: readers see the old file
or the new one, never a torn one.

A publication's files go under a version of their own (``<channel>/v<publication>/<name>``), so
a channel's set of files (an XML and a TSV; a PDF and a JSON per store) switches at once when the
publication is recorded: the hub's feed URLs serve the newest recorded set, and readers of the
destination itself read ``<channel>/current.json``, which names the current set and is replaced
in one write. The plain ``<channel>/<name>`` is then refreshed too, for a reader of one file. Old
versions are dropped once more than ``Settings.feed_versions`` are kept."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Protocol
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from hub.errors import HubError, NotFound


class DestinationError(HubError):
    """The destination refused a write or a read (a full disk, a missing bucket, bad credentials)."""

    status, title, type = 502, "Destination error", "/problems/destination"


CHUNK = 1 << 16


POINTER = "current.json"  # names a channel's current set of files, in its folder or prefix
VERSION = "v{:08d}"  # a publication's own folder or prefix


def version_of(publication_id: int) -> str:
    return VERSION.format(publication_id)


class Destination(Protocol):
    def put(self, channel: str, name: str, source: Path, content_type: str, version: str | None = None) -> str:
        """Publish ``source`` as the channel's file ``name`` (under ``version`` when given); answers its location."""
        ...

    def open(self, location: str) -> BinaryIO:
        """A stream of a published file; raises NotFound."""
        ...

    def alias(self, channel: str, name: str, location: str, content_type: str) -> None:
        """Make the plain ``<channel>/<name>`` the file published at ``location``."""
        ...

    def versions(self, channel: str) -> list[str]:
        """The versions the channel's folder or prefix holds."""
        ...

    def drop(self, channel: str, version: str) -> None:
        """Remove one version's files."""
        ...


@dataclass(frozen=True)
class FolderDestination:
    root: Path

    def put(self, channel: str, name: str, source: Path, content_type: str, version: str | None = None) -> str:
        target = self.root / channel / version / name if version else self.root / channel / name
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{name}.{os.getpid()}.partial")
        try:
            try:
                os.link(source, temporary)  # the rendered file is not written again: no copy
            except OSError:  # another file system (or one without links)
                shutil.copyfile(source, temporary)
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temporary, target)  # atomic on one file system
        except OSError as exc:
            raise DestinationError(f"could not write {target}: {exc}") from exc
        finally:
            temporary.unlink(missing_ok=True)
        return str(target)

    def open(self, location: str) -> BinaryIO:
        try:
            return open(location, "rb")
        except FileNotFoundError:
            raise NotFound("the published file is gone from the destination") from None

    def alias(self, channel: str, name: str, location: str, content_type: str) -> None:
        """The plain ``<channel>/<name>`` made the file at ``location`` (a link: no copy)."""
        self.put(channel, name, Path(location), content_type)

    def versions(self, channel: str) -> list[str]:
        folder = self.root / channel
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and _is_version(p.name)) if folder.is_dir() else []

    def drop(self, channel: str, version: str) -> None:
        shutil.rmtree(self.root / channel / version, ignore_errors=True)


@dataclass(frozen=True)
class S3Destination:
    bucket: str
    prefix: str

    def _client(self):  # type: ignore[no-untyped-def]
        # boto3 reads AWS_ENDPOINT_URL and the credentials from its own environment variables.
        return boto3.client("s3")

    def put(self, channel: str, name: str, source: Path, content_type: str, version: str | None = None) -> str:
        key = "/".join(part for part in (self.prefix, channel, version, name) if part)
        try:
            # An S3 object appears only once its upload completes: readers never see half of it.
            self._client().upload_file(str(source), self.bucket, key, ExtraArgs={"ContentType": content_type})
        except (BotoCoreError, ClientError) as exc:
            raise DestinationError(f"could not upload s3://{self.bucket}/{key}: {exc}") from exc
        return f"s3://{self.bucket}/{key}"

    def open(self, location: str) -> BinaryIO:
        parts = urlsplit(location)
        try:
            return self._client().get_object(Bucket=parts.netloc, Key=parts.path.lstrip("/"))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise NotFound("the published file is gone from the destination") from exc
            raise DestinationError(f"could not read {location}: {exc}") from exc
        except BotoCoreError as exc:
            raise DestinationError(f"could not read {location}: {exc}") from exc

    def alias(self, channel: str, name: str, location: str, content_type: str) -> None:
        """The plain ``<channel>/<name>`` made a copy of ``location``, inside S3 (no upload)."""
        key = "/".join(part for part in (self.prefix, channel, name) if part)
        source = urlsplit(location)
        try:
            self._client().copy({"Bucket": source.netloc, "Key": source.path.lstrip("/")}, self.bucket, key,
                                ExtraArgs={"ContentType": content_type, "MetadataDirective": "REPLACE"})
        except (BotoCoreError, ClientError) as exc:
            raise DestinationError(f"could not copy {location} to s3://{self.bucket}/{key}: {exc}") from exc

    def versions(self, channel: str) -> list[str]:
        prefix = "/".join(part for part in (self.prefix, channel) if part) + "/"
        try:
            pages = self._client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/")
            found = [common["Prefix"][len(prefix):].rstrip("/") for page in pages for common in page.get("CommonPrefixes", [])]
        except (BotoCoreError, ClientError) as exc:
            raise DestinationError(f"could not list s3://{self.bucket}/{prefix}: {exc}") from exc
        return sorted(name for name in found if _is_version(name))

    def drop(self, channel: str, version: str) -> None:
        prefix = "/".join(part for part in (self.prefix, channel, version) if part) + "/"
        client = self._client()
        try:
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
        except (BotoCoreError, ClientError) as exc:
            raise DestinationError(f"could not remove s3://{self.bucket}/{prefix}: {exc}") from exc


def _is_version(name: str) -> bool:
    return name.startswith("v") and name[1:].isdigit()


def destination_for(url: str) -> Destination:
    """``s3://bucket/prefix`` or a folder path."""
    if url.startswith("s3://"):
        parts = urlsplit(url)
        if not parts.netloc:
            raise DestinationError(f"'{url}' names no bucket")
        return S3Destination(parts.netloc, parts.path.strip("/"))
    return FolderDestination(Path(url))


def open_location(location: str) -> BinaryIO:
    """Read a published file wherever it was put."""
    if location.startswith("s3://"):
        return destination_for(location).open(location)
    return FolderDestination(Path(location).parent).open(location)


def chunks(stream: BinaryIO) -> Iterator[bytes]:
    try:
        while chunk := stream.read(CHUNK):
            yield chunk
    finally:
        stream.close()
