"""Finding the documents: walk the input paths, honour include/exclude globs and .gitignore,
never loop on symlinks, skip binary files, decode text that is not UTF-8.

Problems with single files are `Notice`s, not exceptions: one unreadable file must not
stop a run over a thousand readable ones. Only a missing input path is an error.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from linkcheck.errors import InputError
from linkcheck.extract import format_for, has_known_suffix, is_binary
from linkcheck.models import Notice

if TYPE_CHECKING:
    import pathspec

_SNIFF_BYTES = 8192
_ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})


@dataclass(frozen=True, slots=True)
class Document:
    """One input file: where it is, how reports name it, which extractor reads it."""

    path: Path
    display: str
    format: str
    #: Where a link starting with "/" is resolved: the input folder, or "." for a named file.
    root: Path
    #: The URL relative links are resolved against (a web page given as input), if any.
    base_url: str | None = None
    #: A temporary file standing for an input (stdin, a web page): never cached.
    transient: bool = False


class NamedInput(os.PathLike[str]):
    """A temporary file standing for an input that is not a file (`-`, a web page): read
    like a file, named in reports as `display`, compared across runs by `key`."""

    def __init__(self, path: Path, *, display: str, key: str, base_url: str | None = None) -> None:
        self.path = path
        self.display = display
        self.key = key
        self.base_url = base_url

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def __repr__(self) -> str:
        return f"NamedInput({self.display!r})"


@dataclass(frozen=True, slots=True)
class DiscoverOptions:
    include: Sequence[str] = ()
    exclude: Sequence[str] = ()
    hidden: bool = False
    gitignore: bool = True


def _spec(lines: Sequence[str]) -> pathspec.GitIgnoreSpec | None:
    """git's rules for these patterns; None for none (pathspec is imported only when a run
    has patterns: a tenth of a repeat run's imports otherwise)."""
    if not lines:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


class Discovery:
    """Walks inputs once; `documents()` yields files, `notices` collects what was skipped and why."""

    def __init__(self, options: DiscoverOptions) -> None:
        self.options = options
        self.notices: list[Notice] = []
        self._include = _spec(options.include)
        self._exclude = _spec(options.exclude)
        self._ignore_cache: dict[Path, pathspec.GitIgnoreSpec | None] = {}

    def documents(self, inputs: Sequence[str | os.PathLike[str]]) -> Iterator[Document]:
        for raw in inputs:
            given = Path(raw)
            if not given.exists() and not given.is_symlink():
                raise InputError(f"{raw}: no such file or folder")
            if given.is_dir():
                if not os.access(given, os.R_OK | os.X_OK):
                    raise InputError(f"{raw}: folder is not readable")
                yield from self._walk(given)
            elif given.is_file():
                # A file named explicitly is always read, whatever its suffix.
                document = self._document(given, _display(given), Path("."), explicit=True)
                if document and isinstance(raw, NamedInput):
                    document = dataclasses.replace(document, display=raw.display, base_url=raw.base_url, transient=True)
                if document:
                    yield document
            else:
                raise InputError(f"{raw}: not a regular file or folder")

    def _walk(self, root: Path) -> Iterator[Document]:
        seen_dirs: set[tuple[int, int]] = set()
        worktree = _git_worktree(root) if self.options.gitignore else None
        if worktree is not None and root.absolute() != worktree and self._git_ignored(root.absolute(), True, worktree):
            # A folder named explicitly is walked even where .gitignore excludes it: only the
            # .gitignore files inside it apply then.
            worktree = root.absolute()
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                info = folder.stat()
            except OSError as exc:
                self.notices.append(Notice(_display(folder), f"skipped: {exc.strerror or exc}"))
                continue
            key = (info.st_dev, info.st_ino)
            if key in seen_dirs:
                self.notices.append(Notice(_display(folder), "skipped: symlink loop or folder seen twice"))
                continue
            seen_dirs.add(key)
            try:
                entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
            except OSError as exc:
                self.notices.append(Notice(_display(folder), f"skipped folder: {exc.strerror or exc}"))
                continue
            subfolders = []
            for entry in entries:
                path = Path(entry.path)
                relative = path.relative_to(root).as_posix()
                display = _display(path)
                if self._skipped(entry, relative, display, worktree):
                    continue
                try:
                    is_dir = entry.is_dir()
                    is_file = entry.is_file()
                except OSError:
                    is_dir = is_file = False
                if is_dir:
                    subfolders.append(path)
                elif is_file and self._selected(relative, display):
                    document = self._document(path, display, root, explicit=False)
                    if document:
                        yield document
                elif entry.is_symlink() and not path.exists():
                    self.notices.append(Notice(_display(path), "skipped: broken symlink"))
            stack.extend(reversed(subfolders))

    def _skipped(self, entry: os.DirEntry[str], relative: str, display: str, worktree: Path | None) -> bool:
        """Whether to pass over a file or folder. Exclude globs are tried on two spellings of
        its path: relative to the PATH argument (`news.txt` under `docs`) and as the reports
        display it, the PATH argument joined (`docs/news.txt`); either match skips it."""
        name = entry.name
        is_dir = _is_dir(entry)
        if is_dir and name in _ALWAYS_SKIPPED_DIRS:
            return True
        if name.startswith(".") and not self.options.hidden:
            return True
        slash = "/" if is_dir else ""
        exclude = self._exclude
        if exclude is not None and (exclude.match_file(relative + slash) or (display != relative and exclude.match_file(display + slash))):
            return True
        return worktree is not None and self._git_ignored(Path(entry.path), is_dir, worktree)

    def _selected(self, relative: str, display: str) -> bool:
        """Include globs, like exclude globs, match the path relative to the PATH argument or as displayed."""
        if self._include is not None:
            return self._include.match_file(relative) or (display != relative and self._include.match_file(display))
        return True

    def _git_ignored(self, path: Path, is_dir: bool, worktree: Path) -> bool:
        """Apply every .gitignore from the work tree root down to the file's folder; deepest wins."""
        absolute = path.absolute()
        for folder in _ancestors_within(absolute.parent, worktree):
            spec = self._ignore_spec(folder)
            if spec is None:
                continue
            relative = absolute.relative_to(folder).as_posix() + ("/" if is_dir else "")
            decision = spec.check_file(relative).include
            if decision is not None:
                return decision
        return False

    def _ignore_spec(self, folder: Path) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._ignore_cache:
            lines: list[str] = []
            for name in (".gitignore",) + ((".git/info/exclude",) if (folder / ".git").is_dir() else ()):
                try:
                    lines += (folder / name).read_text(encoding="utf-8", errors="replace").splitlines()
                except OSError:
                    pass
            self._ignore_cache[folder] = _spec(lines)
        return self._ignore_cache[folder]

    def _document(self, path: Path, display: str, root: Path, explicit: bool) -> Document | None:
        try:
            with path.open("rb") as handle:
                head = handle.read(_SNIFF_BYTES)
        except OSError as exc:
            self.notices.append(Notice(display, f"skipped: cannot read ({exc.strerror or exc})"))
            return None
        if not explicit and self._include is None and not has_known_suffix(path):
            return None
        format_name = format_for(path, head)
        if not is_binary(format_name) and b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.notices.append(Notice(display, "skipped: binary file"))
            return None
        return Document(path, display, format_name, root)


