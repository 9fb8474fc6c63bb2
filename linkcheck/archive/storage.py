"""Where an archive's WARC files and CDXJ index live: the archive folder, or a bucket.

The archive needs few operations of its storage, and this protocol names them:
publish a finished WARC file, list the finished WARC files, read one by byte range (or
as a seekable stream), and read and write the CDXJ index. `LocalStorage` is the
archive folder exactly as it always was (publishing is a no-op: the file already is
where it belongs). `linkcheck.archive.s3.S3Storage` keeps them in an S3-compatible
bucket (`archive.url = "s3://bucket/prefix"`).

What must stay on one machine stays in the archive folder whatever the storage: the
lock, `catalog.sqlite`, the run history, and the WARC file being written (as
`NAME.warc.gz.open`, so a killed run is recovered exactly as before). A WARC file
is published when it is closed under its final name; with a bucket it is uploaded then
(a multipart upload) and the local copy removed once the upload is complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO, Protocol

from linkcheck.archive.errors import ArchiveError
from linkcheck.archive.index import Entry, write_cdxj
from linkcheck.archive.layout import Layout
from linkcheck.archive.warc import WARC_SUFFIX, resolve_warc
from linkcheck.errors import ConfigError


class Storage(Protocol):
    """The home of an archive's WARC files (named as the catalog names them,
    `archive/NAME.warc.gz`) and of its CDXJ index."""

    #: Where the WARC files are, for messages: a folder or `s3://bucket/prefix`.
    where: str
    #: How messages name the CDXJ index.
    cdxj_name: str

    def publish(self, path: Path) -> None:
        """A WARC file just closed under its final name, in the archive folder, goes home."""
        ...

    def publish_pending(self) -> list[str]:
        """Publish finished WARC files a run left in the folder; one note per file."""
        ...

    def warc_files(self) -> list[str]:
        """Every finished WARC file, as the catalog names them, sorted."""
        ...

    def open(self, warc_file: str) -> IO[bytes]:
        """A seekable binary stream over one WARC file (read by byte range)."""
        ...

    def read_range(self, warc_file: str, offset: int, length: int) -> bytes:
        """`length` bytes of a WARC file from `offset` (fewer only past its end)."""
        ...

    def read_cdxj(self) -> str | None:
        """The CDXJ index as it stands, or None when there is none."""
        ...

    def write_cdxj(self, entries: Iterable[Entry]) -> None:
        """Replace the CDXJ index with the one of these entries, atomically."""
        ...


class LocalStorage:
    """WARC files and the CDXJ index in the archive folder (the default)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.where = str(layout.warc_dir)
        self.cdxj_name = str(layout.cdxj.relative_to(layout.root))

    def publish(self, path: Path) -> None:
        return None

    def publish_pending(self) -> list[str]:
        return []

    def warc_files(self) -> list[str]:
        return [self.layout.relative(path) for path in local_warc_files(self.layout)]

    def open(self, warc_file: str) -> IO[bytes]:
        return open(resolve_warc(self.layout.root, warc_file), "rb")

    def read_range(self, warc_file: str, offset: int, length: int) -> bytes:
        with self.open(warc_file) as stream:
            stream.seek(offset)
            return stream.read(length)

    def read_cdxj(self) -> str | None:
        try:
            return self.layout.cdxj.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ArchiveError(f"cannot read {self.layout.cdxj}: {exc.strerror or exc}") from None

    def write_cdxj(self, entries: Iterable[Entry]) -> None:
        write_cdxj(self.layout.cdxj, entries)


def local_warc_files(layout: Layout) -> list[Path]:
    """The finished WARC files in the archive folder (not those being written)."""
    if not layout.warc_dir.is_dir():
        return []
    return sorted(layout.warc_dir.glob("*" + WARC_SUFFIX))


def open_storage(layout: Layout, url: str | None = None) -> Storage:
    """The storage `archive.url` names: empty for the archive folder, `s3://bucket/prefix`
    for a bucket. ConfigError (a message, no traceback) when it cannot be used."""
    if not url:
        return LocalStorage(layout)
    if url.startswith("s3://"):
        from linkcheck.archive.s3 import S3Storage

        return S3Storage.connect(layout, url)
    raise ConfigError(f"archive.url {url!r}: expected s3://BUCKET/PREFIX (or nothing, for the archive folder)")



def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` as (bucket, prefix without slashes at its ends); ValueError
    for anything else."""
    if not url.startswith("s3://"):
        raise ValueError(f"expected s3://BUCKET/PREFIX, got {url!r}")
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not bucket or "?" in url or "#" in url:
        raise ValueError(f"expected s3://BUCKET/PREFIX, got {url!r}")
    return bucket, prefix.strip("/")
