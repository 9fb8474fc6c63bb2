"""linkcheck: find every cited URL in a folder of documents, check it, and report it.

The stable API is what `__all__` lists; everything else may change.
"""

from linkcheck._version import __version__
from linkcheck.config import Settings, load_settings
from linkcheck.errors import (
    ConfigError,
    InputError,
    Interrupted,
    LinkcheckError,
    NetworkUnavailable,
    UsageError,
)
from linkcheck.models import Link, Location, Redirect, Report, Result, Status
from linkcheck.pipeline import Extraction, check_paths, extract_paths

__all__ = [
    "ConfigError",
    "Extraction",
    "InputError",
    "Interrupted",
    "Link",
    "LinkcheckError",
    "Location",
    "NetworkUnavailable",
    "Redirect",
    "Report",
    "Result",
    "Settings",
    "Status",
    "UsageError",
    "__version__",
    "check_paths",
    "extract_paths",
    "load_settings",
]
