"""`--changed-since REF`: the files a branch touched, so a pull request checks only its own citations.

A file counts as changed when any of these lists it (all from git, relative to the root of
its work tree, returned as absolute resolved paths):

- `git diff --name-only REF...HEAD`: committed on this branch since it left REF (three dots:
  from the merge base, so commits that landed on REF meanwhile do not count);
- `git diff --name-only HEAD`: modified but not committed yet, staged or not;
- `git ls-files --others --exclude-standard`: new files git does not track yet (not ignored).

Deleted files are left out (nothing to check). Only files under the given roots (the PATHs of
`check`) are kept; roots in different work trees are each asked of their own. In CI, REF must
be in the clone: a shallow checkout usually lacks it (actions/checkout: `fetch-depth: 0`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from linkcheck.errors import UsageError

#: Seconds one git command may take before we give up (a huge repository on a slow disk).
GIT_TIMEOUT = 120.0

PathLike = str | os.PathLike[str]


def changed_files(ref: str, roots: Sequence[PathLike] = (".",)) -> set[Path]:
    """Absolute paths of the files changed since `ref` (see the module docstring) under `roots`.

    Raises `UsageError` when a root is not inside a git work tree, when `ref` is not a
    commit git knows, or when git is missing or fails.
    """
    if not ref or ref.startswith("-"):
        raise UsageError(f"--changed-since needs a git revision (a branch, tag or commit), not {ref!r}")
    resolved_roots = [Path(root).resolve() for root in (roots or ["."])]
    by_top: dict[Path, list[Path]] = {}
    for root in resolved_roots:
        by_top.setdefault(_toplevel(root), []).append(root)
    changed: set[Path] = set()
    for top, tree_roots in by_top.items():
        _verify_ref(top, ref)
        names = _git_names(top, "diff", "--name-only", "-z", "--no-ext-diff", "--diff-filter=d", f"{ref}...HEAD", "--", hint=ref)
        names |= _git_names(top, "diff", "--name-only", "-z", "--no-ext-diff", "--diff-filter=d", "HEAD", "--")
        names |= _git_names(top, "ls-files", "--others", "--exclude-standard", "-z", "--")
        for name in names:
            path = (top / name).resolve()
            if path.is_file() and any(path == root or root in path.parents for root in tree_roots):
                changed.add(path)
    return changed


def _toplevel(root: Path) -> Path:
    folder = root if root.is_dir() else root.parent
    if not folder.exists():
        raise UsageError(f"{root}: no such file or folder")
    result = _git(folder, "rev-parse", "--show-toplevel")
    if result.returncode != 0 or not result.stdout.strip():
        raise UsageError(f"--changed-since needs a git work tree, and {root} is not inside one ({_first_line(result.stderr)})")
    return Path(result.stdout.decode("utf-8", "surrogateescape").strip()).resolve()


def _verify_ref(top: Path, ref: str) -> None:
    result = _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if result.returncode != 0:
        raise UsageError(
            f"--changed-since: unknown git revision {ref!r} in {top} "
            "(in CI, fetch it first: a shallow clone lacks other branches; actions/checkout needs fetch-depth: 0)"
        )


def _git_names(top: Path, *args: str, hint: str | None = None) -> set[str]:
    result = _git(top, *args)
    if result.returncode != 0:
        detail = _first_line(result.stderr)
        if hint is not None and "merge base" in detail:
            detail += f" (the history of {hint!r} and HEAD share no commit; a shallow clone? fetch more history)"
        raise UsageError(f"git {' '.join(args[:1])} failed in {top}: {detail}")
    return {name for name in result.stdout.decode("utf-8", "surrogateescape").split("\0") if name}


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=environment,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError("--changed-since needs git, and no `git` command was found") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} took longer than {GIT_TIMEOUT:.0f}s in {cwd}") from None


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else "git gave no reason"
