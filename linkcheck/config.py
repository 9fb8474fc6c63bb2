"""Settings: defaults < config.toml < environment (`LINKCHECK_SECTION_KEY`) < command-line flags.

The composition root: each stage owns its options type and its defaults
(`check.options`, `read_options`, `archive.options`, `rot.options`); this module reads
config.toml, the environment and the flags and composes them into one `Settings`. No
stage imports it. Unknown keys and wrong types are a `ConfigError` that names the key and
where it came from, so a typo never silently does nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkcheck.archive.options import (  # noqa: F401 - the defaults are quoted from here too
    CAPTURE_MODES,
    DEFAULT_ARCHIVE_DIR,
    DEFAULT_CAPTURE_MODE,
    DEFAULT_CAPTURE_POLICY,
    DEFAULT_CAPTURE_TIMEOUT,
    DEFAULT_LOCK_TIMEOUT,
    DEFAULT_MAX_REQUISITE_BYTES,
    DEFAULT_MAX_REQUISITES,
    DEFAULT_MAX_RESOURCE_BYTES,
)
from linkcheck.archive.options import (
    DEFAULT_CONTENT_TYPE_LIST as DEFAULT_CONTENT_TYPES,
)
from linkcheck.check.options import (  # noqa: F401
    DEFAULT_ACCEPT,
    DEFAULT_ALLOW_PRIVATE,
    DEFAULT_ANCHOR_BODY_LIMIT,
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_GET_BODY_LIMIT,
    DEFAULT_HOST_CONCURRENCY,
    DEFAULT_HOST_INTERVAL,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_DECOMPRESSION_RATIO,
    DEFAULT_MAX_HEADERS,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_PROBE_URLS,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRIES,
    DEFAULT_RETRY_AFTER_MAX,
    DEFAULT_URL_TIMEOUT,
    DEFAULT_USER_AGENT,
    CheckSettings,
    NetworkSettings,
    parse_status_range,
)
from linkcheck.durations import parse_duration
from linkcheck.errors import ConfigError
from linkcheck.fields import setting as _setting
from linkcheck.models import DEFAULT_FAIL_ON, Status
from linkcheck.read_options import (  # noqa: F401
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_MAX_URL_LENGTH,
    FilesSettings,
    UrlSettings,
)
from linkcheck.rot.options import (
    DEFAULT_DRIFT_THRESHOLD,
    DEFAULT_MEMENTO_TIMEGATE,
    DEFAULT_PROBE_SIMILARITY,
    DEFAULT_WAYBACK_API,
)

if TYPE_CHECKING:
    from linkcheck.archive.options import CaptureOptions

DEFAULT_CONFIG_FILE = "config.toml"
ENV_PREFIX = "LINKCHECK_"

DEFAULT_RESUME_WITHIN = 3600.0
DEFAULT_FAIL_ON_NAMES = sorted(status.value for status in DEFAULT_FAIL_ON)


@dataclass
class ReportSettings:
    format: list[str] = _setting(["terminal"], "list[str]", "report formats, FMT or FMT:FILE")
    output: str = _setting("", "str", "file for a single report format; empty is stdout")
    fail_on: list[str] = _setting(DEFAULT_FAIL_ON_NAMES, "statuses", "statuses that make the run fail (exit 1)")
    verbose: bool = _setting(False, "bool", "list every result, not only those that need attention")
    host_stats: bool = _setting(False, "bool", "print per-host requests, retries, 429s and mean latency (stderr)")


@dataclass
class HistorySettings:
    enabled: bool = _setting(True, "bool", "record every check in the archive folder's history (needed for the diff, cache and confirmation)")
    max_age: float = _setting(0.0, "duration", "reuse a live result younger than this instead of requesting again (0: never)")
    max_age_broken: float = _setting(0.0, "duration", "reuse a broken result younger than this (0: always re-check broken links)")
    resume_within: float = _setting(DEFAULT_RESUME_WITHIN, "duration", "after an interrupted run, reuse its verdicts younger than this (0: never)")
    confirm: str = _setting("", "confirm", "count a failure as broken only after N checks over a span, e.g. 3/72h (empty: at once)")
    url: str = _setting("", "str", "keep the history in PostgreSQL instead, e.g. postgresql://user@db.example/linkcheck (needs linkcheck[postgres]; empty: SQLite in the archive folder)")


@dataclass
class ArchiveSettings:
    path: str = _setting(DEFAULT_ARCHIVE_DIR, "str", "the archive folder: WARC snapshots, their index and the run history")
    url: str = _setting("", "archive_url", "s3://BUCKET/PREFIX keeps the WARC files and their CDXJ index in an S3 bucket (boto3, the AWS environment; AWS_ENDPOINT_URL for S3-compatible servers); the folder keeps the lock, catalog and history (empty: all in the folder)")
    lock_timeout: float = _setting(DEFAULT_LOCK_TIMEOUT, "duration", "how long a run waits for another run using the same archive folder")
    enabled: bool = _setting(False, "bool", "capture every live citation into the archive during check (--archive)")
    policy: str = _setting(DEFAULT_CAPTURE_POLICY, "policy", "when to capture again: always (unchanged pages as revisit records), changed, older-than:7d")
    capture: str = _setting(DEFAULT_CAPTURE_MODE, "capture", "how a page is captured: http (one GET per hop) or browser (headless Chromium: every response the page makes and a screenshot; needs linkcheck[browser] and chromium)")
    requisites: bool = _setting(False, "bool", "also capture the stylesheets, images and scripts a page needs")
    max_requisites: int = _setting(DEFAULT_MAX_REQUISITES, "int0", "requisites captured per page at most")
    max_requisite_bytes: int = _setting(DEFAULT_MAX_REQUISITE_BYTES, "int0", "bytes of requisites kept per page at most")
    max_resource_bytes: int = _setting(DEFAULT_MAX_RESOURCE_BYTES, "int0", "bytes kept of one body; a longer one is cut and marked WARC-Truncated")
    content_types: list[str] = _setting(DEFAULT_CONTENT_TYPES, "list[str]", "media types captured as pages (type/* for a family, */* for all)")
    capture_timeout: float = _setting(DEFAULT_CAPTURE_TIMEOUT, "duration", "time for one capture, all hops")
    replay_url: str = _setting("", "str", "base of a wayback-style replay of this archive (pywb: http://localhost:8080/archive); fix links local captures as BASE/TIMESTAMP/URL (empty: it does not link them)")


@dataclass
class RotSettings:
    soft404: bool = _setting(True, "bool", "judge pages that answer 200: \"not found\" pages and deep links sent home are soft404")
    soft404_probe: bool = _setting(True, "bool", "request one made-up sibling URL per host and URL shape to see how the site answers the unknown")
    soft404_similarity: float = _setting(DEFAULT_PROBE_SIMILARITY, "fraction", "a page this similar to the made-up sibling's is a soft 404")
    soft404_skip_hosts: list[str] = _setting([], "list[str]", "hosts (and their subdomains) never judged as soft 404")
    drift: bool = _setting(True, "bool", "compare a live page with its earlier capture in the archive (content drift)")
    drift_threshold: float = _setting(DEFAULT_DRIFT_THRESHOLD, "fraction", "below this text similarity a page has drifted; --fail-on drift fails on it")
    suggestions: bool = _setting(True, "bool", "find an archived copy for broken and drifted citations")
    offline_suggestions: bool = _setting(False, "bool", "look only in the local archive and the documents' own archive links, not in online services")
    memento_timegate: str = _setting(DEFAULT_MEMENTO_TIMEGATE, "str", "Memento TimeGate asked for archived copies (empty: off)")
    wayback_api: str = _setting(DEFAULT_WAYBACK_API, "str", "Wayback Machine availability API asked next (empty: off)")


@dataclass
class HostSettings:
    """Per-host overrides, `[hosts."docs.example.org"]`, as lychee has them."""

    concurrency: int | None = _setting(None, "int+", "requests in flight at once to this host")
    interval: float | None = _setting(None, "duration", "minimum time between requests to this host")
    headers: dict[str, str] = field(default_factory=dict, metadata={"kind": "headers", "help": "extra headers; ${VAR} expands from the environment"})


@functools.lru_cache(maxsize=16)
def _statuses(names: tuple[str, ...]) -> frozenset[Status]:
    """`report.fail_on` as statuses; asked once per result, so built once per setting."""
    return frozenset(Status(name) for name in names if name != "drift")


@dataclass
class Settings:
    """Everything a run needs to know, typed; build it with `load_settings`."""

    files: FilesSettings = field(default_factory=FilesSettings)
    urls: UrlSettings = field(default_factory=UrlSettings)
    check: CheckSettings = field(default_factory=CheckSettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    history: HistorySettings = field(default_factory=HistorySettings)
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    rot: RotSettings = field(default_factory=RotSettings)
    hosts: dict[str, HostSettings] = field(default_factory=dict)

    @property
    def fail_on(self) -> frozenset[Status]:
        return _statuses(tuple(self.report.fail_on))

    @property
    def fail_on_drift(self) -> bool:
        """`--fail-on drift`: a drifted citation fails the run (by default it is only reported)."""
        return "drift" in self.report.fail_on

    def host(self, hostname: str) -> HostSettings:
        """The per-host overrides for `hostname` (empty when none are configured)."""
        return self.hosts.get(hostname.lower(), _NO_HOST_OVERRIDES)

    def host_limits(self, hostname: str) -> tuple[int, float]:
        """(concurrency, interval) for one host: its `[hosts]` table, else the `[check]` defaults."""
        override = self.host(hostname)
        concurrency = override.concurrency if override.concurrency is not None else self.check.host_concurrency
        interval = override.interval if override.interval is not None else self.check.host_interval
        return concurrency, interval

    def host_headers(self, hostname: str) -> dict[str, str]:
        """`check.headers` (every host) and the configured headers of exactly this host (which
        win), `${VAR}` expanded; a host's own headers are never sent elsewhere."""
        headers = {}
        for item in self.check.headers:
            name, _, value = item.partition(":")
            headers[name.strip()] = expand_env(value.strip())
        headers.update({name: expand_env(value) for name, value in self.host(hostname).headers.items()})
        return headers

    def archive_store(self, *, slot: Any = None, on_message: Any = None) -> Any:
        """The run's `Archive`, wired once from `[archive]` (folder, S3 URL, policy, limits)
        and the per-host headers; `slot` is the checker's politeness limiter, if any."""
        from linkcheck.archive import Archive
        from linkcheck.check.guard import AddressPolicy

        archive = self.archive
        return Archive(
            archive.path,
            policy=archive.policy,
            options=self.capture_options(),
            lock_timeout=archive.lock_timeout,
            on_message=on_message,
            slot=slot,
            headers_for=self.host_headers,
            storage_url=archive.url or None,
            address_policy=AddressPolicy(allow_private=self.network.allow_private, allow=tuple(self.network.allow)),
        )

    def capture_options(self) -> CaptureOptions:
        from linkcheck.archive.options import CaptureOptions

        archive = self.archive
        return CaptureOptions(
            max_resource_bytes=archive.max_resource_bytes,
            content_types=tuple(archive.content_types),
            timeout=archive.capture_timeout,
            requisites=archive.requisites,
            max_requisites=archive.max_requisites,
            max_requisite_bytes=archive.max_requisite_bytes,
            max_redirects=self.check.max_redirects,
            capture=archive.capture,
        )


