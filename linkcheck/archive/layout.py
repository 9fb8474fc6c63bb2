"""Where things live in an archive folder (see the package docstring for the picture)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from linkcheck.archive.errors import ArchiveError

WARC_DIR = "archive"
INDEX_DIR = "indexes"
CDXJ_NAME = "index.cdxj"
CATALOG_NAME = "catalog.sqlite"


@dataclass(frozen=True, slots=True)
class Layout:
    root: Path

    @property
    def warc_dir(self) -> Path:
        return self.root / WARC_DIR

    @property
    def cdxj(self) -> Path:
        return self.root / INDEX_DIR / CDXJ_NAME

    @property
    def catalog(self) -> Path:
        return self.root / CATALOG_NAME

    def relative(self, warc_path: Path) -> str:
        """How the catalog and reports name a WARC file: relative to the archive folder."""
        return f"{WARC_DIR}/{warc_path.name}"

    def prepare(self) -> None:
        """Create the folders, or say clearly why the archive cannot be written here."""
        for folder in (self.root, self.warc_dir, self.root / INDEX_DIR):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ArchiveError(f"cannot create the archive folder {folder}: {exc.strerror or exc}") from None
            if not os.access(folder, os.W_OK | os.X_OK):
                raise ArchiveError(f"the archive folder {folder} is not writable")

    def require(self) -> None:
        """For commands that only read: the folder must exist and hold a catalog."""
        if not self.catalog.is_file():
            raise ArchiveError(f"no archive at {self.root} (no {CATALOG_NAME}); capture something first: linkcheck archive URL")
