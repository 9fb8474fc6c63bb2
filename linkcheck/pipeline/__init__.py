"""The library's front door: documents -> extract -> links -> check -> results -> report.

`check_paths` (linkcheck.pipeline.run) is what the CLI calls and what a Python user can
call too; `memory` holds the history, lock and extraction cache of a run, `rot` the
soft-404/drift/suggestion hooks, `snapshots` the `--archive` captures.
"""

from linkcheck.collect import Extraction, PathLike
from linkcheck.pipeline.run import FEED_BATCH, STREAM_MIN_BYTES, RunMessage, check_paths, extract_paths

__all__ = ["FEED_BATCH", "STREAM_MIN_BYTES", "Extraction", "PathLike", "RunMessage", "check_paths", "extract_paths"]