_NO_HOST_OVERRIDES = HostSettings()
_SECTIONS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "hosts"}


def load_settings(
    config_file: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    search_dir: Path | None = None,
) -> Settings:
    """Build the settings from every layer.

    `config_file` is an explicit file (must exist); otherwise `config.toml` in `search_dir`
    (default: the current folder) is read if present. `overrides` are dotted keys from
    flags, e.g. `{"check.max_concurrency": 8}`; None values are ignored.
    """
    settings = Settings()
    path = _config_path(config_file, search_dir)
    if path is not None:
        _apply_mapping(settings, _read_toml(path), source=str(path))
    _apply_environment(settings, os.environ if environ is None else environ)
    for dotted, value in (overrides or {}).items():
        if value is not None:
            section, _, key = dotted.partition(".")
            _set(settings, section, key, value, source="command line")
    environment = os.environ if environ is None else environ
    if not settings.check.github_token and environment.get("GITHUB_TOKEN"):
        settings.check.github_token = environment["GITHUB_TOKEN"]  # what every GitHub Action has
    for host in settings.hosts.values():
        for value in host.headers.values():
            expand_env(value, environment)  # fail now, not in the middle of a run
    return settings


def _config_path(config_file: str | os.PathLike[str] | None, search_dir: Path | None) -> Path | None:
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        return path
    candidate = (search_dir or Path.cwd()) / DEFAULT_CONFIG_FILE
    return candidate if candidate.is_file() else None


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # here: a run without a config file does not pay for the parser

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _apply_mapping(settings: Settings, data: Mapping[str, Any], source: str) -> None:
    for section, values in data.items():
        if section == "hosts":
            _apply_hosts(settings, values, source)
            continue
        if section not in _SECTIONS:
            raise ConfigError(f"{source}: unknown section [{section}] (known: {', '.join(sorted([*_SECTIONS, 'hosts']))})")
        if not isinstance(values, Mapping):
            raise ConfigError(f"{source}: [{section}] must be a table")
        for key, value in values.items():
            _set(settings, section, key, value, source)


