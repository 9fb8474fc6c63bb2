"""Settings layers, errors that name the key and the file, and the shipped config.toml."""

from pathlib import Path

import pytest

from linkcheck.config import (
    DEFAULT_HOST_CONCURRENCY,
    DEFAULT_MAX_CONCURRENCY,
    load_settings,
    parse_status_range,
)
from linkcheck.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path):
    settings = load_settings(search_dir=tmp_path, environ={})
    assert settings.check.max_concurrency == DEFAULT_MAX_CONCURRENCY
    assert settings.check.host_concurrency == DEFAULT_HOST_CONCURRENCY


def test_layers_defaults_file_environment_flags(tmp_path):
    path = write(tmp_path, "[check]\nmax_concurrency = 10\nhost_concurrency = 3\nhost_interval = '250ms'\n")
    settings = load_settings(path, environ={"LINKCHECK_CHECK_HOST_CONCURRENCY": "2"}, overrides={"check.host_interval": "1s"})
    assert settings.check.max_concurrency == 10  # file
    assert settings.check.host_concurrency == 2  # environment beats file
    assert settings.check.host_interval == 1.0  # flag beats everything


def test_config_toml_in_the_search_folder_is_found(tmp_path):
    write(tmp_path, "[check]\nretries = 0\n")
    assert load_settings(search_dir=tmp_path, environ={}).check.retries == 0


def test_unknown_key_names_the_key_and_the_file(tmp_path):
    path = write(tmp_path, "[check]\nmax_concurency = 10\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert "check.max_concurency" in str(caught.value)
    assert str(path) in str(caught.value)


def test_unknown_section(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown section \[chek\]"):
        load_settings(write(tmp_path, "[chek]\nretries = 1\n"), environ={})


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ("[check]\nmax_concurrency = 'many'\n", "check.max_concurrency"),
        ("[check]\nmax_concurrency = 0\n", "at least 1"),
        ("[check]\nhost_interval = 'soon'\n", "not a duration"),
        ("[files]\nhidden = 'maybe'\n", "true or false"),
        ("[urls]\nexclude = ['(unclosed']\n", "regular expression"),
        ("[check]\naccept = ['2xx']\n", "HTTP status"),
        ("[report]\nfail_on = ['gone']\n", "unknown status"),
        ("[check]\nmethod = 'POST'\n", "head"),
        ("[check\n", "not valid TOML"),
    ],
)
def test_wrong_types_are_clear_errors(tmp_path, toml, fragment):
    with pytest.raises(ConfigError, match=fragment):
        load_settings(write(tmp_path, toml), environ={})


def test_bad_environment_value_names_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="LINKCHECK_CHECK_RETRIES"):
        load_settings(search_dir=tmp_path, environ={"LINKCHECK_CHECK_RETRIES": "lots"})


def test_foreign_linkcheck_variables_are_ignored(tmp_path):
    load_settings(search_dir=tmp_path, environ={"LINKCHECK_TOKEN": "secret"})


def test_missing_explicit_config_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_host_tables_and_header_expansion(tmp_path):
    path = write(tmp_path, '[hosts."Docs.Example.org"]\nconcurrency = 1\ninterval = "2s"\nheaders = { Authorization = "Bearer ${TOKEN}" }\n')
    settings = load_settings(path, environ={"TOKEN": "abc"})
    host = settings.host("docs.example.org")
    assert (host.concurrency, host.interval) == (1, 2.0)
    assert host.headers == {"Authorization": "Bearer ${TOKEN}"}  # expanded only when sent
    assert settings.host("other.example.org").concurrency is None


def test_header_with_unset_variable_fails_at_load(tmp_path):
    path = write(tmp_path, '[hosts."a.example"]\nheaders = { X-Key = "${NOT_SET_ANYWHERE}" }\n')
    with pytest.raises(ConfigError, match="NOT_SET_ANYWHERE"):
        load_settings(path, environ={})


def test_list_settings_from_environment_are_comma_separated(tmp_path):
    settings = load_settings(search_dir=tmp_path, environ={"LINKCHECK_REPORT_FAIL_ON": "dead, error"})
    assert settings.report.fail_on == ["dead", "error"]


@pytest.mark.parametrize(("text", "expected"), [("200-299", range(200, 300)), ("429", range(429, 430)), ("100..=103", range(100, 104))])
def test_status_ranges(text, expected):
    assert parse_status_range(text) == expected


def test_shipped_config_toml_uncommented_loads_with_defaults(tmp_path):
    import re

    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = re.sub(r"^# (\w+ = .*)$", r"\1", text, flags=re.M).replace("# [hosts.", "[hosts.")
    settings = load_settings(write(tmp_path, text), environ={"DOCS_TOKEN": "x"})
    defaults = load_settings(search_dir=tmp_path / "none", environ={})
    assert settings.check == defaults.check
    assert settings.files == defaults.files
    assert settings.report == defaults.report
