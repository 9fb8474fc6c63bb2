"""The version, in a module of its own: reports and WARC headers name it without importing
the package front door (which imports the whole pipeline)."""

__version__ = "0.1.0"
