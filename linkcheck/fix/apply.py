"""Showing and applying a `FixPlan`: a unified diff per file, or an atomic rewrite of it.

A file is written in the encoding it was read in (byte-order mark included), and only
the characters the edits changed differ: line endings and every other byte stay. A file
that changed on disk after it was read (size, mtime or SHA-256) is never overwritten.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from linkcheck.fix.plan import Change, FileFix, FixPlan, Skipped
from linkcheck.fix.textfile import Unfixable, write_atomically

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_NO_NEWLINE = "\\ No newline at end of file\n"


@dataclass(slots=True)
class Applied:
    """What `apply_fixes` did: the changes written, and the files it had to leave alone."""

    written: list[Change] = field(default_factory=list)
    failed: list[Skipped] = field(default_factory=list)


def render_diff(fix: FileFix) -> str:
    """The unified diff of one file's changes, `a/`/`b/`-prefixed like `git diff`."""
    name = fix.display if fix.display.startswith("/") else None
    before = _LINE.findall(fix.source.text)
    after = _LINE.findall(fix.text)
    lines = difflib.unified_diff(before, after, name or f"a/{fix.display}", name or f"b/{fix.display}")
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n" + _NO_NEWLINE)
    return "".join(out)


def apply_fixes(plan: FixPlan) -> Applied:
    """Write every changed file of `plan`; a file that cannot be written safely is skipped."""
    applied = Applied()
    for fix in plan.changed:
        try:
            write_atomically(fix.source, fix.source.encode(fix.text))
        except Unfixable as exc:
            applied.failed.append(Skipped(fix.display, None, None, str(exc)))
            continue
        applied.written.extend(fix.changes)
    return applied