def _apply_hosts(settings: Settings, hosts: Any, source: str) -> None:
    if not isinstance(hosts, Mapping):
        raise ConfigError(f"{source}: [hosts] must be a table of host names")
    for name, values in hosts.items():
        if not isinstance(values, Mapping):
            raise ConfigError(f'{source}: [hosts."{name}"] must be a table')
        host = settings.hosts.setdefault(name.lower(), HostSettings())
        for key, value in values.items():
            _set_field(host, f'hosts."{name}".{key}', key, value, source)


def _apply_environment(settings: Settings, environ: Mapping[str, str]) -> None:
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX):].lower()
        section, _, key = rest.partition("_")
        if section not in _SECTIONS:
            continue  # LINKCHECK_* variables we do not own (e.g. tokens for headers) are not errors
        _set(settings, section, key, value, source=f"environment variable {name}")


def _set(settings: Settings, section: str, key: str, value: Any, source: str) -> None:
    if section not in _SECTIONS:
        raise ConfigError(f"{source}: unknown section [{section}]")
    _set_field(getattr(settings, section), f"{section}.{key}", key, value, source)


def _set_field(target: Any, dotted: str, key: str, value: Any, source: str) -> None:
    fields = {f.name: f for f in dataclasses.fields(target)}
    if key not in fields:
        known = ", ".join(sorted(fields))
        raise ConfigError(f"{source}: unknown key {dotted!r} (known in this section: {known})")
    try:
        coerced = coerce(fields[key].metadata["kind"], value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: {dotted}: {exc}") from None
    setattr(target, key, coerced)


def coerce(kind: str, value: Any) -> Any:
    """Turn a TOML, environment or flag value into the setting's type, or raise ValueError."""
    from_text = isinstance(value, str)
    if kind in ("int+", "int0"):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(f"expected a whole number, got {_describe(value)}")
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"expected a whole number, got {value!r}") from None
        if number < (1 if kind == "int+" else 0):
            raise ValueError(f"must be at least {1 if kind == 'int+' else 0}, got {number}")
        return number
    if kind == "fraction":
        return _number(value, 0.0, 1.0, "a number between 0 and 1")
    if kind == "ratio":
        return _number(value, 1.0, float("inf"), "a number of at least 1")
    if kind == "duration":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise TypeError(f"expected a duration such as 500ms or 2s, got {_describe(value)}")
        return parse_duration(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if from_text and value.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if from_text and value.strip().lower() in ("0", "false", "no", "off", ""):
            return False
        raise TypeError(f"expected true or false, got {_describe(value)}")
    if kind == "str":
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {_describe(value)}")
        return value
    if kind == "archive_url":
        from linkcheck.archive.storage import parse_s3_url

        if not isinstance(value, str):
            raise TypeError(f"expected s3://BUCKET/PREFIX, got {_describe(value)}")
        if value.strip():
            parse_s3_url(value.strip())
        return value.strip()
    if kind == "capture":
        if not isinstance(value, str) or value.strip().lower() not in CAPTURE_MODES:
            raise ValueError(f"expected {' or '.join(repr(mode) for mode in CAPTURE_MODES)}, got {value!r}")
        return value.strip().lower()
    if kind == "method":
        if not isinstance(value, str) or value.lower() not in ("head", "get"):
            raise ValueError(f"expected \"head\" or \"get\", got {value!r}")
        return value.lower()
    if kind == "policy":
        from linkcheck.archive.options import CapturePolicy

        if not isinstance(value, str):
            raise TypeError(f"expected always, changed or older-than:DURATION, got {_describe(value)}")
        CapturePolicy.parse(value)
        return value
    if kind == "confirm":
        from linkcheck.confirm import ConfirmRule

        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise TypeError(f"expected a rule such as \"3/72h\", got {_describe(value)}")
        ConfirmRule.parse(str(value))
        return str(value)
    if kind == "headers":
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            raise TypeError("expected a table of header names to string values")
        return dict(value)
    items = _as_list(value)
    if kind == "list[str]":
        return items
    if kind == "list[header]":
        for item in items:
            name, colon, _ = item.partition(":")
            if not colon or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name.strip()):
                raise ValueError(f"{item!r} is not a header: expected \"Name: value\"")
        return items
    if kind == "list[remap]":
        for item in items:
            parts = item.split()
            if len(parts) != 2:
                raise ValueError(f"{item!r}: expected \"REGEX REPLACEMENT\" (two words)")
            try:
                re.compile(parts[0])
            except re.error as exc:
                raise ValueError(f"{parts[0]!r} is not a valid regular expression: {exc}") from None
        return items
    if kind == "list[regex]":
        for pattern in items:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from None
        return items
    if kind == "status_ranges":
        for item in items:
            parse_status_range(item)
        return items
    if kind == "statuses":
        known = {status.value for status in Status} | {"drift"}
        unknown = [item for item in items if item not in known]
        if unknown:
            raise ValueError(f"unknown status {unknown[0]!r} (known: {', '.join(sorted(known))})")
        return items
    raise AssertionError(f"no coercion for kind {kind}")


