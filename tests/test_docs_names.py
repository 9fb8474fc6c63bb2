"""Every flag, setting and environment variable that the docs name exists and is accepted.

The test sqlite-utils has (its tests/test_docs.py), widened to where a user reads names:
README.md, every command's --help, and the messages the code prints. It exists because
README and every refusal named `--allow-private` for months while no command had it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from linkcheck.cli import cli
from linkcheck.config import ENV_PREFIX, load_settings, settings_reference

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SOURCES = sorted((ROOT / "linkcheck").rglob("*.py"))

FLAG = re.compile(r"(?<![\w$/.-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
SECTIONS = ("check", "network", "files", "urls", "report", "archive", "history", "rot")
SETTING = re.compile(rf"(?<![\w./-])(?:{'|'.join(SECTIONS)})\.[a-z][a-z0-9_]*(?![\w(/-])")
ENV = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
#: `history.sqlite`, `report.json` … are file names, not settings.
FILE_SUFFIXES = {"sqlite", "json", "md", "toml", "cdxj", "txt", "warc", "gz", "html", "xml", "csv", "sarif", "py", "lock", "wacz"}
#: Flags README names that belong to other programs, outside quotes: pywb's in the replay
#: recipe, the benchmark runner's; `--help` is click's own on every command.
OTHER_PROGRAMS = {"--help", "--port", "--bind", "--quick"}
#: Variables of the user's own shell or CI that README's examples expand; linkcheck reads none.
USERS_OWN = {"DOCS_TOKEN", "GITHUB_STEP_SUMMARY", "GITHUB_TOKEN"}


def commands(group: click.Group = cli, prefix: str = "linkcheck") -> Iterator[tuple[str, click.Command]]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")


COMMANDS = {"linkcheck": cli, **dict(commands())}
OPTIONS = {
    spelling: (path, command, parameter)
    for path, command in COMMANDS.items()
    for parameter in command.params
    if isinstance(parameter, click.Option)
    for spelling in [*parameter.opts, *parameter.secondary_opts]
    if spelling.startswith("--")
}
SETTING_KEYS = {key for key, _, _ in settings_reference() if not key.startswith("hosts.")}


def settings_named(text: str) -> set[str]:
    return {name for name in SETTING.findall(text) if name.rsplit(".", 1)[1] not in FILE_SUFFIXES}


def flags_named(text: str) -> set[str]:
    return set(FLAG.findall(_without_other_commands(text))) - OTHER_PROGRAMS


def _without_other_commands(text: str) -> str:
    """A quoted command line of another program (`jupyter nbconvert --to notebook`,
    `lychee --dump`) names that program's flags, not ours."""
    return re.sub(r"`(?!linkcheck\b)[a-z][\w.-]* [^`]*`", "", text)


def sample_value(parameter: click.Option) -> list[str]:
    """Something the option accepts, to prove click parses it."""
    if parameter.is_flag or parameter.count:
        return []
    kind = parameter.type
    if isinstance(kind, click.Choice):
        return [str(kind.choices[0])]
    if isinstance(kind, (click.IntRange, click.FloatRange)) or kind in (click.INT, click.FLOAT):
        return ["1"]
    if (parameter.metavar or "").upper() == "DURATION" or parameter.name in {"lock_timeout", "max_age", "since", "at"}:
        return ["1s"]
    if parameter.name == "confirm":
        return ["3/72h"]
    if parameter.name == "fail_on":
        return ["dead"]
    if parameter.name == "accept":
        return ["200-299"]
    return ["x"]


