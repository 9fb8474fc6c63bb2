"""The integrations shipped in the repository actually work, run here as their hosts would run them.

- `action.yml`: its `run:` steps are executed with bash exactly as a GitHub runner runs a
  composite action's steps (`bash --noprofile --norc -eo pipefail`), with the inputs'
  expressions and `github.action_path` stubbed, `GITHUB_STEP_SUMMARY`/`GITHUB_OUTPUT` set,
  against documents citing a loopback farm. The `uses:` steps (setup-python, upload-sarif)
  are not run; their conditions and inputs are evaluated and checked instead.
- `.pre-commit-hooks.yaml`: parsed, its tags known to pre-commit's `identify`, each entry run.
- `examples/`: every `linkcheck` command line names only real flags, and the cron, systemd
  and GitLab commands run against a loopback farm; `systemd-analyze verify` where available.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from linkcheck.cli import check, cli
from tests.farm import respond

REPO = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = REPO / "tests" / "fixtures" / "schemas" / "sarif-schema-2.1.0.json"
BIN = Path(sys.executable).parent  # the environment whose `linkcheck` the tests run
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def linkcheck_env(**extra: str) -> dict[str, str]:
    """The environment for a linkcheck subprocess: loopback farm allowed, no network probe."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "LINKCHECK_", "INPUT_"))}
    environment.update(
        PATH=f"{BIN}{os.pathsep}{environment.get('PATH', '')}",
        LINKCHECK_NETWORK_PROBE_URLS="",
        LINKCHECK_NETWORK_ALLOW_PRIVATE="true",
        COLUMNS="200",
    )
    environment.pop("NO_COLOR", None)
    environment.update(extra)
    return environment


def put(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check_help() -> str:
    outcome = CliRunner().invoke(cli, ["check", "--help"], terminal_width=200)
    assert outcome.exit_code == 0
    return outcome.stdout


# -- the GitHub Action ---------------------------------------------------------------------


ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


@dataclass
class ActionRun:
    """What running the action produced, step by step."""

    exit_code: int = 0
    stdout: dict[str, str] = field(default_factory=dict)
    stderr: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    uploaded: dict[str, str] | None = None
    summary: str = ""


def evaluate(text: str, context: dict[str, str]) -> str:
    """Replace each `${{ expression }}` with its stubbed value; an unknown one fails the test."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        assert expression in context, f"action.yml uses an expression the test does not stub: {expression}"
        return context[expression]

    return EXPRESSION.sub(value, text)


def condition(text: str | None, context: dict[str, str]) -> bool:
    """The `if:` subset the action uses: `a == 'x' && b != ''` (no `if:` means success())."""
    if text is None:
        return True
    inner = EXPRESSION.fullmatch(text.strip())
    expression = inner.group(1) if inner else text
    verdict = True
    for clause in expression.split("&&"):
        match = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", clause)
        assert match, f"condition the test cannot evaluate: {clause!r}"
        name, operator, literal = match.groups()
        assert name in context, f"condition uses an unstubbed value: {name}"
        verdict = verdict and ((context[name] == literal) == (operator == "=="))
    return verdict


def read_outputs(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines()) if path.exists() else iter(())
    for line in lines:
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            name, delimiter = line.split("<<", 1)
            outputs[name] = "\n".join(iter(lambda: next(lines), delimiter))
        elif line:
            name, _, value = line.partition("=")
            outputs[name] = value
    return outputs


def run_action(workspace: Path, runner_temp: Path, **given: str) -> ActionRun:
    """Run action.yml's steps like a GitHub runner: inputs in, outputs between steps, fail fast."""
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"not inputs of the action: {unknown}"
    inputs.update(given)
    runner_temp.mkdir(parents=True, exist_ok=True)
    stub_bin = runner_temp / "stub-bin"
    pip_log = runner_temp / "pip-args"
    # The install step runs for real, against a `python` stub that records its arguments
    # (installing from the index is what the rest of the suite already proves works).
    put(stub_bin / "python", f'#!/bin/sh\nprintf "%s\\n" "$@" > {shlex.quote(str(pip_log))}\n').chmod(0o755)
    context = {f"inputs.{name}": value for name, value in inputs.items()}
    context["github.action_path"] = str(REPO)
    run = ActionRun()
    for index, step in enumerate(ACTION["runs"]["steps"]):
        name = step.get("id") or step.get("name") or str(index)
        if not condition(step.get("if"), context):
            run.skipped.append(name)
            continue
        if "uses" in step:
            with_ = {key: evaluate(str(value), context) for key, value in (step.get("with") or {}).items()}
            if step["uses"].startswith("github/codeql-action/upload-sarif@"):
                run.uploaded = with_
            continue
        assert step.get("shell") == "bash", f"step {name}: give `shell: bash` (composite steps need a shell)"
        summary = runner_temp / f"step_summary_{index}"
        output = runner_temp / f"output_{index}"
        summary.touch()
        output.touch()
        script = runner_temp / f"step_{index}.sh"
        script.write_text(evaluate(step["run"], context), encoding="utf-8")
        environment = linkcheck_env(
            GITHUB_ACTIONS="true",
            GITHUB_WORKSPACE=str(workspace),
            GITHUB_ACTION_PATH=str(REPO),
            GITHUB_STEP_SUMMARY=str(summary),
            GITHUB_OUTPUT=str(output),
            RUNNER_TEMP=str(runner_temp),
            **{key: evaluate(str(value), context) for key, value in (step.get("env") or {}).items()},
        )
        if "pip install" in step["run"]:
            environment["PATH"] = f"{stub_bin}{os.pathsep}{environment['PATH']}"
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace, env=environment, check=False, capture_output=True, text=True, timeout=120,
        )
        run.stdout[name], run.stderr[name] = done.stdout, done.stderr
        run.summary += summary.read_text(encoding="utf-8")
        if "id" in step:
            run.outputs[step["id"]] = read_outputs(output)
            for key, value in run.outputs[step["id"]].items():
                context[f"steps.{step['id']}.outputs.{key}"] = value
        if done.returncode != 0:
            run.exit_code = done.returncode
            break
    run.pip_args = pip_log.read_text(encoding="utf-8").splitlines() if pip_log.exists() else []  # type: ignore[attr-defined]
    return run


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def site(farm):
    return farm.host().route("/ok", respond(200, "<html>fine</html>")).route("/gone", respond(404)).route("/drafty", respond(404))


