"""An archive on S3 (`archive.url = "s3://bucket/prefix"`), against an in-process S3
server (moto's ThreadedMotoServer on 127.0.0.1, stopped at the end): captures from the
loopback farm go to the bucket as multipart uploads, the bytes read back are the bytes
written, `archive verify` and `export` read the bucket by byte range, and a pywb-style
lookup (URL + timestamp in the CDXJ) finds the captured body."""

from __future__ import annotations

import asyncio
import io
import json
import os
import secrets
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto.server")
from moto.server import ThreadedMotoServer  # noqa: E402
from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from linkcheck.archive import Archive, verify_archive  # noqa: E402
from linkcheck.archive import s3 as s3_module  # noqa: E402
from linkcheck.archive.browse import replay_lookup, show_capture  # noqa: E402
from linkcheck.archive.export import export_wacz  # noqa: E402
from linkcheck.archive.index import Catalog, cdxj_lines  # noqa: E402
from linkcheck.config import load_settings  # noqa: E402
from linkcheck.errors import ConfigError  # noqa: E402
from tests.farm import redirect, respond, sequence  # noqa: E402

PAGE = b"<html><head><title>Kept in a bucket</title></head><body><p>The cited claim.</p></body></html>"
FIRST = b"<html><head><title>First</title></head><body>as it was in January</body></html>"
SECOND = b"<html><head><title>Second</title></head><body>as it was in June</body></html>"
JANUARY = datetime(2026, 1, 15, 12, 0, 0, tzinfo=timezone.utc)
JUNE = datetime(2026, 6, 15, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def s3_endpoint():
    """One moto S3 server on a free loopback port for the module, stopped at the end."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint, monkeypatch, tmp_path):
    """The standard AWS environment pointed at the moto server, and a fresh bucket."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    name = f"cites-{secrets.token_hex(4)}"
    client = boto3.client("s3")
    client.create_bucket(Bucket=name)
    return client, name


def capture(folder: Path, urls: list[str], storage_url: str, **options) -> list:
    async def run() -> list:
        async with httpx.AsyncClient() as client, Archive(folder, storage_url=storage_url, **options) as archive:
            return [await archive.capture(client, url) for url in urls]

    return asyncio.run(run())


def objects(client, bucket: str) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listing}


def test_captures_are_uploaded_and_read_back_byte_for_byte(farm, bucket, tmp_path, monkeypatch):
    client, name = bucket
    site = farm.host()
    big = secrets.token_bytes(6 * 1024 * 1024)  # incompressible: the WARC file passes 5 MiB
    site.route("/page", respond(200, PAGE)).route("/moved", redirect(301, "/page"))
    site.route("/data.txt", respond(200, big, {"Content-Type": "text/plain"}))
    monkeypatch.setattr(s3_module, "PART_BYTES", 5 * 1024 * 1024)  # S3's least part: two parts here
    written: dict[str, bytes] = {}
    publish = s3_module.S3Storage.publish

    def keep_a_copy(self, path):
        written[path.name] = path.read_bytes()  # the bytes as the writer closed them
        publish(self, path)

    monkeypatch.setattr(s3_module.S3Storage, "publish", keep_a_copy)
    folder = tmp_path / "cache"

    captures = capture(folder, [site.url("/moved"), site.url("/data.txt")], f"s3://{name}/linkcheck/cites")

    assert all(captures), captures
    assert captures[0].final_url == site.url("/page")
    stored = objects(client, name)
    (warc_name,) = written
    key = f"linkcheck/cites/archive/{warc_name}"
    assert set(stored) == {key, "linkcheck/cites/indexes/index.cdxj"}
    assert stored[key] == written[warc_name]  # WARC bytes read back equal what was written
    assert client.head_object(Bucket=name, Key=key)["ETag"].strip('"').endswith("-2")  # a two-part multipart upload
    # The folder keeps the working state only: the catalog and lock, no WARC file, no CDXJ.
    assert list((folder / "archive").iterdir()) == []
    assert not (folder / "indexes" / "index.cdxj").exists()
    catalog = Catalog(folder / "catalog.sqlite", readonly=True)
    try:
        assert stored["linkcheck/cites/indexes/index.cdxj"].decode() == "".join(cdxj_lines(catalog.all()))
    finally:
        catalog.close()
    payloads = {}
    for record in ArchiveIterator(io.BytesIO(stored[key]), check_digests=True):
        body = record.raw_stream.read()
        assert record.digest_checker.passed is not False, record.digest_checker.problems
        if record.rec_type == "response":
            payloads[record.rec_headers.get_header("WARC-Target-URI")] = body
    assert payloads[site.url("/page")] == PAGE
    assert payloads[site.url("/data.txt")] == big


