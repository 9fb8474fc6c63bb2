import pytest

from linkcheck.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("500ms", 0.5), ("1s", 1.0), ("1.5s", 1.5), ("2m", 120.0), ("72h", 259200.0), ("7d", 604800.0),
     ("1h30m", 5400.0), ("10", 10.0), (3, 3.0), (0.25, 0.25), (" 2 s ", 2.0)],
)
def test_parse(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5 parsecs", "1x", "s", "-1s", True])
def test_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("seconds", [0, 0.5, 1, 59, 60, 90, 3600, 5400, 86400 * 3 + 5])
def test_format_round_trips(seconds):
    assert parse_duration(format_duration(seconds)) == seconds
