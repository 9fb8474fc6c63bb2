"""linkcheck: find every cited URL in a folder of documents, check it, archive it, report it."""

__version__ = "0.1.0"