@pytest.fixture
def workspace(tmp_path, site):
    root = tmp_path / "workspace"
    put(root / "docs" / "guide.md", f"# Guide\n\nSee [the source]({site.url('/ok')}).\n\nAnd <{site.url('/gone')}> too.\n")
    put(root / "docs" / "drafts" / "wip.md", f"<{site.url('/drafty')}>\n")
    put(root / "README.md", f"[guide](docs/guide.md#guide) and <{site.url('/ok')}>\n")
    return root


def test_action_runs_check_summarizes_annotates_uploads_then_fails_with_linkcheck_code(tmp_path, workspace, site, sarif_validator):
    run = run_action(
        workspace, tmp_path / "runner",
        paths="docs README.md",
        args="--max-retries 0 --exclude-path 'drafts/**'",
    )
    # Installed from the action's own folder.
    assert run.pip_args[:3] == ["-m", "pip", "install"] and run.pip_args[-1] == str(REPO)

    # The step summary has the Markdown report.
    assert run.summary.startswith("## linkcheck: ❌ 1 broken citation (1 URL)")
    assert "### Broken citations" in run.summary and site.url("/gone") in run.summary
    assert "drafty" not in run.summary  # the quoted glob in `args` reached linkcheck intact

    # Annotations went to the log (stdout), on the citing line.
    annotations = run.stdout["check"]
    assert f"::error file=docs/guide.md,line=5,col=6,title=linkcheck%3A dead::{site.url('/gone')}" in annotations
    assert annotations.rstrip().splitlines()[-1].startswith("::notice title=linkcheck::")

    # The SARIF file is valid and was handed to upload-sarif.
    sarif_path = workspace / "linkcheck.sarif"
    sarif = json.loads(sarif_path.read_text(encoding="utf-8"))
    sarif_validator.validate(sarif)
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results] == [("dead", "docs/guide.md")]
    assert run.uploaded == {"sarif_file": "linkcheck.sarif", "category": "linkcheck"}

    # The step fails with linkcheck's exit code, after the upload.
    assert run.outputs["check"]["exit-code"] == "1"
    assert run.outputs["check"]["sarif-file"] == "linkcheck.sarif"
    assert run.exit_code == 1
    assert "::error title=linkcheck::broken citations" in run.stdout["Exit with linkcheck's exit code"]
    assert run.skipped == []


