"""Links in PDF, read with pypdf: link annotations and URLs printed in the text layer.

What counts as a citation, each yielded with its 1-based `page` (a PDF has no lines to
point at, so `line` and `column` are None):

- a link annotation (`/Subtype /Link`) whose action is `/S /URI`: the URI as stored;
- a bare URL in the page's extracted text, found by the plain-text extractor after URLs
  that the layout broke across lines have been rejoined (`join_wrapped_urls`).

One page cites a URL once: a URL that is both an annotation and printed text (the usual
case), or that has two annotations (a link wrapped over two lines gets one rectangle per
line), is yielded once, annotations first. Internal links (`/GoTo`), launch actions,
form fields and the text of other annotations are not citations. An encrypted PDF that
an empty password does not open, or a PDF pypdf cannot parse, raises `ExtractionError`.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from linkcheck.extract import ExtractionError, ExtractOptions
from linkcheck.extract.plaintext import find_urls
from linkcheck.models import RawLink

#: A wrapped line ending in one of these is continued by the next line: typesetters break
#: URLs after them, and a URL rarely ends with one.
_BREAK_AFTER = frozenset("-_=&%~+")
#: The next line's first word continues a URL only if it looks like URL structure.
_URL_STRUCTURE = re.compile(r"[/?=&#%_]|\.\w")
_NEW_URL = re.compile(r"(?:https?|ftp)://|www\.|mailto:", re.IGNORECASE)
_FORBIDDEN_IN_URL = frozenset('<>"`')
#: Readers accept junk before the header (mail gateways add some); so do we, this far.
_HEADER_WINDOW = 1024


def extract(data: bytes, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in a PDF document, page by page (`options` change nothing for PDF)."""
    with _quiet_pypdf():
        links = _read(data)
    yield from links


def _read(data: bytes) -> list[RawLink]:
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise ExtractionError(f"not a PDF: no %PDF- header in its first {_HEADER_WINDOW} bytes")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("encrypted PDF: it needs a password to open")
        links: list[RawLink] = []
        for number, page in enumerate(reader.pages, start=1):
            links.extend(_page_links(page, number))
        return links
    except ExtractionError:
        raise
    except DependencyError as exc:  # AES without a crypto library installed
        raise ExtractionError(f"encrypted PDF: cannot decrypt it ({exc})") from None
    except FileNotDecryptedError:
        raise ExtractionError("encrypted PDF: it needs a password to open") from None
    except RecursionError:
        raise ExtractionError("damaged PDF: its object structure nests without end") from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds of errors on damaged input
        truncated = b"%%EOF" not in data[-_HEADER_WINDOW:]
        hint = " (it ends early, without %%EOF: truncated?)" if truncated else ""
        raise ExtractionError(f"damaged PDF{hint}, pypdf cannot read it: {exc or type(exc).__name__}") from None


def _page_links(page: Any, number: int) -> list[RawLink]:
    links: list[RawLink] = []
    seen: set[str] = set()
    annotations = list(_annotation_uris(page))
    for uri in annotations:
        if _key(uri) not in seen:
            seen.add(_key(uri))
            links.append(RawLink(uri, None, None, page=number))
    text = join_wrapped_urls(page.extract_text() or "", annotations)
    for _, url in find_urls(text):
        if _key(url) not in seen:
            seen.add(_key(url))
            links.append(RawLink(url, None, None, page=number))
    return links


def _annotation_uris(page: Any) -> Iterator[str]:
    annotations = page.get("/Annots")
    annotations = annotations.get_object() if annotations is not None else None
    if not isinstance(annotations, list):
        return
    for reference in annotations:
        annotation = reference.get_object()
        if not isinstance(annotation, dict) or annotation.get("/Subtype") != "/Link":
            continue
        action = annotation.get("/A")
        action = action.get_object() if action is not None else None
        if isinstance(action, dict) and action.get("/S") == "/URI":
            uri = _text(action.get("/URI"))
            if uri:
                yield uri


def _text(value: Any) -> str:
    """A PDF string as text: URIs are meant to be 7-bit ASCII, but UTF-8 is seen in the wild."""
    if value is None:
        return ""
    value = value.get_object() if hasattr(value, "get_object") else value
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            value = value.decode("latin-1")
    return str(value).strip()


def _key(url: str) -> str:
    """What makes two links on one page the same citation: case, scheme and a final slash aside
    (the printed `example.org/a/` and the annotated `https://example.org/a` are one link)."""
    lowered = url.lower()
    for prefix in ("https://", "http://"):
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix) :]
            break
    return lowered.rstrip("/")


def join_wrapped_urls(text: str, known: list[str] | tuple[str, ...] = ()) -> str:
    """Rejoin the URLs that line wrapping split, so the plain-text extractor sees them whole.

    A line break is removed when all of these hold:

    1. the line ends inside a URL: its last word contains a URL that runs to the end of
       the line, with no space before the break;
    2. the next line starts, without a space, with a word that does not begin a new URL;
    3. the break is evidently inside the URL: a link annotation on the page (`known`)
       starts with the URL so far and continues with that word; or, with no annotation
       to ask, the line ends with a character a URL rarely ends with and typesetters break
       after (`- _ = & % ~ +`), or the next word has URL structure itself (a `/`, `?`,
       `=`, `&`, `#`, `%`, `_`, or a dot followed by a letter or digit).

    A hyphen at the break is kept (`…/kobe-` + `hourly.csv` is `…/kobe-hourly.csv`): URL
    typesetting breaks after a hyphen that is part of the URL rather than adding one.
    A URL ending a line followed by a plain word (`…/intro` + `where the …`) is left alone:
    that is the common case of prose, and joining it would invent a dead link.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    joined = [lines[0]]
    for line in lines[1:]:
        if _continues(joined[-1], line, known):
            joined[-1] += line
        else:
            joined.append(line)
    return "\n".join(joined)


def _continues(previous: str, line: str, known: list[str] | tuple[str, ...]) -> bool:
    if not previous or not line or previous[-1].isspace() or line[0].isspace():
        return False
    tail = previous.split()[-1]
    urls = list(find_urls(tail))
    if not urls:
        return False
    start, url = urls[-1]
    written = tail[start:]  # the URL as printed, with any punctuation the extractor trims
    if any(char in _FORBIDDEN_IN_URL for char in written):
        return False
    word = line.split()[0]
    if _NEW_URL.match(word):
        return False
    related = [uri for uri in known if uri.startswith(url)]
    if related:
        return any(uri.startswith(written + word[:1]) for uri in related)
    return written[-1] in _BREAK_AFTER or bool(_URL_STRUCTURE.search(word.rstrip(".,;:!?)]")))


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs (and sometimes warns about) every oddity of a damaged file; none of that
    belongs on the user's stderr. A damaged file that cannot be read raises instead."""
    logger = logging.getLogger("pypdf")  # its modules log to children such as `pypdf._reader`
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
