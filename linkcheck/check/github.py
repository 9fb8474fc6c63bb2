"""GitHub links through GitHub's API, with a token: what lychee users ask for most after
walls (github.com answers a checker 429 after a few dozen requests; the API, authenticated,
allows 5,000 an hour and says plainly whether a repository, file or issue exists).

Only the shapes the API answers are rewritten: a repository, a file or folder at a ref
(`/blob/REF/PATH`, `/tree/REF/PATH`), an issue or pull request. Everything else on
github.com is checked as any page. The token goes to the API host only, in the
`Authorization` header, and never into a report, a log or the archive.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote, urlsplit

DEFAULT_GITHUB_API = "https://api.github.com"
GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
#: Paths under github.com that are not `OWNER/REPO`.
_NOT_OWNERS = frozenset(
    {"about", "apps", "blog", "collections", "contact", "customer-stories", "enterprise", "events", "explore",
     "features", "issues", "login", "marketplace", "new", "notifications", "orgs", "pricing", "pulls", "search",
     "settings", "site", "sponsors", "topics", "trending", "users"}
)  # fmt: skip
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def api_url(url: str, api: str = DEFAULT_GITHUB_API) -> str | None:
    """The API address that answers whether `url` exists, or None for another page."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in GITHUB_HOSTS:
        return None
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if len(segments) < 2 or segments[0].lower() in _NOT_OWNERS or not all(_NAME.match(s) for s in segments[:2]):
        return None
    owner, repo = segments[0], segments[1].removesuffix(".git")
    base = f"{api.rstrip('/')}/repos/{quote(owner)}/{quote(repo)}"
    rest = segments[2:]
    if not rest:
        return base
    if rest[0] in ("blob", "tree") and len(rest) >= 2:
        ref, path = rest[1], "/".join(rest[2:])
        return f"{base}/contents/{quote(path)}?ref={quote(ref, safe='')}"
    if rest[0] in ("issues", "pull") and len(rest) == 2 and rest[1].isdigit():
        return f"{base}/issues/{rest[1]}"
    return None


def moved_to(body: bytes | None) -> str | None:
    """The `html_url` of an API answer (where a renamed repository lives now), if any."""
    if not body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    found = data.get("html_url") if isinstance(data, dict) else None
    return found if isinstance(found, str) else None


def api_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