def test_action_passes_when_nothing_is_broken(tmp_path, workspace, sarif_validator):
    run = run_action(workspace, tmp_path / "runner", paths="README.md", args="--max-retries 0", **{"sarif-file": "out/lc.sarif"})
    assert run.exit_code == 0 and run.outputs["check"]["exit-code"] == "0"
    assert run.summary.startswith("## linkcheck: ✅ no broken citations")
    sarif = json.loads((workspace / "out" / "lc.sarif").read_text(encoding="utf-8"))  # its folder was created
    sarif_validator.validate(sarif)
    assert sarif["runs"][0]["results"] == []  # uploaded all the same: it closes alerts of fixed citations
    assert run.uploaded == {"sarif_file": "out/lc.sarif", "category": "linkcheck"}


def test_action_fail_on_input_and_no_upload(tmp_path, workspace):
    run = run_action(workspace, tmp_path / "runner", paths="docs", args="--max-retries 0", **{"fail-on": "error,invalid", "upload-sarif": "false"})
    assert run.exit_code == 0  # dead does not fail with this fail-on
    assert "::warning" not in run.stdout["check"] and "::error" not in run.stdout["check"]
    assert run.uploaded is None and "Upload SARIF to code scanning" in run.skipped
    assert (workspace / "linkcheck.sarif").is_file()


def test_action_usage_error_exits_2_and_uploads_nothing(tmp_path, workspace):
    put(workspace / "linkcheck.sarif", "stale from an earlier run\n")
    run = run_action(workspace, tmp_path / "runner", paths="docs", args="--no-such-flag")
    assert run.outputs["check"] == {"exit-code": "2", "sarif-file": ""}
    assert "No such option '--no-such-flag'" in run.stderr["check"]
    assert run.uploaded is None and not (workspace / "linkcheck.sarif").exists()
    assert run.exit_code == 2


def test_action_inputs_are_passed_as_environment_not_pasted_into_scripts():
    """Script injection: an input's text must never become part of a `run:` script."""
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "inputs." not in step["run"], step.get("name")
            assert "${{" not in step["run"], step.get("name")


def test_action_step_order_upload_before_the_failing_exit():
    steps = ACTION["runs"]["steps"]
    kinds = [step.get("uses", "").split("@")[0] or step.get("id") or step["name"] for step in steps]
    assert kinds == [
        "actions/setup-python", "Install linkcheck", "check", "github/codeql-action/upload-sarif", "Exit with linkcheck's exit code",
    ]
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file"}
    assert "pip install" in steps[1]["run"] and steps[1]["env"]["LINKCHECK_ACTION_PATH"] == "${{ github.action_path }}"


def test_action_hostile_input_text_stays_data(tmp_path, workspace):
    marker = tmp_path / "pwned"
    run = run_action(workspace, tmp_path / "runner", paths=f"README.md $(touch {marker}) `touch {marker}`", args="--max-retries 0")
    assert not marker.exists()
    assert run.exit_code == 2 and "no such file or folder" in run.stderr["check"]


# -- pre-commit ----------------------------------------------------------------------------


HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_pre_commit_manifest_is_well_formed():
    assert [hook["id"] for hook in HOOKS] == ["linkcheck", "linkcheck-local"]
    for hook in HOOKS:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python" and hook["pass_filenames"] is True
        assert shlex.split(hook["entry"])[:2] == ["linkcheck", "check"]
        assert_real_check_flags([*shlex.split(hook["entry"])[2:], "README.md"])  # pre-commit appends the files


def test_pre_commit_types_are_tags_identify_knows():
    identify = pytest.importorskip("identify.identify")
    for hook in HOOKS:
        unknown = set(hook.get("types_or", [])) - identify.ALL_TAGS
        assert not unknown, f"{hook['id']}: pre-commit rejects unknown tags {unknown}"
        # The tags select the suffixes linkcheck reads.
        for name in ("a.md", "a.html", "a.rst", "a.tex", "a.bib", "a.adoc", "a.ipynb", "a.txt"):
            assert identify.tags_from_filename(name) & set(hook["types_or"]), (hook["id"], name)


def run_hook(hook_id: str, folder: Path, *files: str) -> subprocess.CompletedProcess[str]:
    hook = next(h for h in HOOKS if h["id"] == hook_id)
    return subprocess.run(
        [*shlex.split(hook["entry"]), *hook.get("args", []), *files],
        cwd=folder, env=linkcheck_env(), check=False, capture_output=True, text=True, timeout=60,
    )


