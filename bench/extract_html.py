"""HTML link extraction alone, in process: MB/s of the fast scanner, of the reference
parser (`html.parser`), and of the HTML libraries that were candidates to replace them.

    python bench/extract_html.py              # on the HTML files of scenario (d)'s corpus
    python bench/extract_html.py DIR          # on the *.html files under DIR

Scenario (d) of `run.py` generates the corpus (bench/.work/corpora/extract/docs). Each
figure is the best of 5 passes over every file. selectolax (lexbor), lxml and resiliparse
are measured only where they are installed (they are not dependencies): each parses the
document and reads the URL attributes of the elements linkcheck reads; none of them
reports where an attribute value is in the source, so their figures are an upper bound of
what extraction with them would cost before positions are recovered.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from linkcheck.extract.html import find_links, reference_links, scan_links

CORPUS = HERE / ".work" / "corpora" / "extract" / "docs"
_SELECTOR = (
    "a[href], area[href], link[href], img[src], img[srcset], iframe[src], source[src], source[srcset],"
    " video[src], video[poster], audio[src], track[src], blockquote[cite], q[cite], del[cite], ins[cite],"
    " base[href], meta[http-equiv]"
)
_TAGS = ("a", "area", "link", "img", "iframe", "source", "video", "audio", "track", "blockquote", "q", "del", "ins", "base", "meta")


def best_rate(function: Callable[[object], object], documents: list, megabytes: float, passes: int = 5) -> float:
    times = []
    for _ in range(passes):
        started = time.perf_counter()
        for document in documents:
            function(document)
        times.append(time.perf_counter() - started)
    return megabytes / min(times)


def libraries() -> list[tuple[str, Callable[[object], object], bool]]:
    """(name, function, takes bytes) of each candidate library that is installed."""
    found: list[tuple[str, Callable[[object], object], bool]] = []
    try:
        from selectolax.lexbor import LexborHTMLParser

        found.append(("selectolax (lexbor)", lambda text: [n.attributes for n in LexborHTMLParser(text).css(_SELECTOR)], False))
    except ImportError:
        pass
    try:
        import lxml.html

        def with_lxml(data: bytes) -> list:
            root = lxml.html.document_fromstring(data)
            return [(element.sourceline, dict(element.attrib)) for element in root.iter(*_TAGS)]

        found.append(("lxml.html (line numbers only)", with_lxml, True))
    except ImportError:
        pass
    try:
        from resiliparse.parse.html import HTMLTree

        def with_resiliparse(data: bytes) -> list:
            tree = HTMLTree.parse_from_bytes(data, "utf-8")
            return [element.attrs for tag in _TAGS for element in tree.document.get_elements_by_tag_name(tag)]

        found.append(("resiliparse", with_resiliparse, True))
    except ImportError:
        pass
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else CORPUS
    paths = sorted(root.rglob("*.html"))
    if not paths:
        print(f"no *.html under {root}: run `python bench/run.py --scenarios d` first, or name a folder", file=sys.stderr)
        return 2
    raw = [path.read_bytes() for path in paths]
    texts = [data.decode("utf-8", errors="replace") for data in raw]
    megabytes = sum(map(len, raw)) / 1e6
    gave_up = sum(scan_links(text) is None for text in texts)
    print(f"Python {sys.version.split()[0]}; {megabytes:.1f} MB in {len(paths)} HTML files; the scanner gave up on {gave_up}")
    print(f"  find_links (scanner, reference where it gives up): {best_rate(find_links, texts, megabytes):7.1f} MB/s")
    print(f"  reference_links (html.parser) alone:                {best_rate(reference_links, texts, megabytes):7.1f} MB/s")
    for name, function, takes_bytes in libraries():
        passes = 1 if name == "resiliparse" else 5  # its element walk is slow: one pass is enough to see it
        print(f"  {name + ':':51}{best_rate(function, raw if takes_bytes else texts, megabytes, passes):7.1f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
