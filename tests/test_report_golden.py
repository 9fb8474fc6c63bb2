"""Golden files for the report formats: the same pinned reports rendered by every format must
match tests/fixtures/report/golden/ byte for byte.

After an intended change of a format, regenerate and review the diff:

    LINKCHECK_UPDATE_GOLDEN=1 pytest tests/test_report_golden.py
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from linkcheck.models import Location, Report, Result, Status
from linkcheck.report import ReportOptions, writer
from tests.report_samples import injection_report, interrupted_report, rot_report, sample_report

GOLDEN = Path(__file__).parent / "fixtures" / "report" / "golden"

#: The formats these golden files cover, and their file suffixes.
FORMATS = {"markdown": "md", "html": "html", "junit": "xml", "sarif": "sarif.json", "github": "txt", "csv": "csv"}

REPORTS = {"sample": sample_report, "interrupted": interrupted_report, "rot": rot_report}

#: A version that does not change with releases, so golden files do not either.
PINNED_VERSION = "0.0.0+golden"


@pytest.fixture(autouse=True)
def _pinned_version(monkeypatch):
    for module in ("html", "junit", "sarif"):
        monkeypatch.setattr(f"linkcheck.report.{module}.__version__", PINNED_VERSION)


def render(name: str, report: Report, **options) -> str:
    stream = io.StringIO(newline="")
    writer(name)(report, stream, ReportOptions(**options))
    return stream.getvalue()


@pytest.mark.parametrize("report_name", sorted(REPORTS))
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_matches_golden_file(name, report_name):
    text = render(name, REPORTS[report_name]())
    path = GOLDEN / f"{report_name}.{FORMATS[name]}"
    if os.environ.get("LINKCHECK_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"no golden file {path}; create it with LINKCHECK_UPDATE_GOLDEN=1"
    with path.open(encoding="utf-8", newline="") as golden:
        assert text == golden.read(), f"{name} output changed; see the module docstring"


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_deterministic(name):
    assert render(name, sample_report()) == render(name, sample_report())
    assert render(name, injection_report()) == render(name, injection_report())


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_nothing_made_up(name):
    """A result that has no HTTP status, final URL, error or check time shows none of them."""
    report = Report(
        [Result("https://quiet.example/", Status.DEAD, locations=[Location("a.md", 1, 1)])],
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
        documents=1,
        links=1,
    )
    text = render(name, report)
    assert "None" not in text
    if name not in ("sarif", "html"):  # JSON's null is JSON's "none"
        assert "null" not in text
    assert "https://quiet.example/" in text


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_ends_with_a_newline(name):
    for report in (sample_report(), interrupted_report(), injection_report(), rot_report()):
        assert render(name, report).endswith("\n")
