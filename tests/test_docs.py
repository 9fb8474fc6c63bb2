"""The README documents every command and every setting, with the defaults the code has."""

from pathlib import Path

from linkcheck.cli import cli
from linkcheck.config import render_settings_table, settings_reference

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme():
    import re

    for name in cli.commands:
        assert re.search(rf"`linkcheck {name}[ `]", README), name


def test_readme_settings_table_and_config_toml_are_generated_from_the_defaults():
    """Defaults live once, in linkcheck/config.py; `make docs` refreshes the docs."""
    table = README.split("<!-- settings:start -->\n", 1)[1].split("<!-- settings:end -->", 1)[0]
    assert table == render_settings_table(), "run: make docs"
    for key, _, _ in settings_reference():
        assert f"`{key}`" in table, key


def test_quick_start_test_command_is_what_ci_runs():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert f"```sh\n{command}\n```" in README


def test_shipped_config_toml_is_generated_too():
    from linkcheck.config import render_config_toml

    assert (Path(__file__).resolve().parent.parent / "config.toml").read_text(encoding="utf-8") == render_config_toml(), "run: make docs"
