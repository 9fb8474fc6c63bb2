"""The library front door: extraction in worker processes gives exactly the one-process result."""

from pathlib import Path

import linkcheck.pipeline as pipeline
from linkcheck import extract_paths
from tests.helpers import fast_settings

FIXTURES = Path(__file__).parent / "fixtures"


def snapshot(extraction):
    return (
        extraction.documents,
        extraction.citations,
        [(link.url, link.verdict, link.reason, link.locations) for link in extraction.links],
        extraction.notices,
    )


def test_parallel_extraction_is_identical_to_one_process(monkeypatch):
    settings = fast_settings()
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 10**12)
    alone = extract_paths([FIXTURES], settings)
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 0)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    parallel = extract_paths([FIXTURES], settings)
    assert alone.citations > 300
    assert snapshot(parallel) == snapshot(alone)