def read_text(document: Document) -> tuple[str, Notice | None]:
    """The document's text, and a notice when it was not plain UTF-8.

    Order: byte-order mark, a charset the document declares (HTML meta, XML declaration),
    UTF-8, then windows-1252, the fallback WHATWG gives browsers for unlabelled legacy text.
    """
    data = document.path.read_bytes()
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), None
    declared = _declared_charset(data[:_SNIFF_BYTES])
    if declared and declared not in ("utf-8", "utf8"):
        try:
            return data.decode(declared, errors="replace"), None
        except LookupError:
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        position = data.count(b"\n", 0, exc.start) + 1
    return data.decode("cp1252", errors="replace"), Notice(
        document.display, f"not UTF-8 (first bad byte on line {position}); read as windows-1252"
    )


_CHARSET = re.compile(rb"""(?:<meta[^>]+charset\s*=\s*["']?|<\?xml[^>]+encoding\s*=\s*["'])([A-Za-z0-9._-]+)""", re.I)


def _declared_charset(head: bytes) -> str | None:
    match = _CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _display(path: Path) -> str:
    """How reports name a file: as the user would type it from where linkcheck ran.

    A name that is not valid UTF-8 (possible on Linux) shows U+FFFD for its bad bytes, so
    no report format ever meets an unencodable string.
    """
    text = path.as_posix()
    text = text[2:] if text.startswith("./") else text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _git_worktree(start: Path) -> Path | None:
    for folder in [start.absolute(), *start.absolute().parents]:
        if (folder / ".git").exists():
            return folder
    return None


def _ancestors_within(folder: Path, top: Path) -> list[Path]:
    """`folder` and its parents up to `top`, deepest first."""
    chain = []
    current = folder
    while True:
        chain.append(current)
        if current == top or current.parent == current:
            return chain
        current = current.parent


def require_inputs(inputs: Sequence[str | os.PathLike[str]]) -> None:
    """Raise `InputError` for the first input that is missing or not a file or folder,
    before a run records anything (a run that cannot start leaves no trace in history)."""
    for raw in inputs:
        given = Path(raw)
        if not given.exists() and not given.is_symlink():
            raise InputError(f"{raw}: no such file or folder")
        if not (given.is_dir() or given.is_file()):
            raise InputError(f"{raw}: not a regular file or folder")