def test_verify_reads_the_bucket_and_finds_damage_there(farm, bucket, tmp_path, monkeypatch):
    client, name = bucket
    site = farm.host()
    site.route("/a", respond(200, PAGE)).route("/b", respond(200, FIRST))
    folder = tmp_path / "cache"
    url = f"s3://{name}/cites"
    capture(folder, [site.url("/a"), site.url("/b"), site.url("/a")], url)
    capture(folder, [site.url("/b"), site.url("/a")], url, max_warc_file_bytes=1)  # a new file per capture
    monkeypatch.setattr(s3_module, "READ_WINDOW", 4096)  # many ranged GETs, records across windows

    result = verify_archive(folder, storage_url=url)

    assert result.ok, result.problems
    # warcinfo + 3 × (response or revisit, request); then two files of warcinfo + revisit + request
    assert (result.files, result.records) == (3, 7 + 3 + 3)
    assert list((folder / "archive").iterdir()) == []
    key = sorted(k for k in objects(client, name) if k.endswith(".warc.gz"))[0]
    data = bytearray(client.get_object(Bucket=name, Key=key)["Body"].read())
    data[len(data) // 2] ^= 0xFF
    client.put_object(Bucket=name, Key=key, Body=bytes(data))
    damaged = verify_archive(folder, storage_url=url)
    assert not damaged.ok and any(key.rsplit("/", 1)[1] in problem for problem in damaged.problems), damaged.problems


def test_replay_lookup_finds_the_capture_by_url_and_timestamp(farm, bucket, tmp_path):
    client, name = bucket
    site = farm.host()
    site.route("/cited", sequence(respond(200, FIRST), respond(200, SECOND), respond(200, SECOND)))
    folder = tmp_path / "cache"
    url = f"s3://{name}/cites"
    capture(folder, [site.url("/cited")], url, clock=lambda: JANUARY)
    capture(folder, [site.url("/cited")], url, clock=lambda: JUNE)
    capture(folder, [site.url("/cited")], url, clock=lambda: JUNE.replace(day=20))  # unchanged: a revisit
    assert list((folder / "archive").iterdir()) == []  # every record below comes from the bucket

    january = replay_lookup(folder, site.url("/cited"), "20260110", storage_url=url)
    june = replay_lookup(folder, site.url("/cited"), "2026-06-16", storage_url=url)
    latest = replay_lookup(folder, site.url("/cited"), storage_url=url)

    assert (january.timestamp, january.status, january.body) == ("20260115120000", 200, FIRST)
    assert (june.timestamp, june.body) == ("20260615120000", SECOND)
    assert (latest.timestamp, latest.fields["mime"], latest.body) == ("20260620120000", "warc/revisit", SECOND)
    assert replay_lookup(folder, site.url("/never"), storage_url=url) is None
    shown = show_capture(folder, site.url("/cited"), JANUARY, storage_url=url)
    assert "as it was in January" in shown.text


def test_export_packs_the_bucket_files(farm, bucket, tmp_path):
    client, name = bucket
    site = farm.host()
    site.route("/page", respond(200, PAGE))
    folder = tmp_path / "cache"
    url = f"s3://{name}/cites"
    capture(folder, [site.url("/page")], url)

    summary = export_wacz(folder, tmp_path / "cites.wacz", storage_url=url)

    assert (summary.warc_files, summary.pages) == (1, 1)
    (key,) = [k for k in objects(client, name) if k.endswith(".warc.gz")]
    with zipfile.ZipFile(tmp_path / "cites.wacz") as wacz:
        assert wacz.read(f"archive/{key.rsplit('/', 1)[1]}") == client.get_object(Bucket=name, Key=key)["Body"].read()
        assert json.loads(wacz.read("pages/pages.jsonl").decode().splitlines()[1])["url"] == site.url("/page")


def test_a_failed_upload_stays_in_the_folder_and_the_next_run_uploads_it(farm, bucket, tmp_path, monkeypatch):
    client, name = bucket
    site = farm.host()
    site.route("/page", respond(200, PAGE))
    folder = tmp_path / "cache"
    url = f"s3://{name}/cites"
    real = s3_module.S3Storage.publish

    def broken(self, path):
        raise s3_module.ArchiveError(f"cannot upload {path.name} (simulated outage)")

    monkeypatch.setattr(s3_module.S3Storage, "publish", broken)
    with pytest.raises(s3_module.ArchiveError, match="simulated outage"):
        capture(folder, [site.url("/page")], url)
    (left,) = (folder / "archive").glob("*.warc.gz")
    monkeypatch.setattr(s3_module.S3Storage, "publish", real)
    notes: list[str] = []

    result = verify_archive(folder, storage_url=url, on_message=notes.append)

    assert result.ok, result.problems
    assert any("uploaded" in note for note in result.notes), result.notes
    assert not left.exists()
    assert f"cites/archive/{left.name}" in objects(client, name)


def test_clear_errors_without_boto3_or_without_the_bucket(bucket, tmp_path, monkeypatch):
    client, name = bucket
    folder = tmp_path / "cache"
    with pytest.raises(ConfigError, match="cannot use the bucket 'no-such-bucket-here': no such bucket"):
        capture(folder, [], "s3://no-such-bucket-here/cites")
    capture(folder, [], f"s3://{name}/cites")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(ConfigError, match=r"cannot reach the bucket .* at http://127.0.0.1:9 \(AWS_ENDPOINT_URL\)"):
        verify_archive(folder, storage_url=f"s3://{name}/cites")
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(ConfigError, match=r"needs boto3: pip install 'linkcheck\[s3\]'"):
        verify_archive(folder, storage_url=f"s3://{name}/cites")


def test_the_setting_takes_only_s3_urls(tmp_path):
    settings = load_settings(overrides={"archive.url": "s3://cites/linkcheck"}, environ={}, search_dir=tmp_path)
    assert settings.archive.url == "s3://cites/linkcheck"
    assert load_settings(environ={}, search_dir=tmp_path).archive.url == ""
    with pytest.raises(ConfigError, match="s3://BUCKET/PREFIX"):
        load_settings(overrides={"archive.url": "https://cites.example/linkcheck"}, environ={}, search_dir=tmp_path)


def test_the_commands_use_the_bucket_from_config(farm, bucket, tmp_path, monkeypatch):
    """`check --archive`, `archive verify` and `archive show` all go to `archive.url`:
    the WARC lands in the bucket, verify reads it there, show finds the page."""
    from tests.test_cli import run

    client, name = bucket
    site = farm.host().route("/paper", respond(200, "<html><body><p>The paper.</p></body></html>"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(f'[archive]\nurl = "s3://{name}/team"\n', encoding="utf-8")
    (tmp_path / "doc.md").write_text(f"<{site.url('/paper')}>\n", encoding="utf-8")
    code, out, err = run("check", "doc.md", "--archive", "--max-retries", "0")
    assert code == 0, (out, err)
    keys = objects(client, name)
    assert any(key.startswith("team/archive/") and key.endswith(".warc.gz") for key in keys), keys
    assert not list((tmp_path / "archive").rglob("*.warc.gz"))  # the folder keeps only working state
    code, out, err = run("archive", "verify")
    assert code == 0, (out, err)
    code, out, err = run("archive", "show", site.url("/paper"))
    assert code == 0 and "The paper." in out, (out, err)
    # The page is rewritten: drift is compared against the capture read back from the bucket.
    site.route("/paper", respond(200, "<html><body><p>Something else entirely now, a new text.</p></body></html>"))
    code, out, err = run("check", "doc.md", "--max-retries", "0", "--format", "json:r.json", "--offline-suggestions")
    (result,) = json.loads((tmp_path / "r.json").read_text())["results"]
    assert result["drift"] is not None and result["drift"]["drifted"] is True, (result, err)
