"""An archive's WARC files and CDXJ index in an S3-compatible bucket (`archive.url`).

`archive.url = "s3://bucket/prefix"` keeps, under the prefix, the same layout as the
archive folder's pywb collection: `prefix/archive/NAME.warc.gz` and
`prefix/indexes/index.cdxj`. boto3 (`pip install 'linkcheck[s3]'`) reads the standard
AWS environment: credentials (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, a profile,
an instance role), the region (`AWS_REGION`, `AWS_DEFAULT_REGION`) and, for
S3-compatible servers (MinIO, Ceph, R2, ...), `AWS_ENDPOINT_URL`.

A WARC file is written in the archive folder as ever (`NAME.warc.gz.open`, fsynced
per batch, recovered after a kill) and, once closed, uploaded as a multipart upload
(parts of `PART_BYTES`); the local copy is removed only after the upload is complete
and the object's size checked. A failed upload is aborted and leaves the file in the
folder, and whoever next holds the archive's lock uploads it. Every read (replay,
`archive show`, `verify`, `export`) fetches byte ranges: one record, or a 1 MiB window
of a file read front to back.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import IO, Any

from linkcheck.archive.errors import ArchiveError
from linkcheck.archive.index import Entry, cdxj_lines
from linkcheck.archive.layout import CDXJ_NAME, INDEX_DIR, WARC_DIR, Layout
from linkcheck.archive.storage import local_warc_files, parse_s3_url
from linkcheck.archive.warc import WARC_SUFFIX, resolve_warc
from linkcheck.errors import ConfigError

#: Size of each part of a WARC file's multipart upload (S3's least is 5 MiB, but the last).
PART_BYTES = 8 * 1024 * 1024
#: How much of a WARC file one ranged GET fetches when a file is read front to back.
READ_WINDOW = 1024 * 1024


class S3Storage:
    """WARC files and the CDXJ index in a bucket; the working state in the archive folder."""

    def __init__(self, layout: Layout, client: Any, bucket: str, prefix: str) -> None:
        self.layout = layout
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.where = f"s3://{bucket}/{prefix}".rstrip("/")
        self.cdxj_name = f"{self.where}/{INDEX_DIR}/{CDXJ_NAME}"

    @classmethod
    def connect(cls, layout: Layout, url: str) -> S3Storage:
        """A client for the bucket `url` names, after checking it is there and ours to use."""
        try:
            bucket, prefix = parse_s3_url(url)
        except ValueError as exc:
            raise ConfigError(f"archive.url: {exc}") from None
        try:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError, ClientError
        except ImportError:
            raise ConfigError(f"archive.url is {url}, and an archive on S3 needs boto3: pip install 'linkcheck[s3]'") from None
        try:
            client = boto3.client("s3", config=Config(connect_timeout=10, read_timeout=60, retries={"max_attempts": 4, "mode": "standard"}))
            client.head_bucket(Bucket=bucket)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            why = {"404": "no such bucket", "NoSuchBucket": "no such bucket", "403": "access denied"}.get(str(error.get("Code")), error.get("Message") or str(exc))
            raise ConfigError(f"archive.url {url}: cannot use the bucket {bucket!r}: {why}") from None
        except BotoCoreError as exc:
            endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
            at = f" at {endpoint} (AWS_ENDPOINT_URL)" if endpoint else ""
            raise ConfigError(f"archive.url {url}: cannot reach the bucket {bucket!r}{at}: {exc}") from None
        return cls(layout, client, bucket, prefix)

    # ----------------------------------------------------------------- names

    def key(self, relative: str) -> str:
        """The object key of a file named relative to the archive (`archive/NAME.warc.gz`)."""
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def _warc_name(self, key: str) -> str:
        return f"{WARC_DIR}/{PurePosixPath(key).name}"

    # --------------------------------------------------------------- writing

    def publish(self, path: Path) -> None:
        """Upload a closed WARC file as a multipart upload, then remove the local copy."""
        from botocore.exceptions import BotoCoreError, ClientError

        relative = self.layout.relative(path)
        key = self.key(relative)
        upload_id = None
        try:
            size = path.stat().st_size
            upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=key, ContentType="application/warc")["UploadId"]
            parts = []
            with open(path, "rb") as stream:
                number = 1
                while True:
                    chunk = stream.read(PART_BYTES)
                    if not chunk and parts:
                        break
                    answer = self.client.upload_part(Bucket=self.bucket, Key=key, PartNumber=number, UploadId=upload_id, Body=chunk)
                    parts.append({"ETag": answer["ETag"], "PartNumber": number})
                    number += 1
                    if len(chunk) < PART_BYTES:
                        break
            self.client.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
            upload_id = None
            stored = self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
            if stored != size:
                raise ArchiveError(f"{self.where}/{relative} holds {stored} bytes after the upload, not {size}; {path} stays, the next run uploads it again")
        except (BotoCoreError, ClientError, OSError) as exc:
            if upload_id is not None:
                try:
                    self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
                except (BotoCoreError, ClientError):
                    pass
            raise ArchiveError(f"cannot upload {path.name} to {self.where}: {exc}; it stays in {path.parent} and the next run uploads it") from None
        path.unlink()

    def publish_pending(self) -> list[str]:
        notes = []
        for path in local_warc_files(self.layout):
            self.publish(path)
            notes.append(f"uploaded {self.layout.relative(path)} to {self.where} (an earlier run left it in {self.layout.warc_dir})")
        return notes

    def write_cdxj(self, entries: Iterable[Entry]) -> None:
        body = "".join(cdxj_lines(entries)).encode("utf-8")
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.key(f"{INDEX_DIR}/{CDXJ_NAME}"), Body=body, ContentType="text/plain; charset=utf-8")
        except Exception as exc:  # noqa: BLE001 - botocore raises many types; all mean "not written"
            raise ArchiveError(f"cannot write the CDXJ index {self.cdxj_name}: {exc}") from None

    # --------------------------------------------------------------- reading

    def warc_files(self) -> list[str]:
        """Finished WARC files in the bucket, and those still waiting in the folder."""
        names = {self.layout.relative(path) for path in local_warc_files(self.layout)}
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.key(f"{WARC_DIR}/"))
            for page in pages:
                for item in page.get("Contents", []):
                    if item["Key"].endswith(WARC_SUFFIX):
                        names.add(self._warc_name(item["Key"]))
        except Exception as exc:  # noqa: BLE001
            raise ArchiveError(f"cannot list {self.where}/{WARC_DIR}: {exc}") from None
        return sorted(names)

    def open(self, warc_file: str) -> IO[bytes]:
        local = resolve_warc(self.layout.root, warc_file)
        if local.exists():  # written by this run, or not uploaded yet
            return open(local, "rb")
        key = self.key(warc_file)
        try:
            size = self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except Exception as exc:  # noqa: BLE001
            raise ArchiveError(f"cannot open {self.where}/{warc_file}: {exc}") from None
        return io.BufferedReader(_RangeReader(self, key, size), buffer_size=READ_WINDOW)

    def read_range(self, warc_file: str, offset: int, length: int) -> bytes:
        local = resolve_warc(self.layout.root, warc_file)
        if local.exists():
            with open(local, "rb") as stream:
                stream.seek(offset)
                return stream.read(length)
        if length <= 0:
            return b""
        return self._get(self.key(warc_file), offset, offset + length - 1)

    def read_cdxj(self) -> str | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(f"{INDEX_DIR}/{CDXJ_NAME}"))
            return answer["Body"].read().decode("utf-8")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise ArchiveError(f"cannot read {self.cdxj_name}: {exc}") from None
        except Exception as exc:  # noqa: BLE001
            raise ArchiveError(f"cannot read {self.cdxj_name}: {exc}") from None

    def _get(self, key: str, first: int, last: int) -> bytes:
        """Bytes `first` to `last` (inclusive) of an object: one ranged GET."""
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={first}-{last}")
            return answer["Body"].read()
        except Exception as exc:  # noqa: BLE001
            raise ArchiveError(f"cannot read s3://{self.bucket}/{key} bytes {first}-{last}: {exc}") from None


class _RangeReader(io.RawIOBase):
    """A seekable, read-only view of one object; every read is a ranged GET (buffered
    by `io.BufferedReader` into `READ_WINDOW` windows)."""

    def __init__(self, storage: S3Storage, key: str, size: int) -> None:
        self._storage = storage
        self._key = key
        self._size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._position >= self._size or not len(view):
            return 0
        last = min(self._position + len(view), self._size) - 1
        data = self._storage._get(self._key, self._position, last)
        view[: len(data)] = data
        self._position += len(data)
        return len(data)
