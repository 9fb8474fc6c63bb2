"""A token configured as a per-host header (from an environment variable) reaches its host
and appears nowhere afterwards: not in any report format, log, history or WARC file."""

import gzip
import os
import subprocess
import sys

from tests.farm import redirect, respond

TOKEN = "s3cr3t-T0KEN-4f9a1c"


def test_token_is_sent_and_never_stored(farm, tmp_path):
    site = farm.host().route("/private", respond(200, "<html><title>members</title><p>hi</p></html>"))
    site.route("/gone", respond(404)).route("/away", redirect(301, "/private"))
    other = farm.host(ip="127.0.0.2").route("/", respond(200))
    (tmp_path / "config.toml").write_text(
        '[hosts."127.0.0.1"]\nheaders = { Authorization = "Bearer ${DOCS_TOKEN}", X-Api-Key = "${DOCS_TOKEN}" }\n',
        encoding="utf-8",
    )
    (tmp_path / "docs.md").write_text(
        f"[a]({site.url('/private')}) [b]({site.url('/gone')}) [c]({site.url('/away')}) [d]({other.url('/')})\n", encoding="utf-8"
    )
    formats = ["json", "markdown", "html", "junit", "sarif", "github", "csv"]
    args = [sys.executable, "-m", "linkcheck", "check", "docs.md", "--archive", "--debug", "--log-file", "run.log", "--max-retries", "0"]
    for name in formats:
        args += ["--format", f"{name}:report.{name}"]
    environment = dict(os.environ, DOCS_TOKEN=TOKEN, LINKCHECK_NETWORK_PROBE_URLS="", LINKCHECK_NETWORK_ALLOW_PRIVATE="true")
    process = subprocess.run(args, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60)
    assert process.returncode == 1, process.stderr  # /gone is dead

    # It was sent, and only to its own host.
    private = [r for r in site.requests if r.path == "/private"]
    assert private and all(r.header("authorization") == f"Bearer {TOKEN}" and r.header("x-api-key") == TOKEN for r in private)
    assert all(r.header("authorization") is None and r.header("x-api-key") is None for r in other.requests)

    # And it is nowhere on disk or in the output.
    assert TOKEN not in process.stdout + process.stderr
    files = [path for path in tmp_path.rglob("*") if path.is_file() and path.name != "config.toml"]
    assert any(path.suffix == ".gz" for path in files) and (tmp_path / "run.log").exists()
    for path in files:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        assert TOKEN.encode() not in data, path
    warc = b"".join(gzip.decompress(path.read_bytes()) for path in files if path.name.endswith(".warc.gz"))
    assert b"Authorization: [redacted by linkcheck]" in warc and b"X-Api-Key: [redacted by linkcheck]" in warc
