"""Markdown's fast event loop gives exactly what the plain one (`fast=False`) gives.

The fast loop handles text, links and paragraphs inline and scans a run of text for URLs
only if it may hold one; the plain loop sends every event through `_Walker._dispatch`.
Differential tests: the fixtures, the shared corpus, generated Markdown, and the
benchmark corpus when it is there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract import ExtractOptions
from linkcheck.extract.markdown import extract

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"  # ../shared beside the checkout
BENCH_CORPUS = Path(__file__).resolve().parents[1] / "bench" / ".work" / "corpora" / "extract" / "docs"


def assert_same(text: str) -> None:
    for include_code in (False, True):
        options = ExtractOptions(include_code=include_code)
        assert list(extract(text, options)) == list(extract(text, options, fast=False)), (text, include_code)


def markdown_files() -> list[Path]:
    found = [*FIXTURES.rglob("*.md"), *(CORPUS.glob("*.md") if CORPUS.is_dir() else [])]
    return sorted(found)


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: path.name)
def test_markdown_files_agree(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for variant in (text, text.replace("\n", "\r\n")):
        assert_same(variant)


@pytest.mark.parametrize(
    "text",
    [
        "see http&#58;//example.org/a and www\\.example.org and <b>https://example.org/b</b>\n",
        "[a <span>https://example.org/in</span> b](https://example.org/out) https://example.org/after\n",
        "```\nhttps://example.org/code\n```\n`https://example.org/span` [x](https://example.org/x)\n",
        "> quoted https://example.org/q and [l](\n> https://example.org/l)\n",
        "<div>\n<a href='https://example.org/block'>x</a>\n</div>\n\n*em https://example.org/em* MAILTO:a@b.example\n",
        "[![img](https://example.org/i.png)](https://example.org/outer) [r] [r][] [t][r]\n\n[r]: https://example.org/r\n",
    ],
)
def test_tricky_documents_agree(text: str) -> None:
    assert_same(text)


_PIECES = [
    "words ", "café ü日本 ", "\n", "\r\n", "\n\n", "  \n", "\\\n", "> ", "- ", "1. ", "    ", "# ", "*", "**", "~~", "_",
    "https://example.org/a", "HTTP://example.org/b_(c).", "www.example.org", "mailto:a@b.example", "a@b.example",
    "http&#58;//example.org/e", "ht&#116;p://x.example", "&amp;", "&colon;", "\\:", "\\[", "\\*",
    "[t](https://example.org/i)", "[t](<https://example.org/a b>)", '[t]( https://example.org/s "title")',
    "![alt](i.png)", "[![a](i.png)](https://example.org/n)", "[t][r]", "[r]", "[R][]", "\n[r]: https://example.org/r 'T'\n",
    "<https://example.org/auto>", "<a@b.example>", "`https://example.org/code`", "\n```\nhttps://example.org/f\n```\n",
    '<a href="https://example.org/h">h</a>', "<b>", "</b>", "<br/>", "<!-- c -->",
    "\n<div>\n<a href=https://example.org/block>b</a>\n</div>\n\n",
    "| a | [x](https://example.org/t) |\n|---|---|\n| b | c |\n", "[^1]", "\n[^1]: note https://example.org/fn\n",
    "- [ ] task ", "$x$", "[", "]", "(", ")", "<", ">", "`",
]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_property_generated_markdown_agrees(text: str) -> None:
    assert_same(text)


@pytest.mark.skipif(not BENCH_CORPUS.is_dir(), reason="benchmark corpus not generated (python bench/run.py)")
def test_benchmark_corpus_agrees() -> None:
    paths = sorted(BENCH_CORPUS.rglob("*.md"))
    assert paths
    options = ExtractOptions()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert list(extract(text, options)) == list(extract(text, options, fast=False)), path
