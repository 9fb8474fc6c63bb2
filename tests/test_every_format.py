"""`linkcheck check` on a folder holding every format: each is read and its citations
checked; local links and anchors need no network."""

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from linkcheck.cli import cli
from tests.farm import respond

FIXTURES = Path(__file__).parent / "fixtures"

TEMPLATES = {
    "page.md": "# Notes\n\nSee [the source]({u}/md) and [setup](guide.rst#setup) and [gone](nowhere.md).\n",
    "page.html": '<html><body><a href="{u}/html">x</a> <a href="page.md#notes">local</a></body></html>\n',
    "notes.txt": "Plain text cites {u}/txt here.\n",
    "guide.rst": "Setup\n=====\n\nRead `the guide <{u}/rst>`_ first.\n",
    "readme.adoc": "= Title\n\nlink:{u}/adoc[the manual]\n",
    "paper.tex": "\\documentclass{{article}}\\begin{{document}}\\url{{{u}/tex}}\\end{{document}}\n",
    "refs.bib": "@misc{{key,\n  title = {{A page}},\n  url = {{{u}/bib}},\n}}\n",
    "refs.ris": "TY  - ELEC\nTI  - A page\nUR  - {u}/ris\nER  - \n",
    "refs.csl.json": '[{{"id": "a", "type": "webpage", "URL": "{u}/csl"}}]\n',
    "article.wiki": "Text.<ref>{{{{cite web |url={u}/wiki |title=T}}}}</ref>\n",
    "analysis.ipynb": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["See [data]({u}/ipynb).\n"]}]}),
}
BINARY = ["binary/report.pdf", "binary/notes.docx", "binary/book.epub"]


def test_every_format_is_read_and_checked(farm, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    site = farm.host().default(respond(200, "<p>ok</p>"))
    probe = farm.host(ip="127.0.0.2").route("/", respond(200))
    monkeypatch.setenv("LINKCHECK_NETWORK_PROBE_URLS", probe.url("/"))
    monkeypatch.setenv("COLUMNS", "200")
    docs = tmp_path / "docs"
    docs.mkdir()
    base = site.url("").rstrip("/")
    for name, template in TEMPLATES.items():
        (docs / name).write_text(template.replace("{u}", base) if name.endswith(".ipynb") else template.format(u=base), encoding="utf-8")
    for name in BINARY:
        shutil.copy(FIXTURES / name, docs)

    result = CliRunner().invoke(cli, ["check", "docs", "--format", "json", "--no-history", "--max-retries", "0"])
    assert result.exit_code == 1, result.stderr  # nowhere.md is dead; the binary fixtures cite .example hosts
    report = json.loads(result.stdout)
    by_file: dict[str, set[str]] = {}
    for entry in report["results"]:
        for location in entry["locations"]:
            by_file.setdefault(Path(location["file"]).name, set()).add(entry["status"])
    assert set(by_file) == set(TEMPLATES) | {Path(name).name for name in BINARY}
    statuses = {entry["url"]: entry["status"] for entry in report["results"]}
    for suffix in ("md", "html", "txt", "rst", "adoc", "tex", "bib", "ris", "csl", "wiki", "ipynb"):
        assert statuses[f"{base}/{suffix}"] == "ok", suffix
        assert site.count(f"/{suffix}") >= 1
    # Local links, judged on disk: a Markdown heading slug, a missing file, and an anchor in a
    # format whose anchors linkcheck does not know (reStructuredText: not judged, so ok).
    assert statuses["docs/page.md#notes"] == "ok"
    assert statuses["docs/nowhere.md"] == "dead"
    assert statuses["docs/guide.rst#setup"] == "ok"
