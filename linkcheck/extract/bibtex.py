"""Links in BibTeX/BibLaTeX databases, split into entries and fields by bibtexparser.

What counts as a citation, in every entry type, each yielded at the line and column of
the target inside its field value (not of the entry):

- `url`, as written (a `\\url{…}` inside it is read through);
- `doi`: a bare `10.1000/xyz` as `doi:10.1000/xyz` (normalization makes it a
  https://doi.org/ URL), a value that already is a URL or `doi:…` as written;
- `eprint` when `archivePrefix` or `eprinttype` says arXiv, as `arXiv:2101.00001`
  (an `eprint` that is itself a URL is yielded whatever its type);
- `howpublished` and `note`: `\\url`, `\\href`, `\\doi` and bare URLs, read with the
  LaTeX extractor (`%` is literal there).

`@string` macros and `#` concatenations are not resolved. bibtexparser gives an entry's
start line and each field's raw value; the entry is found in the source from its start
line, and each field's value from the `=` that follows the previous value, so positions
are exact and the work is linear.

Damaged input: bibtexparser recovers at the next `@` that starts a line, so the entries
around a damaged one are read normally. From a damaged entry itself, `\\url{…}` and bare
URLs are still taken, and `doi = {…}` values. `ExtractionError("line N: …")` is raised only
when the file has entries, none of them could be parsed, and nothing could be recovered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import bibtexparser
from bibtexparser.exceptions import ParsingException
from bibtexparser.model import Entry, ParsingFailedBlock

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract.latex import find_links
from linkcheck.extract.plaintext import links_at
from linkcheck.models import RawLink

# bibtexparser logs a warning per damaged block (through Python's last-resort handler
# when the application configured none); the extractor reports damage itself.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)

_PROSE_FIELDS = frozenset({"howpublished", "note"})
_ARXIV = "arxiv"
_ESCAPED = re.compile(r"\\([%#&_$~])")
_RECOVERED_DOI = re.compile(r"\bdoi\s*=\s*[{\"]\s*(10\.[^\s{}\",]+)", re.IGNORECASE)
_GROUP_TOKEN = re.compile(r'\\.|[{}"]', re.DOTALL)
_LATEX_OPTIONS = ExtractOptions()

Found = tuple[int, str, str | None]


def extract(text: str, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in a BibTeX database, in document order."""
    return links_at(text, find_all(text))


def find_all(text: str) -> list[Found]:
    """(offset, target, text) of every link; raises ExtractionError only as documented above."""
    if "@" not in text:
        return []
    try:
        library = bibtexparser.parse_string(text, parse_stack=[])  # type: ignore[attr-defined]  # raw values
    except ParsingException as exc:  # the parser's own invariant broke: no block can be trusted
        raise ExtractionError(f"line 1: bibtexparser could not split the file ({type(exc).__name__})") from None
    starts = [0] + [match.end() for match in re.finditer("\n", text)]  # bibtexparser counts LF only
    found: list[Found] = []
    parsed, cursor = 0, 0
    failures: list[ParsingFailedBlock] = []
    for block in library.blocks:
        if isinstance(block, ParsingFailedBlock):  # damaged, or a duplicate key / field
            entry = block.ignore_error_block if isinstance(block.ignore_error_block, Entry) else None
        elif isinstance(block, Entry):
            entry = block
        else:
            continue  # comments, @string, @preamble
        raw = entry.raw if entry is not None else block.raw
        offset = _locate(text, starts, block.start_line, raw, cursor)
        if offset < 0:
            continue
        cursor = offset + len(raw or "")
        if entry is not None:
            parsed += 1
            found.extend(_entry_links(text, offset, entry))
        elif isinstance(block, ParsingFailedBlock):
            failures.append(block)
            found.extend(_recover(text, offset, cursor))
    if failures and not parsed and not found:
        first = failures[0]
        reason = str(getattr(first.error, "abort_reason", None) or first.error)
        line = (first.start_line or 0) + 1
        raise ExtractionError(f"line {line}: no entry could be read ({' '.join(reason.split())})")
    return found


def _locate(text: str, starts: list[int], line: int | None, raw: str | None, cursor: int) -> int:
    """Offset of a block's raw text, searched from its start line (never before `cursor`)."""
    if not raw or line is None or not 0 <= line < len(starts):
        return -1
    return text.find(raw, max(starts[line], cursor))


def _entry_links(text: str, offset: int, entry: Entry) -> Iterator[Found]:
    """Each field's value located in the source: after its `=`, past the previous value."""
    raw = entry.raw or ""
    end = offset + len(raw)
    cursor = offset + max(raw.find(","), 0)
    values: dict[str, tuple[int, str]] = {}
    for field in entry.fields:
        equals = text.find("=", cursor, end)
        if equals < 0:
            break
        start = equals + 1
        while start < end and text[start].isspace():
            start += 1
        value = str(field.value)
        if not text.startswith(value, start):
            continue  # never seen: the splitter's value is the source after `=`, stripped
        cursor = start + len(value)
        values.setdefault(field.key.lower(), (start, value))
    kind = _content(0, (values.get("archiveprefix") or values.get("eprinttype") or (0, ""))[1])
    arxiv = kind is not None and kind[1].strip().lower() == "arxiv"
    for name, (start, value) in values.items():
        content = _content(start, value)
        if content is None:
            continue  # a macro, a number or a `#` concatenation: not resolved
        inner, body = content
        if name in _PROSE_FIELDS or (name == "url" and ("\\url" in body or "\\href" in body)):
            yield from find_links(text, inner, inner + len(body), _LATEX_OPTIONS, comments=False)
        elif name == "url":
            yield from _target(inner, body, "")
        elif name == "doi":
            yield from _target(inner, body, "doi:")
        elif name == "eprint" and (arxiv or "://" in body):
            yield from _target(inner, body, "arXiv:" if arxiv else "")


def _content(start: int, value: str) -> tuple[int, str] | None:
    """(offset, text) inside one `{…}` or `"…"` value, unwrapping `{{…}}` too; else None."""
    for level in range(2):
        if value[:1] not in ("{", '"') or _group_end(value) != len(value) - 1:
            return None if level == 0 else (start, value)
        start, value = start + 1, value[1:-1]
    return start, value


def _group_end(value: str) -> int:
    """Index of the character closing the group `value` opens with (`{` or `"`), or -1."""
    depth = 0
    for token in _GROUP_TOKEN.finditer(value, 1):
        char = token.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0 and value[0] == "{":
                return token.start()
        elif char == '"' and depth == 0 and value[0] == '"':
            return token.start()
    return -1


def _target(start: int, body: str, prefix: str) -> Iterator[Found]:
    """A URL, DOI or arXiv id; prefixed unless already a URL or already carrying the prefix."""
    target = _ESCAPED.sub(r"\1", "".join(body.split()))
    if not target:
        return
    if prefix and "://" not in target and not target.lower().startswith(prefix.lower()):
        target = prefix + target
    yield start + len(body) - len(body.lstrip()), target, None


def _recover(text: str, start: int, end: int) -> Iterator[Found]:
    """What a damaged entry still shows: URLs and `doi = {10.…}` values."""
    yield from find_links(text, start, end, _LATEX_OPTIONS, comments=False)
    for match in _RECOVERED_DOI.finditer(text, start, end):
        yield match.start(1), "doi:" + match.group(1), None
