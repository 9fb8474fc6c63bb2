import pytest

from linkcheck.identifiers import identifier_url, is_identifier


@pytest.mark.parametrize(
    ("cited", "url"),
    [
        ("doi:10.1000/182", "https://doi.org/10.1000/182"),
        ("DOI: 10.1038/nphys1170", "https://doi.org/10.1038/nphys1170"),
        ("https://dx.doi.org/10.1000/182", "https://doi.org/10.1000/182"),
        ("http://doi.org/10.1000/182", "https://doi.org/10.1000/182"),
        ("doi.org/10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
         "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"),
        ("doi:10.1000/a b", None),
        ("arXiv:2101.00001", "https://arxiv.org/abs/2101.00001"),
        ("arxiv:2101.00001v3", "https://arxiv.org/abs/2101.00001v3"),
        ("arXiv:hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001"),
        ("arXiv:math.GT/0309136", "https://arxiv.org/abs/math.GT/0309136"),
        ("https://example.org/10.1000/182", None),
        ("doi:11.1000/182", None),
    ],
)
def test_identifier_urls(cited, url):
    assert identifier_url(cited) == url


def test_resolver_is_configurable():
    assert identifier_url("doi:10.1000/182", "https://hdl.example.org/") == "https://hdl.example.org/10.1000/182"


def test_identifier_forms():
    assert is_identifier("doi:10.1/x") and is_identifier("arXiv:2101.00001")
    assert not is_identifier("https://doi.org/10.1/x")
