"""The log reader never raises, whatever the bytes: decoding, parsing and zips."""

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.logreader import decode_bytes, is_zip, parse_lines, read_zip

FRAGMENTS = st.sampled_from(
    [
        "<![LOG[",
        "]LOG]!>",
        '<time="',
        '" date="',
        '" component="',
        '" type="',
        "3",
        "\n",
        "\r\n",
        "OnSearchComplete - Failed to end search job. Error = 0x80072ee2",
        "\t",
        "{",
        "}",
        "2015-06-10",
        "10:12:33:123",
        "+0900",
        "AGENT_INSTALLING_FAILED",
        "\x00",
        "\ufeff",
        "日本語",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(FRAGMENTS, max_size=60).map("".join))
def test_parse_lines_on_log_shaped_text(text: str) -> None:
    """CMTrace-, WindowsUpdate- and ReportingEvents-shaped garbage parses without raising."""
    for line in parse_lines(text, file="fuzz.log"):
        assert line.line >= 1
        line.when()


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=4096))
def test_decode_and_zip_on_any_bytes(data: bytes) -> None:
    """Any bytes decode to text, and a zip-looking blob is read or refused without raising."""
    decoded = decode_bytes(data)
    assert isinstance(decoded.text, str)
    if is_zip(b"PK\x03\x04" + data):
        read_zip(b"PK\x03\x04" + data)
