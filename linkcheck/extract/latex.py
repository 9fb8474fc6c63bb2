"""Links in LaTeX: the hyperref/url commands, `\\doi`, and bare URLs in the prose.

What counts as a citation, each yielded at the first character of its target:

- `\\url{…}` and `\\nolinkurl{…}` (also the `\\url|…|` delimiter form), `\\href{url}{text}`
  (the text, stripped of commands and braces, into `RawLink.text`);
- `\\doi{10.…}` as `doi:10.…`, for normalization to turn into https://doi.org/…;
- bare URLs in the prose, through the plain-text finder, cut at a control word that
  follows them (`https://example.org\\footnote{…}`).

A tokenizer walks control sequences left to right, so `\\%` (an escaped percent) and
`\\\\%` (a line break, then a comment) are told apart the way TeX does. `%` starts a
comment except inside the argument of `\\url`/`\\href`, where it is literal (those
arguments are read verbatim, as the url package reads them). Escaped specials in a
target (`\\%`, `\\#`, `\\_`, `\\&`, `\\~`, `\\$`) are unescaped; whitespace is dropped.
verbatim, lstlisting, minted (and fancyvrb's) environments and `\\verb`, `\\lstinline`,
`\\mintinline` are skipped unless `options.include_code` (then only bare URLs are taken
from them); the `comment` environment is always skipped. `\\iffalse` blocks are not.

Every search moves forward (an unclosed brace is looked for once, not once per
command), and link text is read within a bounded window, so the work is linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from linkcheck.extract import ExtractOptions
from linkcheck.extract.plaintext import LineIndex, find_urls
from linkcheck.models import RawLink

_TOKEN = re.compile(r"\\([A-Za-z@]+)(\*?)|\\.|%", re.DOTALL)
#: The same, with braces: used only while an `\href` text group is open.
_TOKEN_BRACES = re.compile(r"\\([A-Za-z@]+)(\*?)|\\.|[%{}]", re.DOTALL)
_EOL = re.compile(r"\r\n?|\n")
_SKIP_SPACE = re.compile(r"[ \t]*(?:(?:\r\n?|\n)[ \t]*)?")
_OPTIONAL = re.compile(r"\[[^\[\]{}]{0,256}\]")
_ENVIRONMENT = re.compile(r"[ \t]*\{([A-Za-z*]{1,40})\}")
_ESCAPED = re.compile(r"\\([%#&_$~{}])")
#: A backslash that does not escape a special character ends a bare URL.
_CUT = re.compile(r"\\(?![%#&_$~])")
_COMMAND = re.compile(r"\\[A-Za-z@]+\*?[ \t]*")
_CODE_ENVIRONMENTS = frozenset(
    {"verbatim", "verbatim*", "Verbatim", "Verbatim*", "BVerbatim", "LVerbatim", "lstlisting", "minted"}
    | {"filecontents", "filecontents*"}
)
_URL_COMMANDS = frozenset({"url", "nolinkurl"})
_MAX_TEXT = 1000  # longest `\href` link text cleaned up (nested junk costs bounded work)
_MAX_DELIMITED = 4096  # longest URL or `\verb|…|` argument read

Found = tuple[int, str, str | None]


def extract(text: str, options: ExtractOptions) -> Iterator[RawLink]:
    """Links in a LaTeX document, in document order."""
    index = LineIndex(text)
    for offset, target, link_text in find_links(text, 0, len(text), options):
        line, column = index.position(offset)
        yield RawLink(target, line, column, link_text)


def find_links(text: str, start: int, end: int, options: ExtractOptions, comments: bool = True) -> list[Found]:
    """(offset, target, text) of every link in `text[start:end]`, sorted by offset.

    `comments=False` reads `%` as a literal character (a BibTeX field value, say).
    """
    return _LatexScanner(text, start, end, options, comments).run()


class _NextIndex:
    """Index of the next `char` before `end`, for query positions that only grow."""

    __slots__ = ("_at", "_char", "_end", "_text")

    def __init__(self, text: str, char: str, end: int) -> None:
        self._text, self._char, self._end, self._at = text, char, end, -2

    def find(self, pos: int) -> int:
        if self._at != -1 and self._at < pos:
            self._at = self._text.find(self._char, pos, self._end)
        return self._at


class _LatexScanner:
    def __init__(self, text: str, start: int, end: int, options: ExtractOptions, comments: bool) -> None:
        self.text, self.start, self.end = text, start, end
        self.options, self.comments = options, comments
        self.found: list[Found] = []
        self.excluded: list[tuple[int, int]] = []  # spans no bare URL is looked for in
        self.code: list[tuple[int, int]] = []  # verbatim spans, read only with include_code
        self._close_brace = _NextIndex(text, "}", end)
        self._open: list[int] = []  # offsets of the `{` still open
        self._labels: dict[int, int] = {}  # `{` opening an `\href` text -> index in `found`

    def run(self) -> list[Found]:
        text, pos = self.text, self.start
        while True:
            token = (_TOKEN_BRACES if self._labels else _TOKEN).search(text, pos, self.end)
            if token is None:
                break
            pos = token.end()
            if token.group() in ("{", "}"):
                self.brace(token.start())
                continue
            if token.group() == "%":
                if self.comments:
                    eol = _EOL.search(text, pos, self.end)
                    pos = eol.start() if eol else self.end
                    self.excluded.append((token.start(), pos))
                continue
            name = token.group(1)
            if name in _URL_COMMANDS:
                pos = self.url(token.start(), pos)
            elif name == "href":
                pos = self.href(token.start(), pos)
            elif name == "doi":
                pos = self.doi(token.start(), pos)
            elif name in ("verb", "lstinline", "mintinline"):
                pos = self.inline_code(token.start(), pos, name)
            elif name == "begin":
                pos = self.environment(token.start(), pos)
        self.bare()
        self.found.sort(key=lambda item: item[0])
        return self.found

    def brace(self, at: int) -> None:
        """Match braces while an `\\href` text is open; its link gets the text when it closes.

        A text still open after `_MAX_TEXT` characters is given up (no text), so braces are
        only tracked near an `\\href`.
        """
        if self.text[at] == "{":
            self._open.append(at)
        elif self._open:
            opened = self._open.pop()
            index = self._labels.pop(opened, None)
            if index is not None:
                offset, target, _ = self.found[index]
                label = _tex_text(self.text[opened + 1 : at]) if at - opened <= _MAX_TEXT else None
                self.found[index] = (offset, target, label)
                self.excluded.append((opened, at + 1))  # `\href{u}{u}` cites u once
        while self._labels and at - next(iter(self._labels)) > _MAX_TEXT:
            del self._labels[next(iter(self._labels))]
        if not self._labels:
            self._open.clear()

    # -- arguments ---------------------------------------------------------------------

    def argument(self, pos: int, delimited: bool = False) -> tuple[int, int, int] | None:
        """`{…}` (to the first `}`: URLs are read verbatim) or, if allowed, `|…|`.

        Returns (content start, content end, position after the argument).
        """
        pos = _SKIP_SPACE.match(self.text, pos, self.end).end()  # type: ignore[union-attr]
        opener = self.text[pos : pos + 1]
        if opener == "{":
            close = self._close_brace.find(pos + 1)
        elif delimited and opener and not opener.isalnum() and not opener.isspace():
            close = self.text.find(opener, pos + 1, min(self.end, pos + 1 + _MAX_DELIMITED))
            if close >= 0 and (_EOL.search(self.text, pos + 1, close) or "\\" in self.text[pos + 1 : close]):
                close = -1  # `\url|…|` holds one line of URL, no commands
        else:
            return None
        if close < 0 or close - pos > _MAX_DELIMITED:  # unclosed, or closed by a far-off brace
            return None
        return pos + 1, close, close + 1

    # -- commands ----------------------------------------------------------------------

    def add_target(self, start: int, end: int, prefix: str = "", link_text: str | None = None) -> None:
        raw = self.text[start:end]
        target = _ESCAPED.sub(r"\1", "".join(raw.split()))
        if target:
            if prefix and "://" not in target and not target.lower().startswith(prefix):
                target = prefix + target
            self.found.append((start + len(raw) - len(raw.lstrip()), target, link_text))

    def url(self, command: int, pos: int) -> int:
        argument = self.argument(pos, delimited=True)
        if argument is None:
            return pos
        self.add_target(argument[0], argument[1])
        self.excluded.append((command, argument[2]))
        return argument[2]

    def href(self, command: int, pos: int) -> int:
        pos = _SKIP_SPACE.match(self.text, pos, self.end).end()  # type: ignore[union-attr]
        optional = _OPTIONAL.match(self.text, pos, self.end)
        argument = self.argument(optional.end() if optional else pos)
        if argument is None:
            return pos
        self.add_target(argument[0], argument[1])
        self.excluded.append((command, argument[2]))
        label = _SKIP_SPACE.match(self.text, argument[2], self.end).end()  # type: ignore[union-attr]
        if self.text.startswith("{", label) and self.found:
            self._labels[label] = len(self.found) - 1  # its text is known when the group closes
        return label

    def doi(self, command: int, pos: int) -> int:
        argument = self.argument(pos)
        if argument is None:
            return pos
        self.add_target(argument[0], argument[1], prefix="doi:")
        self.excluded.append((command, argument[2]))
        return argument[2]

    def inline_code(self, command: int, pos: int, name: str) -> int:
        """`\\verb|…|`, `\\lstinline[…]{…}`, `\\mintinline{lang}{…}`: code, not prose."""
        argument: tuple[int, int, int] | None
        if name == "verb":
            opener = self.text[pos : pos + 1]
            close = self.text.find(opener, pos + 1, min(self.end, pos + 1 + _MAX_DELIMITED)) if opener else -1
            if close < 0 or _EOL.search(self.text, pos, close):
                return pos
            argument = (pos + 1, close, close + 1)
        else:
            optional = _OPTIONAL.match(self.text, pos, self.end)
            pos = optional.end() if optional else pos
            if name == "mintinline":
                language = self.argument(pos)
                if language is None:
                    return pos
                pos = language[2]
            argument = self.argument(pos, delimited=True)
            if argument is None:
                return pos
        self.excluded.append((command, argument[2]))
        self.code.append((argument[0], argument[1]))
        return argument[2]

    def environment(self, command: int, pos: int) -> int:
        match = _ENVIRONMENT.match(self.text, pos, self.end)
        if match is None:
            return pos
        name = match.group(1)
        if name not in _CODE_ENVIRONMENTS and name != "comment":
            return match.end()
        close = self.text.find("\\end{" + name + "}", match.end(), self.end)
        body_end = self.end if close < 0 else close
        after = self.end if close < 0 else close + len(name) + 6
        self.excluded.append((command, after))
        if name != "comment":
            self.code.append((match.end(), body_end))
        return after

    # -- bare URLs ---------------------------------------------------------------------

    def bare(self) -> None:
        gap = self.start
        for span_start, span_end in [*sorted(self.excluded), (self.end, self.end)]:
            if span_start > gap:
                self.prose_urls(gap, span_start)
            gap = max(gap, span_end)
        if self.options.include_code:
            for start, end in self.code:
                for offset, url in find_urls(self.text[start:end]):
                    self.found.append((start + offset, url, None))

    def prose_urls(self, start: int, end: int) -> None:
        for offset, url in find_urls(self.text[start:end]):
            cut = _CUT.search(url)
            if cut:
                url = next(iter(find_urls(url[: cut.start()])), (0, ""))[1]
            if url:
                self.found.append((start + offset, _ESCAPED.sub(r"\1", url), None))


def _tex_text(source: str) -> str | None:
    """Readable link text: commands, braces and ties removed, whitespace collapsed."""
    text = _ESCAPED.sub(r"\1", _COMMAND.sub("", source.replace("\\\\", " ")))
    text = text.replace("{", "").replace("}", "").replace("~", " ")
    return " ".join(text.split()) or None