def test_pre_commit_local_hook_checks_local_links_and_never_the_network(tmp_path, site):
    put(tmp_path / "a.md", f"# Top\n\n[b](b.md#section), [self](#top), <{site.url('/gone')}>, [doi](doi:10.1000/182)\n")
    put(tmp_path / "b.md", "# Section\n")
    put(tmp_path / "c.md", "[missing](missing.md) and [anchor](b.md#nowhere)\n")
    done = run_hook("linkcheck-local", tmp_path, "a.md", "b.md")
    assert done.returncode == 0, done.stdout + done.stderr
    done = run_hook("linkcheck-local", tmp_path, "a.md", "b.md", "c.md")
    assert done.returncode == 1
    assert "missing.md" in done.stdout and "nowhere" in done.stdout
    assert site.count() == 0  # the farm URL was excluded, not requested
    assert not (tmp_path / "archive").exists()  # no run history left in the repository


def test_pre_commit_network_hook_runs_on_local_links_too(tmp_path, site):
    put(tmp_path / "a.md", f"[b](b.md) and <{site.url('/ok')}>\n")
    put(tmp_path / "b.md", "# B\n")
    done = run_hook("linkcheck", tmp_path, "a.md", "b.md")
    assert done.returncode == 0, done.stdout + done.stderr
    assert site.count("/ok") >= 1
    assert not (tmp_path / "archive").exists()


# -- cron, systemd, GitLab -----------------------------------------------------------------


def assert_real_check_flags(args: list[str]) -> None:
    """Every flag is in `linkcheck check --help`, and click parses the whole command line."""
    text = check_help()
    for arg in args:
        if arg.startswith("-") and arg != "--":
            flag = arg.split("=", 1)[0]
            assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text), f"{flag} is not a `linkcheck check` flag"
    try:
        check.make_context("check", list(args))
    except click.ClickException as exc:  # pragma: no cover - the message is the point
        pytest.fail(f"linkcheck check {shlex.join(args)}: {exc.format_message()}")


