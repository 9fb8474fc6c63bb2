"""The README documents every command and every setting, with the defaults the code has."""

import dataclasses
from pathlib import Path

from linkcheck.cli import cli
from linkcheck.config import Settings, settings_reference
from linkcheck.durations import format_duration

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme():
    for name in cli.commands:
        assert f"`linkcheck {name} " in README, name


def test_every_setting_is_in_the_readme_with_its_default():
    defaults = Settings()
    for key, default, _ in settings_reference():
        assert f"`{key}`" in README, key
        if key.startswith("hosts."):
            continue
        section, name = key.split(".")
        field = next(f for f in dataclasses.fields(getattr(defaults, section)) if f.name == name)
        if field.metadata["kind"] == "duration":
            default = f'"{format_duration(default)}"'
        shown = str(default).lower() if isinstance(default, bool) else str(default)
        if isinstance(default, list):
            shown = "[" + ", ".join(f'"{item}"' for item in default) + "]"
        elif isinstance(default, str) and not default.startswith('"'):
            shown = f'"{default}"'
        row = next(line for line in README.splitlines() if line.startswith(f"| `{key}` |"))
        assert f"`{shown}`" in row, (key, shown, row)


def test_quick_start_test_command_is_what_ci_runs():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert f"```sh\n{command}\n```" in README
