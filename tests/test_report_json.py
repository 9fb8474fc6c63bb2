"""The JSON report's result lines (`json_report.compact`): orjson where it can, the json
module where orjson refuses, and the same JSON either way."""

import io
import json

from hypothesis import given, strategies as st

from linkcheck.report.json_report import compact, write_with_list

#: What a result dict holds: text (any code point, lone surrogates included, as a document
#: decoded with `surrogateescape` gives), integers, floats, booleans, null, lists, objects.
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@given(_JSON_VALUES)
def test_a_compact_line_is_the_json_modules_value(value):
    assert json.loads(compact(value)) == json.loads(json.dumps(value, ensure_ascii=False))


def test_a_lone_surrogate_orjson_refuses_still_makes_a_line():
    item = {"url": "https://example.org/caf\udce9", "locations": [{"file": "d\udcff.md", "line": 1, "column": 2}]}
    line = compact(item)
    assert "\n" not in line and json.loads(line) == item


def test_the_listing_is_one_object_per_line_under_an_indented_head():
    stream = io.StringIO()
    write_with_list(stream, {"summary": {"links": 2}}, "results", [{"url": "https://a.example/"}, {"url": "https://b.example/ü"}])
    text = stream.getvalue()
    assert json.loads(text) == {"summary": {"links": 2}, "results": [{"url": "https://a.example/"}, {"url": "https://b.example/ü"}]}
    assert text.splitlines()[-4:] == ['    {"url":"https://a.example/"},', '    {"url":"https://b.example/ü"}', "  ]", "}"]
