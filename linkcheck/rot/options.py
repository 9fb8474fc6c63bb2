"""The defaults of reference-rot judgement that config.toml can change (`[rot]`), named once.

A module without imports of its own: `linkcheck.config` composes these into its settings,
and the rot stage reads them here, so neither climbs to the other.
"""

#: A cited page whose main text is this similar to the soft-404 probe's is the host's template.
DEFAULT_PROBE_SIMILARITY = 0.9
#: Below this text similarity to its earlier capture, a page has drifted.
DEFAULT_DRIFT_THRESHOLD = 0.6
#: Where archived copies are asked for (RFC 7089 TimeGate; the Wayback availability API).
DEFAULT_MEMENTO_TIMEGATE = "http://timetravel.mementoweb.org/timegate/"
DEFAULT_WAYBACK_API = "https://archive.org/wayback/available"
