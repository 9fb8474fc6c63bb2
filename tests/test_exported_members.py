"""The public front door: exactly these names are the stable API."""

import linkcheck


def test_all_exports_exist_and_nothing_else_is_promised():
    assert sorted(linkcheck.__all__) == [
        "ConfigError", "Extraction", "InputError", "Interrupted", "Link", "LinkcheckError", "Location",
        "NetworkUnavailable", "Redirect", "Report", "Result", "Settings", "Status", "UsageError",
        "__version__", "check_paths", "extract_paths", "load_settings",
    ]
    for name in linkcheck.__all__:
        assert hasattr(linkcheck, name), name
