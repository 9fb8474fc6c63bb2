"""The HTML report: one self-contained file (inline CSS and JS, nothing fetched) to open anywhere.

A summary (verdict, totals, counts by status) and one table row per citation, rendered on
the server so the page reads without JavaScript: broken citations first, then drifted ones
(the page answers but has changed since it was archived), then the rest in document order.
Drift (similarity to the earlier capture, and since when) and the suggested archived copy
have columns of their own. The script adds sorting (click a column
header) and filtering (a status select and a free-text box); the filter state lives in the
URL fragment, so `report.html#status=dead&q=example.org` opens filtered, `#sort=-http` sorted
(and a status count in the summary is a link that applies its filter).

Safety: every value is escaped with `html.escape`; only plain `http(s)://` URLs become links; the
rows' data for the script is JSON inside `<script type="application/json">` with `<`, `>`
and `&` written as `\\u003c` … so `</script>` in a URL cannot end the element; and a
Content-Security-Policy allows only this file's own style and script (by hash) and no network
at all, so even a value that slipped through could neither run script nor phone home.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from typing import Any, TextIO

from linkcheck._version import __version__
from linkcheck.models import WARNING_STATUSES, Location, Report, Result, Status, iso_utc
from linkcheck.report import ReportOptions
from linkcheck.report.markdown import plural, since_previous
from linkcheck.report.rot_notes import drift_cell, is_broken, is_drifted, similarity, suggestion_facts, suggestion_url
from linkcheck.report.terminal import detail, safe

_COLUMNS = (
    ("file", "File"), ("where", "Where"), ("status", "Status"), ("http", "HTTP"), ("url", "URL"), ("detail", "Detail"),
    ("drift", "Drift"), ("copy", "Archived copy"),
)  # fmt: skip

_CSS = """
:root { color-scheme: light dark; --fg: #1f2328; --bg: #fff; --muted: #656d76; --line: #d0d7de;
  --head: #f6f8fa; --broken: #cf222e; --warning: #9a6700; --ok: #1a7f37; --other: #656d76; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #8d96a0;
  --line: #30363d; --head: #161b22; --broken: #ff7b72; --warning: #d29922; --ok: #3fb950; --other: #8d96a0; } }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 1.5rem; max-width: 100rem; color: var(--fg); background: var(--bg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.muted { color: var(--muted); }
.banner { border: 1px solid var(--warning); color: var(--warning); padding: .5rem .75rem; border-radius: 6px; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
thead th { background: var(--head); position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
#results { width: 100%; }
#results td.detail, #notices li { overflow-wrap: anywhere; }
#results td.url, #results td.file, #results td.copy { white-space: nowrap; } /* a URL or a path is never broken */
.scroll { overflow-x: auto; }
#results td.drift { white-space: nowrap; }
#results td.where { white-space: nowrap; }
th button { font: inherit; font-weight: 600; color: inherit; background: none; border: 0; padding: 0; cursor: pointer; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
.badge { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; padding: .05rem .4rem; border-radius: 1em;
  border: 1px solid currentColor; white-space: nowrap; }
.broken { color: var(--broken); } .warning { color: var(--warning); } .ok { color: var(--ok); } .other { color: var(--other); }
.controls { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; margin: .5rem 0; }
.controls input { min-width: 20rem; }
.controls select, .controls input { font: inherit; padding: .2rem .4rem; }
a { color: inherit; } a.badge { text-decoration: none; }
[hidden] { display: none !important; }
"""

_JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var table = document.getElementById("results");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var select = document.getElementById("status-filter");
  var box = document.getElementById("text-filter");
  var shown = document.getElementById("shown");
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var haystack = data.rows.map(function (item) {
    return [item.file, item.where, item.status, item.http === null ? "" : String(item.http), item.url, item.detail,
      item.drift, item.copy].join("\\n").toLowerCase();
  });
  var sort = { key: null, dir: 1 };

  function item(row) { return data.rows[Number(row.getAttribute("data-index"))]; }

  function apply() {
    var status = select.value, needle = box.value.trim().toLowerCase(), count = 0;
    rows.forEach(function (row) {
      var index = Number(row.getAttribute("data-index")), it = data.rows[index];
      var visible = (status === "" || status === it.status || status === it.kind || (status === "drifted" && it.drifted)) &&
        (needle === "" || haystack[index].indexOf(needle) !== -1);
      row.hidden = !visible;
      if (visible) { count += 1; }
    });
    shown.textContent = count + " of " + rows.length + " citations shown";
  }

  function compareValues(a, b) {
    if (a === b) { return 0; }
    if (a === null) { return 1; }
    if (b === null) { return -1; }
    if (Array.isArray(a)) {
      for (var i = 0; i < a.length; i += 1) {
        var c = compareValues(a[i], b[i]);
        if (c !== 0) { return c; }
      }
      return 0;
    }
    return a < b ? -1 : 1;
  }

  function applySort() {
    var key = sort.key, dir = sort.dir;
    rows.sort(function (x, y) {
      var a = item(x), b = item(y);
      var ka = key === "where" ? "position" : key === "drift" ? "similarity" : key;
      var c = key === null ? 0 : compareValues(a[ka], b[ka]);
      if (c === 0) { return a.order - b.order; }
      if (a[ka] === null || b[ka] === null) { return c; }
      return c * dir;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (th) {
      var key = th.getAttribute("data-key");
      th.setAttribute("aria-sort", key === sort.key ? (sort.dir === 1 ? "ascending" : "descending") : "none");
    });
  }

  function fromHash() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var status = params.get("status") || "";
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === status; });
    select.value = known ? status : "";
    box.value = params.get("q") || "";
    var key = params.get("sort");
    if (key) {
      sort.dir = key.charAt(0) === "-" ? -1 : 1;
      key = key.replace(/^[-+]/, "");
      sort.key = headers.some(function (th) { return th.getAttribute("data-key") === key; }) ? key : null;
    }
    applySort();
    apply();
  }

  function toHash() {
    var params = new URLSearchParams();
    if (select.value) { params.set("status", select.value); }
    if (box.value) { params.set("q", box.value); }
    if (sort.key) { params.set("sort", (sort.dir === -1 ? "-" : "") + sort.key); }
    try { window.history.replaceState(null, "", "#" + params.toString()); } catch (e) { /* file: URLs in some browsers */ }
  }

  select.addEventListener("change", function () { apply(); toHash(); });
  box.addEventListener("input", function () { apply(); toHash(); });
  headers.forEach(function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      sort.dir = sort.key === key ? -sort.dir : 1;
      sort.key = key;
      applySort();
      toHash();
    });
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
"""


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


#: Only this file's own style and script run; nothing is fetched (no network needed to view it).
_CSP = (
    f"default-src 'none'; style-src {_csp_hash(_CSS)}; script-src {_csp_hash(_JS)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def write(report: Report, stream: TextIO, options: ReportOptions) -> None:
    pairs = _citations(report, options)
    rows = [_row_data(order, location, result, options) for order, (location, result) in enumerate(pairs)]
    broken = [row for row in rows if row["kind"] == "broken"]
    broken_urls = len(report.broken(options.fail_on, drift=options.fail_on_drift))
    drifted = [result for result in report.results if is_drifted(result)]
    drifted_citations = sum(len(result.locations) for result in drifted)
    if broken:
        verdict = f"{plural(len(broken), 'broken citation')} ({plural(broken_urls, 'URL')})"
    else:
        verdict = "No broken citations"
    if drifted and not options.fail_on_drift:
        verdict += f"; {plural(drifted_citations, 'drifted citation')} ({plural(len(drifted), 'URL')})"
    heading_kind = "broken" if broken else "warning" if drifted else "ok"
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(_CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f'<meta name="generator" content="linkcheck {escape(__version__)}">',
        f"<title>linkcheck report: {escape(verdict)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<h1 class="{heading_kind}">linkcheck: {escape(verdict)}</h1>',
        (
            f'<p class="muted">{plural(report.unique_urls, "unique URL")}, {plural(report.links, "citation")}, '
            f'{plural(report.documents, "document")}; '
            f'checked from <time>{escape(iso_utc(report.started_at) or "")}</time> to '
            f'<time>{escape(iso_utc(report.finished_at) or "")}</time> by linkcheck {escape(__version__)}.</p>'
        ),
    ]
    if report.diff is not None:
        out.append(f'<p id="diff">{escape(since_previous(report.diff))}</p>')
    if report.interrupted:
        out.append('<p class="banner" id="interrupted"><strong>Interrupted:</strong> the run was stopped early; these results are partial.</p>')
    out.append("</header>")
    out += _summary(report, pairs, options)
    if report.notices:
        out.append("<h2>Notices</h2>")
        out.append('<ul id="notices">')
        out += [f"<li><code>{escape(safe(notice.path))}</code>: {escape(safe(notice.message))}</li>" for notice in report.notices]
        out.append("</ul>")
    out += _results_table(report, rows)
    hidden = ("href", "copy_href")
    out.append(f'<script type="application/json" id="report-data">{script_json({"rows": [{k: v for k, v in row.items() if k not in hidden} for row in rows]})}</script>')
    out.append(f"<script>{_JS}</script>")
    out += ["</body>", "</html>"]
    stream.write("\n".join(out) + "\n")


def script_json(value: Any) -> str:
    """JSON safe to put inside a `<script>` element: no `<`, `>` or `&` appears literally."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _citations(report: Report, options: ReportOptions) -> list[tuple[Location | None, Result]]:
    """One (location, result) pair per citation (a result cited nowhere once): broken first,
    then drifted, then the rest; each group in document order."""
    pairs = [(location, result) for result in report.results for location in (result.locations if result.locations else [None])]
    return sorted(pairs, key=lambda pair: (_group(pair[1], options), pair[0].sort_key() if pair[0] else ("",), pair[1].url))


def _group(result: Result, options: ReportOptions) -> int:
    if is_broken(result, options.fail_on, options.fail_on_drift):
        return 0
    return 1 if is_drifted(result) else 2


def _kind(status: Status, options: ReportOptions) -> str:
    if status in options.fail_on:
        return "broken"
    if status in WARNING_STATUSES:
        return "warning"
    return "ok" if status is Status.OK else "other"


def _result_kind(result: Result, options: ReportOptions) -> str:
    """The status's kind; a drifted page is a warning, or broken under --fail-on drift."""
    if is_broken(result, options.fail_on, options.fail_on_drift):
        return "broken"
    return "warning" if is_drifted(result) else _kind(result.status, options)


def _row_data(order: int, location: Location | None, result: Result, options: ReportOptions) -> dict[str, Any]:
    """What a row shows (already made printable) plus what the script sorts by."""
    return {
        "order": order,
        "file": safe(location.file) if location else "",
        "where": safe(location.where()) if location else "",
        "position": list(location.sort_key()[1:]) if location else [],
        "status": result.status.value,
        "kind": _result_kind(result, options),
        "drifted": is_drifted(result),
        "http": result.http_status,
        "url": safe(result.url),
        "detail": safe(detail(result, rot=False)),
        "drift": safe(drift_cell(result)),
        "similarity": similarity(result),
        "copy": safe(suggestion_url(result) or ""),
        "copy_facts": safe(suggestion_facts(result)),
        "href": result.url if _linkable(result.url) else None,
        "copy_href": copy if (copy := suggestion_url(result)) and _linkable(copy) else None,
    }


def _linkable(url: str) -> bool:
    """Only plain http(s) URLs become links (no `javascript:`, no control characters or spaces)."""
    return url.lower().startswith(("http://", "https://")) and all(ch.isprintable() and not ch.isspace() for ch in url)


def _summary(report: Report, pairs: list[tuple[Location | None, Result]], options: ReportOptions) -> list[str]:
    citations: dict[str, int] = {}
    for location, result in pairs:
        if location is not None:
            citations[result.status.value] = citations.get(result.status.value, 0) + 1
    out = ["<h2>Summary</h2>", '<table id="summary">', "<thead><tr>"]
    out.append('<th scope="col">Status</th><th scope="col" class="num">URLs</th><th scope="col" class="num">Citations</th><th scope="col">Counts as</th>')
    out.append("</tr></thead>")
    out.append("<tbody>")
    for value, count in report.by_status().items():
        kind = _kind(Status(value), options)
        label = kind if kind in ("broken", "warning") else ""
        out.append(
            f'<tr data-status="{value}"><td><a class="badge {kind}" href="#status={value}">{value}</a></td>'
            f'<td class="num">{count}</td><td class="num">{citations.get(value, 0)}</td><td>{label}</td></tr>'
        )
    drifted = [result for result in report.results if is_drifted(result)]
    if drifted:
        kind = "broken" if options.fail_on_drift else "warning"
        out.append(
            f'<tr data-status="drifted"><td><a class="badge {kind}" href="#status=drifted">drifted</a></td>'
            f'<td class="num">{len(drifted)}</td><td class="num">{sum(len(result.locations) for result in drifted)}</td><td>{kind}</td></tr>'
        )
    out.append("</tbody></table>")
    return out


def _results_table(report: Report, rows: list[dict[str, Any]]) -> list[str]:
    present = report.by_status()
    options = [
        '<option value="">all statuses</option>', '<option value="broken">broken</option>', '<option value="warning">warnings</option>',
        '<option value="drifted">drifted</option>',
    ]  # fmt: skip
    options += [f'<option value="{status.value}">{status.value} ({present.get(status.value, 0)})</option>' for status in Status]
    out = [
        "<h2>Citations</h2>",
        '<div class="controls">',
        f'<label>Status <select id="status-filter">{"".join(options)}</select></label>',
        '<label>Filter <input id="text-filter" type="search" placeholder="file, URL or error" autocomplete="off"></label>',
        f'<span id="shown" class="muted" aria-live="polite">{len(rows)} of {len(rows)} citations shown</span>',
        "</div>",
        '<div class="scroll"><table id="results">',
        "<thead><tr>",
    ]
    numeric = ' class="num"'
    out += [
        f'<th scope="col" data-key="{key}" aria-sort="none"{numeric if key == "http" else ""}><button type="button">{label}</button></th>'
        for key, label in _COLUMNS
    ]
    out += ["</tr></thead>", "<tbody>"]
    for index, row in enumerate(rows):
        url = escape(row["url"])
        link = f'<a href="{escape(row["href"])}" rel="noopener noreferrer nofollow">{url}</a>' if row["href"] else url
        http = "" if row["http"] is None else str(row["http"])
        copy = escape(row["copy"])
        if row["copy_href"]:
            copy = f'<a href="{escape(row["copy_href"])}" rel="noopener noreferrer nofollow">{copy}</a>'
        if row["copy_facts"]:
            copy += f' <span class="muted">({escape(row["copy_facts"])})</span>'
        drifted = ' data-drifted="true"' if row["drifted"] else ""
        out.append(
            f'<tr data-index="{index}" data-status="{escape(row["status"])}" data-kind="{row["kind"]}"{drifted}>'
            f'<td class="file">{escape(row["file"])}</td><td class="where">{escape(row["where"])}</td>'
            f'<td><span class="badge {row["kind"]}">{escape(row["status"])}</span></td><td class="num">{http}</td>'
            f'<td class="url">{link}</td><td class="detail">{escape(row["detail"])}</td>'
            f'<td class="drift">{escape(row["drift"])}</td><td class="copy">{copy}</td></tr>'
        )
    out += ["</tbody>", "</table></div>"]
    if not rows:
        out.append('<p class="muted">Nothing was checked.</p>')
    out.append('<noscript><p class="muted">Sorting and filtering need JavaScript; every citation is listed above.</p></noscript>')
    return out
