"""Scholarly identifiers as URLs: `doi:10.…`, DOI resolver URLs and `arXiv:…` ids.

A bibliography cites `doi:10.1000/182` or `arXiv:2101.00001`; what we check is the
resolver URL. Every DOI spelling (`doi:`, `https://dx.doi.org/…`, `http://doi.org/…`)
becomes one URL on the configured resolver, so the same work cited two ways is checked
once. The report keeps the identifier as it was cited (`Location.cited_as`).
"""

from __future__ import annotations

import re
from urllib.parse import quote

DEFAULT_DOI_RESOLVER = "https://doi.org/"
ARXIV_ABS = "https://arxiv.org/abs/"

_DOI = re.compile(r"^(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_ARXIV = re.compile(
    r"^arxiv:\s*((?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)$", re.IGNORECASE
)


def identifier_url(target: str, doi_resolver: str = DEFAULT_DOI_RESOLVER) -> str | None:
    """The URL an identifier stands for, or None if `target` is not one we know."""
    text = target.strip()
    doi = _DOI.match(text)
    if doi:
        return doi_resolver.rstrip("/") + "/" + quote(doi.group(1), safe="/:;()._-<>[]~+")
    arxiv = _ARXIV.match(text)
    if arxiv:
        return ARXIV_ABS + arxiv.group(1)
    return None


def is_identifier(target: str) -> bool:
    """True for `doi:…` and `arXiv:…` forms, which a report shows as cited."""
    return target.strip().lower().startswith(("doi:", "arxiv:"))
