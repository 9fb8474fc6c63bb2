"""What a lychee user reaches for (issue 17's friction list): `--header`, `--remap`,
`--base` and `--root-dir`, each doing what its help says, on loopback servers."""

from __future__ import annotations

import json

from tests.farm import respond
from tests.test_cli import FAST, document, run
from tests.test_cli import env as env  # noqa: F401 - the fixture, shared


def report(env_path):
    return {result["url"]: result for result in json.loads((env_path / "r.json").read_text())["results"]}


def test_header_goes_to_every_host_and_a_hosts_own_header_wins(farm, env):
    one = farm.host("127.0.0.1").route("/a", respond(200, "<p>a</p>"))
    two = farm.host("127.0.0.2").route("/b", respond(200, "<p>b</p>"))
    document(env, "config.toml", f'[hosts."{two.ip}".headers]\nX-Team = "docs"\n')
    document(env, "doc.md", f"<{one.url('/a')}> <{two.url('/b')}>\n")
    code, out, err = run("check", "doc.md", *FAST, "--no-history", "--header", "X-Team: everyone", "--header", "Accept-Language: en")
    assert code == 0, (out, err)
    assert one.requests[-1].header("x-team") == "everyone" and one.requests[-1].header("accept-language") == "en"
    assert two.requests[-1].header("x-team") == "docs"
    code, _, err = run("check", "doc.md", "--header", "no colon here")
    assert code == 2 and "check.headers" in err and "Name: value" in err


def test_remap_checks_the_rewritten_url_and_names_the_cited_one(farm, env):
    mirror = farm.host().route("/papers/7.pdf", respond(200, "%PDF-1.4", {"content-type": "application/pdf"}))
    document(env, "doc.md", "<https://old-repository.invalid/papers/7.pdf>\n")
    code, out, err = run("check", "doc.md", *FAST, "--no-history", "--format", "json:r.json",
                         "--remap", f"https://old-repository\\.invalid/(.*) {mirror.origin}/\\1")  # fmt: skip
    assert code == 0, (out, err)
    (result,) = report(env).values()
    assert result["url"] == mirror.url("/papers/7.pdf") and result["status"] == "ok"
    assert result["locations"][0]["cited_as"] == "https://old-repository.invalid/papers/7.pdf"
    code, _, err = run("check", "doc.md", "--remap", "only-one-word")
    assert code == 2 and "REGEX REPLACEMENT" in err


def test_base_checks_root_relative_links_on_the_site(farm, env):
    site = farm.host().route("/docs/install", respond(200, "<p>install</p>"))
    document(env, "site/index.md", "[install](/docs/install) [gone](/docs/removed) [here](other.md)\n")
    document(env, "site/other.md", "# Other\n")
    code, out, err = run("check", "site", *FAST, "--no-history", "--format", "json:r.json", "--base", site.origin + "/")
    results = report(env)
    assert results[site.url("/docs/install")]["status"] == "ok"
    assert results[site.url("/docs/removed")]["status"] == "dead" and code == 1
    assert any(url.endswith("other.md") and r["status"] == "ok" for url, r in results.items())  # relative links stay files


def test_root_dir_resolves_root_relative_links_on_disk(env):
    document(env, "public/assets/logo.svg", "<svg/>")
    document(env, "content/post.md", "![logo](/assets/logo.svg) [missing](/assets/none.png)\n")
    code, out, err = run("check", "content", "--no-history", "--format", "json:r.json", "--root-dir", "public")
    results = report(env)
    assert {url.rsplit("/", 1)[-1]: r["status"] for url, r in results.items()} == {"logo.svg": "ok", "none.png": "dead"}
    assert code == 1


def test_documents_on_standard_input(farm, env):
    from click.testing import CliRunner

    from linkcheck.cli import cli

    site = farm.host().route("/ok", respond(200, "<p>ok</p>"))
    text = f"Notes\n\nSee <{site.url('/ok')}> and <{site.url('/gone')}>.\n"
    result = CliRunner().invoke(cli, ["check", "-", *FAST, "--no-history", "--format", "json:r.json"], input=text, catch_exceptions=False)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    results = report(env)
    assert results[site.url("/gone")]["status"] == "dead"
    assert results[site.url("/gone")]["locations"] == [{"file": "<stdin>", "line": 3, "column": 5 + len(site.url("/ok")) + 8}]
    assert not any(env.glob("input-*"))  # the temporary file is gone with the run


def test_the_links_of_a_web_page(farm, env, monkeypatch):
    site = farm.host()
    site.route("/list", respond(200, '<html><body><a href="/papers/1">one</a>\n<a href="gone">two</a></body></html>'))
    site.route("/papers/1", respond(200, "<p>paper</p>"))
    code, out, err = run("check", site.url("/list"), *FAST, "--no-history", "--format", "json:r.json")
    results = report(env)
    assert results[site.url("/papers/1")]["status"] == "ok" and results[site.url("/gone")]["status"] == "dead"
    assert results[site.url("/gone")]["locations"][0]["file"] == site.url("/list") and code == 1
    # The page itself is fetched through the guard: a private address is refused without --allow-private.
    monkeypatch.delenv("LINKCHECK_NETWORK_ALLOW_PRIVATE")
    code, out, err = run("check", site.url("/list"), *FAST, "--no-history")
    assert code == 2 and "cannot be read as an input" in err and "private" in err


def test_github_links_go_through_the_api_with_the_token(farm, env, monkeypatch):
    """lychee's most asked-for feature after walls: with GITHUB_TOKEN, github.com links are
    asked of the API (which says plainly what exists); the token goes there only."""
    api = farm.host("127.0.0.1")
    api.route("/repos/octo/tools", respond(200, '{"html_url": "https://github.com/octo/tools"}', {"content-type": "application/json"}))
    api.route("/repos/octo/tools/contents/docs/setup.md?ref=main", respond(200, "{}", {"content-type": "application/json"}))
    api.route("/repos/octo/tools/issues/7", respond(200, "{}", {"content-type": "application/json"}))
    api.route("/repos/octo/gone", respond(404, '{"message": "Not Found"}', {"content-type": "application/json"}))
    from tests.farm import redirect

    api.route("/repos/octo/old-name", redirect(301, "/repositories/42"))
    api.route("/repositories/42", respond(200, '{"html_url": "https://github.com/octo/new-name"}', {"content-type": "application/json"}))
    other = farm.host("127.0.0.2").route("/page", respond(200, "<p>page</p>"))
    cited = ["https://github.com/octo/tools", "https://github.com/octo/tools/blob/main/docs/setup.md#install",
             "https://github.com/octo/tools/issues/7", "https://github.com/octo/gone", "https://github.com/octo/old-name"]  # fmt: skip
    document(env, "doc.md", "".join(f"<{url}>\n" for url in cited) + f"<{other.url('/page')}>\n")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret123")
    monkeypatch.setenv("LINKCHECK_CHECK_GITHUB_API", api.origin)
    code, out, err = run("check", "doc.md", *FAST, "--no-history", "--format", "json:r.json")
    results = report(env)
    assert [results[url]["status"] for url in cited] == ["ok", "ok", "ok", "dead", "redirect_permanent"], (out, err)
    assert results[cited[1]]["error"] == "checked through the GitHub API; #install not verified"
    assert results[cited[4]]["final_url"] == "https://github.com/octo/new-name" and code == 1
    assert {r.header("authorization") for r in api.requests} == {"Bearer ghp_secret123"}
    assert all(r.header("authorization") is None for r in other.requests)  # the token stays with the API
    assert "ghp_secret123" not in (env / "r.json").read_text() + out + err