def message_strings() -> Iterator[tuple[Path, str]]:
    """Every string constant in the package (f-string pieces included) but docstrings:
    what the code prints."""
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
        }
        # A lone token in a list, tuple or call is an argv piece (`_git(folder, "rev-parse",
        # "--show-toplevel")`) or an option's declaration, not a sentence anyone reads.
        argv = {
            id(element)
            for node in ast.walk(tree) if isinstance(node, (ast.List, ast.Tuple, ast.Call))
            for element in (node.args if isinstance(node, ast.Call) else node.elts)
            if isinstance(element, ast.Constant) and isinstance(element.value, str) and " " not in element.value
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings | argv:
                if not _is_stylesheet(node.value):
                    yield path, node.value


def _is_stylesheet(text: str) -> bool:
    """The HTML report's CSS: `--fg: #1f2328` is a custom property, not a flag."""
    return bool(re.search(r"--[\w-]+:\s*[^;]+;", text)) and "{" in text


def readme_settings() -> set[str]:
    """Settings README names in prose and tables are in backticks (code blocks hold Python too)."""
    return {name for quoted in re.findall(r"`([a-z_.]+)`", README) for name in settings_named(quoted)}


def test_the_finders_see_what_they_must():
    """The regexes themselves: a test of names that finds no names proves nothing."""
    assert flags_named("use --allow-private or `--format json:FILE`, not $--x or a/--b") == {"--allow-private", "--format"}
    assert flags_named("`linkcheck check --archive`, not `jupyter nbconvert --to notebook`") == {"--archive"}
    assert settings_named("`network.allow_private`, archive/history.sqlite, `check.read_timeout`") == {"network.allow_private", "check.read_timeout"}
    assert len(OPTIONS) > 40 and "--allow-private" in OPTIONS
    assert len(SETTING_KEYS) > 50


@pytest.mark.parametrize("flag", sorted(flags_named(README)))
def test_every_flag_readme_names_exists_and_parses(flag):
    assert flag in OPTIONS, f"README names {flag}, which no command has"
    path, command, parameter = OPTIONS[flag]
    arguments = [flag, *sample_value(parameter)]
    if any(isinstance(p, click.Argument) and p.required for p in command.params):
        arguments.append("README.md")
    command.make_context(path, arguments)  # raises click.UsageError if not accepted


def test_every_flag_a_help_text_names_exists():
    for path, command in COMMANDS.items():
        words = path.split()[1:]
        result = CliRunner().invoke(cli, [*words, "--help"])
        assert result.exit_code == 0, (path, result.output)
        for flag in flags_named(result.output):
            assert flag in OPTIONS, f"`{path} --help` names {flag}, which no command has"


def test_every_flag_and_setting_a_message_names_exists():
    for path, text in message_strings():
        for flag in flags_named(text):
            assert flag in OPTIONS, f"{path.relative_to(ROOT)} prints {flag!r}, which no command has: {text!r}"
        for key in settings_named(text):
            assert key in SETTING_KEYS, f"{path.relative_to(ROOT)} names setting {key!r}, which does not exist: {text!r}"


@pytest.mark.parametrize("key", sorted(readme_settings()))
def test_every_setting_readme_names_exists_and_is_accepted(key):
    assert key in SETTING_KEYS, f"README names {key}, which is not a setting"
    default = next(value for name, value, _ in settings_reference() if name == key)
    load_settings(overrides={key: default}, environ={}, search_dir=ROOT / "tests")


@pytest.mark.parametrize("name", sorted(set(ENV.findall(README)) - USERS_OWN))
def test_every_environment_variable_readme_names_is_read(name):
    if name.startswith(ENV_PREFIX):
        section, _, field = name[len(ENV_PREFIX):].lower().partition("_")
        key = f"{section}.{field}"
        assert key in SETTING_KEYS, f"README names {name}, which sets nothing"
        default = next(value for dotted, value, _ in settings_reference() if dotted == key)
        if isinstance(default, list):
            text = ",".join(map(str, default))
        elif isinstance(default, bool):
            text = str(default).lower()
        else:
            text = str(default)
        load_settings(environ={name: text}, search_dir=ROOT / "tests")
        return
    # Honoured from the environment (proxies, CA bundles, NO_COLOR): the code reads the name,
    # itself or through httpx's documented trust_env handling of proxies.
    code = "".join(path.read_text(encoding="utf-8") for path in SOURCES)
    assert f'"{name}"' in code or (name == "NO_PROXY" and "trust_env" in code), f"README says {name} is honoured; no code reads it"