def linkcheck_commands(shell_text: str) -> list[list[str]]:
    """The `linkcheck check …` argument lists in a shell command line (cut at && || ; | >)."""
    lexer = shlex.shlex(shell_text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens = list(lexer)
    commands = []
    for index, token in enumerate(tokens):
        if Path(token).name == "linkcheck" and tokens[index + 1 : index + 2] == ["check"]:
            args = []
            for arg in tokens[index + 2 :]:
                if arg in ("&&", "||", ";", "|", ">", ">>", "<", "&"):
                    break
                args.append(arg)
            commands.append(args)
    return commands


def crontab_commands() -> list[str]:
    lines = (REPO / "examples" / "cron" / "crontab").read_text(encoding="utf-8").splitlines()
    entries = [line for line in lines if line.strip() and not line.lstrip().startswith("#") and not re.match(r"^\w+=", line)]
    assert entries, "the crontab has no entry"
    commands = []
    for entry in entries:
        fields = entry.split(None, 5)
        assert len(fields) == 6, f"a crontab entry has five time fields and a command: {entry!r}"
        assert "%" not in fields[5], "cron turns % into a newline: escape it as \\%"
        commands.append(fields[5])
    return commands


def systemd_units() -> dict[str, dict[str, dict[str, str]]]:
    units: dict[str, dict[str, dict[str, str]]] = {}
    for path in sorted((REPO / "examples" / "systemd").iterdir()):
        sections: dict[str, dict[str, str]] = {}
        current = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.lstrip().startswith(("#", ";")):
                continue
            if line.startswith("["):
                current = sections.setdefault(line.strip("[] "), {})
            else:
                key, _, value = line.partition("=")
                assert current is not None, f"{path.name}: {line!r} before any section"
                current[key.strip()] = value.strip()
        units[path.name] = sections
    return units


def gitlab_script() -> list[str]:
    data = yaml.safe_load((REPO / "examples" / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    job = data["linkcheck"]
    assert job["artifacts"]["reports"]["junit"] == "linkcheck-junit.xml"
    assert job["artifacts"]["when"] == "always"
    return job["script"]


def test_examples_name_only_real_linkcheck_flags():
    commands = [args for line in crontab_commands() for args in linkcheck_commands(line)]
    commands += [args for line in gitlab_script() for args in linkcheck_commands(line)]
    service = systemd_units()["linkcheck.service"]["Service"]
    commands += linkcheck_commands(service["ExecStart"].lstrip("-@:+!"))
    assert len(commands) == 3, commands
    for args in commands:
        assert_real_check_flags(args)


def test_crontab_runs_and_mails_only_when_something_is_broken(tmp_path, site):
    """The crontab's command, run as cron would (`sh -c`), its paths moved into a temporary folder."""
    (command,) = crontab_commands()
    command = command.replace("/srv/docs", str(tmp_path / "srv")).replace("/var/", f"{tmp_path}/var/")
    for folder in ("srv", "var/log/linkcheck", "var/lib/linkcheck"):
        (tmp_path / folder).mkdir(parents=True)
    put(tmp_path / "srv" / "docs" / "a.md", f"<{site.url('/ok')}>\n")

    def cron() -> subprocess.CompletedProcess[str]:
        return subprocess.run(["sh", "-c", command], cwd="/", env=linkcheck_env(), check=False, capture_output=True, text=True, timeout=60)

    done = cron()
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")  # nothing printed: no mail
    log = (tmp_path / "var/log/linkcheck/linkcheck.log").read_text(encoding="utf-8")
    assert " summary " in log
    assert json.loads((tmp_path / "var/lib/linkcheck/last.json").read_text(encoding="utf-8"))["results"][0]["status"] == "ok"
    assert (tmp_path / "var/lib/linkcheck/archive").is_dir()

    # A citation that fails: --quiet stays silent until --confirm makes it broken (suspect first).
    put(tmp_path / "srv" / "docs" / "a.md", f"<{site.url('/gone')}>\n")
    done = cron()
    assert done.stdout == "" and done.returncode == 0
    assert json.loads((tmp_path / "var/lib/linkcheck/last.json").read_text(encoding="utf-8"))["results"][0]["status"] == "suspect"

    # Once a citation counts as broken (here: the same entry without the confirmation span),
    # it is printed, so cron mails it.
    assert "--confirm 3/72h" in command
    command = command.replace("--confirm 3/72h", "")
    done = cron()
    assert done.returncode == 1 and site.url("/gone") in done.stdout and "dead" in done.stdout


def test_systemd_service_command_runs_in_its_working_directory(tmp_path, site):
    units = systemd_units()
    service, timer = units["linkcheck.service"], units["linkcheck.timer"]
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["Nice"] and service["Service"]["IOSchedulingClass"] == "idle"
    assert timer["Timer"]["Persistent"] == "true" and timer["Timer"]["RandomizedDelaySec"]
    assert timer["Install"]["WantedBy"] == "timers.target"
    command = service["Service"]["ExecStart"].replace("/var/lib/linkcheck", str(tmp_path / "state"))
    argv = shlex.split(command)
    assert argv[0].startswith("/") and Path(argv[0]).name == "linkcheck", "systemd wants an absolute ExecStart"
    work = tmp_path / "work"
    put(work / "docs" / "a.md", f"<{site.url('/ok')}>\n")
    (tmp_path / "state").mkdir()
    done = subprocess.run([str(BIN / "linkcheck"), *argv[1:]], cwd=work, env=linkcheck_env(), check=False, capture_output=True, text=True, timeout=60)
    allowed = {0, *map(int, service["Service"].get("SuccessExitStatus", "").split())}
    assert done.returncode in allowed, done.stderr
    assert json.loads((tmp_path / "state" / "last.json").read_text(encoding="utf-8"))["summary"]["links"] == 1


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed (containers often lack it)")
def test_systemd_units_verify(tmp_path):
    """`systemd-analyze verify` on copies whose ExecStart names this environment's linkcheck
    and whose WorkingDirectory exists (verify checks both on this machine)."""
    for name in ("linkcheck.service", "linkcheck.timer"):
        text = (REPO / "examples" / "systemd" / name).read_text(encoding="utf-8")
        text = text.replace("/usr/local/bin/linkcheck", str(BIN / "linkcheck")).replace("WorkingDirectory=/srv/docs", f"WorkingDirectory={tmp_path}")
        put(tmp_path / name, text)
    done = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "linkcheck.service"), str(tmp_path / "linkcheck.timer")],
        check=False, capture_output=True, text=True, timeout=60,
    )
    complaints = [line for line in done.stderr.splitlines() if "linkcheck." in line]
    assert done.returncode == 0 and not complaints, done.stderr


def test_gitlab_job_writes_the_junit_report(tmp_path, site):
    put(tmp_path / "docs" / "a.md", f"<{site.url('/ok')}> <{site.url('/gone')}>\n")
    put(tmp_path / "README.md", "[docs](docs/a.md)\n")
    ran = 0
    for line in gitlab_script():
        if "pip install" in line:
            continue  # the job installs from the index; here the test environment has linkcheck
        done = subprocess.run(["sh", "-c", line], cwd=tmp_path, env=linkcheck_env(), check=False, capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done.stderr  # the 404
        ran += 1
    assert ran == 1
    junit = (tmp_path / "linkcheck-junit.xml").read_text(encoding="utf-8")
    assert "<testsuite" in junit and site.url("/gone") in junit
