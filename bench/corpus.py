"""Deterministic corpora for the benchmark: Markdown and HTML files citing farm URLs.

`generate(spec, root)` writes the files of one corpus under `root` and a `manifest.json`
describing it; a corpus whose manifest already matches the spec is reused as is. The
same spec and seed always give byte-identical files.

Every URL is `http://127.0.1.<h>:<port>/<section>/<year>/<slug>-<n>.html` on one of the
farm's hosts. Every unique URL is cited at least once; the remaining citations are drawn
uniformly (seeded) from the unique URLs. Links are written as inline Markdown links,
Markdown autolinks (`<url>`) and HTML `<a href>`, which both tools extract; never as bare
URLs, which the two tools treat differently, so both must find exactly the same links.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from farm import host_ips

WORDS = (
    "citation source archive evidence journal article dataset method result figure table "
    "analysis model sample survey observation measure record report review study theory "
    "library reference chapter section appendix note footnote abstract summary claim "
    "the of and to in a is that for it as with was on be by this are from at or an "
    "which have has were their been more also can its other these into such between"
).split()
SECTIONS = ["articles", "papers", "data", "notes", "wiki", "docs", "news", "blog"]
FILES_PER_FOLDER = 100


@dataclass(frozen=True)
class CorpusSpec:
    name: str
    unique_urls: int
    citations: int
    files: int
    hosts: int
    port: int
    filler_words: int = 12  # words of prose between two links
    seed: int = 20261129

    @property
    def citations_per_file(self) -> float:
        return self.citations / self.files


@dataclass
class Corpus:
    spec: CorpusSpec
    root: Path  # the folder given to both tools
    bytes: int
    per_host: dict[str, int]  # unique URLs per host address

    @property
    def unique_urls(self) -> int:
        return self.spec.unique_urls


def _urls(spec: CorpusSpec, rng: random.Random) -> tuple[list[str], dict[str, int]]:
    ips = host_ips(spec.hosts)
    per_host = dict.fromkeys(ips, 0)
    urls = []
    for n in range(spec.unique_urls):
        ip = ips[n % len(ips)]  # as even as it gets: n_h differ by at most one
        per_host[ip] += 1
        section = SECTIONS[rng.randrange(len(SECTIONS))]
        slug = "-".join(rng.choice(WORDS[:40]) for _ in range(3))
        urls.append(f"http://{ip}:{spec.port}/{section}/{2000 + n % 26}/{slug}-{n}.html")
    rng.shuffle(urls)
    return urls, per_host


def _citations(spec: CorpusSpec, urls: list[str], rng: random.Random) -> list[str]:
    cited = list(urls)
    extra = spec.citations - len(urls)
    if extra < 0:
        raise ValueError("fewer citations than unique URLs")
    cited.extend(urls[rng.randrange(len(urls))] for _ in range(extra))
    rng.shuffle(cited)
    return cited


def _prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words))


def _markdown(index: int, links: list[str], spec: CorpusSpec, rng: random.Random) -> str:
    out = [f"# Document {index}\n\n"]
    line: list[str] = []
    for n, url in enumerate(links):
        text = _prose(rng, spec.filler_words)
        if n % 5 == 4:
            line.append(f"{text} <{url}>.")
        else:
            line.append(f"{text} [{rng.choice(WORDS[:30])} {n}]({url}).")
        if len(line) == 4:
            out.append(" ".join(line) + "\n\n")
            line = []
    if line:
        out.append(" ".join(line) + "\n")
    return "".join(out)


def _html(index: int, links: list[str], spec: CorpusSpec, rng: random.Random) -> str:
    out = [f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Document {index}</title></head>\n<body>\n<h1>Document {index}</h1>\n"]
    line: list[str] = []
    for n, url in enumerate(links):
        line.append(f'{_prose(rng, spec.filler_words)} <a href="{url}">{rng.choice(WORDS[:30])} {n}</a>.')
        if len(line) == 4:
            out.append("<p>" + " ".join(line) + "</p>\n")
            line = []
    if line:
        out.append("<p>" + " ".join(line) + "</p>\n")
    out.append("</body></html>\n")
    return "".join(out)


def generate(spec: CorpusSpec, root: Path) -> Corpus:
    """Write the corpus under `root` (replacing it unless its manifest matches) and describe it."""
    manifest = root / "manifest.json"
    docs = root / "docs"
    if manifest.is_file():
        saved = json.loads(manifest.read_text())
        if saved.get("spec") == asdict(spec):
            return Corpus(spec, docs, saved["bytes"], saved["per_host"])
    if root.exists():
        shutil.rmtree(root)
    docs.mkdir(parents=True)
    rng = random.Random(spec.seed)
    urls, per_host = _urls(spec, rng)
    cited = _citations(spec, urls, rng)
    total = 0
    start = 0
    for index in range(spec.files):
        end = (index + 1) * len(cited) // spec.files
        links = cited[start:end]
        start = end
        folder = docs / f"d{index // FILES_PER_FOLDER:03d}"
        folder.mkdir(exist_ok=True)
        if index % 2 == 0:
            path, text = folder / f"f{index:05d}.md", _markdown(index, links, spec, rng)
        else:
            path, text = folder / f"f{index:05d}.html", _html(index, links, spec, rng)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    manifest.write_text(json.dumps({"spec": asdict(spec), "bytes": total, "per_host": per_host}, indent=1))
    return Corpus(spec, docs, total, per_host)