def _number(value: Any, low: float, high: float, wanted: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"expected {wanted}, got {_describe(value)}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"expected {wanted}, got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"expected {wanted}, got {number:g}")
    return number


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                raise TypeError(f"expected a list of strings, found {_describe(item)}")
            out.append(str(item))
        return out
    raise TypeError(f"expected a list, got {_describe(value)}")


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def expand_env(text: str, environ: Mapping[str, str] | None = None) -> str:
    """Expand `${VAR}` from the environment (for per-host header values); unset is an error."""
    env = os.environ if environ is None else environ

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise ConfigError(f"environment variable {name} is not set (used in a [hosts] header)")
        return env[name]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", substitute, text)


def settings_reference() -> list[tuple[str, Any, str]]:
    """(dotted key, default, help) for every setting: the source of the README table and config.toml."""
    rows = []
    defaults = Settings()
    for section in _SECTIONS:
        obj = getattr(defaults, section)
        for f in dataclasses.fields(obj):
            rows.append((f"{section}.{f.name}", getattr(obj, f.name), f.metadata["help"]))
    for f in dataclasses.fields(HostSettings):
        rows.append((f'hosts."NAME".{f.name}', None, f.metadata["help"]))
    return rows


def render_config_toml() -> str:
    """The documented default `config.toml`: every setting, its default and what it does.

    The shipped file is generated from here (a test keeps them equal), so defaults are
    written once.
    """
    from linkcheck.durations import format_duration

    lines = [
        "# linkcheck configuration. Every setting is shown with its default, commented out.",
        "# Precedence: defaults < this file (./config.toml or --config FILE) < environment",
        "# variables LINKCHECK_<SECTION>_<KEY> (e.g. LINKCHECK_CHECK_MAX_CONCURRENCY=8) < flags.",
        "# Durations: 500ms, 10s, 2m, 72h, 7d. Unknown keys are an error (exit 2).",
    ]
    defaults = Settings()
    for section in _SECTIONS:
        lines += ["", f"[{section}]"]
        obj = getattr(defaults, section)
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            kind = f.metadata["kind"]
            lines.append(f"# {f.metadata['help']}")
            lines.append(f"# {f.name} = {_toml_value(format_duration(value) if kind == 'duration' else value)}")
    lines += [
        "",
        "# Per-host overrides, as lychee has them. Header values expand ${VAR} from the",
        "# environment, so tokens stay out of this file; they are sent to this host only.",
        '# [hosts."docs.example.org"]',
    ]
    for f in dataclasses.fields(HostSettings):
        example = {"concurrency": "2", "interval": '"500ms"', "headers": '{ Authorization = "Bearer ${DOCS_TOKEN}" }'}[f.name]
        lines += [f"# {f.metadata['help']}", f"# {f.name} = {example}"]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_settings_table() -> str:
    """The README's configuration reference (Markdown), generated like `config.toml`."""
    from linkcheck.durations import format_duration

    rows = ["| key | default | environment variable | what it does |", "| --- | --- | --- | --- |"]
    defaults = Settings()
    for section in _SECTIONS:
        obj = getattr(defaults, section)
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            shown = _toml_value(format_duration(value) if f.metadata["kind"] == "duration" else value)
            rows.append(
                f"| `{section}.{f.name}` | `{shown}` | `{ENV_PREFIX}{section.upper()}_{f.name.upper()}` "
                f"| {f.metadata['help'].replace('|', '/')} |"
            )
    rows += [
        '| `hosts."NAME".concurrency` | `check.host_concurrency` | — | requests in flight at once to this host |',
        '| `hosts."NAME".interval` | `check.host_interval` | — | minimum time between requests to this host |',
        '| `hosts."NAME".headers` | `{}` | — | extra headers for this host only; `${VAR}` expands from the environment |',
    ]
    return "\n".join(rows) + "\n"


def regenerate_docs(root: Path) -> None:
    """Rewrite `config.toml` and the README's settings table from the defaults above."""
    (root / "config.toml").write_text(render_config_toml(), encoding="utf-8")
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- settings:start -->\n", "<!-- settings:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    readme.write_text(head + start + render_settings_table() + end + tail, encoding="utf-8")
