"""Error codes decode to the right names in every written form, and extraction stays honest."""

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.codes import decode, find_codes, lookup_symbol
from knowledge.codes.tables import HRESULT_TABLES, CodeTableError, load_tables, read_hresult_table


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("0x80072EE2", "WININET_E_TIMEOUT"),
        ("0x80244022", "WU_E_PT_HTTP_STATUS_SERVICE_UNAVAIL"),
        ("0x800704C7", "ERROR_CANCELLED"),
        ("0x8007000E", "E_OUTOFMEMORY"),
        ("0x800B0001", "TRUST_E_PROVIDER_UNKNOWN"),
    ],
)
def test_acceptance_codes_decode_to_their_names(code: str, name: str) -> None:
    """The codes named in the issue decode to their symbolic names."""
    info = decode(code)
    assert info is not None and info.name is not None
    assert name in [info.name, *info.aliases]
    assert info.severity == "error"


@pytest.mark.parametrize(
    ("symbol", "code"),
    [
        ("CCM_E_BAD_HTTP_STATUS_CODE", "CCM_E_BAD_HTTP_STATUS_CODE"),
        ("CCM_E_NO_CLIENT_PKI_CERT", "CCM_E_NO_CLIENT_PKI_CERT"),
        ("ERROR_WINHTTP_NAME_NOT_RESOLVED", "0x80072EE7"),
        ("ERROR_WINHTTP_TIMEOUT", "0x80072EE2"),
    ],
)
def test_ccmhttp_symbols_are_known(symbol: str, code: str) -> None:
    """The four CCMHTTP symbols from the first article are named and explained."""
    info = lookup_symbol(symbol.lower())
    assert info is not None and info.meaning
    assert info.code == code
    assert symbol in [info.name, *info.aliases]


@pytest.mark.parametrize(
    "written", ["0x80072ee2", "80072EE2", "0X80072EE2", "-2147012894", "2147954402", "12002"]
)
def test_every_written_form_gives_the_same_code(written: str) -> None:
    """Hex with or without 0x, signed and unsigned decimal and the Win32 number agree."""
    info = decode(written)
    assert info is not None
    assert (info.code, info.facility, info.code_value) == ("0x80072EE2", "WIN32", 12002)


def test_win32_number_becomes_hresult() -> None:
    """1223 is ERROR_CANCELLED, i.e. 0x800704C7."""
    info = decode(1223)
    assert info is not None and info.code == "0x800704C7"


def test_unknown_code_still_decodes() -> None:
    """A code missing from our tables keeps its severity, facility and number."""
    info = decode("0x8024ABCD")
    assert info is not None
    assert info.name is None
    assert (info.facility, info.code_value) == ("WINDOWSUPDATE", 0xABCD)
    assert "no entry in our tables" in (info.meaning or "")


def test_japanese_meaning() -> None:
    """Common codes carry a Japanese meaning."""
    info = decode("0x80244022", lang="ja")
    assert info is not None and "503" in (info.meaning or "") and "過負荷" in (info.meaning or "")


def test_find_codes_in_log_lines_in_order() -> None:
    """Codes, hr= values, signed decimals and symbols come out once each, in order."""
    text = (
        "OnSearchComplete - Failed to end search job. Error = 0x80072ee2.\n"
        "WARNING: ISusInternal::GetUpdateMetadata2 failed, hr=8007000E\n"
        "error 1223 and -2147012894 again\n"
        "[CCMHTTP] ERROR: URL=http://mp/ccm_system/request, Port=80, Options=1248, Code=0, "
        "Text=CCM_E_BAD_HTTP_STATUS_CODE"
    )
    assert [c.code for c in find_codes(text)] == [
        "0x80072EE2",
        "0x8007000E",
        "0x800704C7",
        "CCM_E_BAD_HTTP_STATUS_CODE",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "CTM Job {8C1F9A2B-8111-8222-8333-844455556666}",
        "2026-11-20 10:12:33:123 thread=8000 pid 81234567",
        "KB5031356 KB3112343",
        "Options=1248, Code=0",
        "version 10.0.19045.3570",
    ],
)
def test_no_false_positives(text: str) -> None:
    """GUIDs, timestamps, thread ids, KB numbers and versions are not error codes."""
    assert find_codes(text) == []


def test_bad_input_is_quick() -> None:
    """Empty text, a 1 MB line and binary garbage return quickly."""
    start = time.monotonic()
    assert find_codes("") == []
    find_codes("A" * 1_000_000)
    find_codes(bytes(range(256)).decode("latin-1") * 4000)
    assert decode("") is None and decode("x" * 10_000) is None
    assert time.monotonic() - start < 5


def test_broken_table_names_file_and_line(tmp_path: Path) -> None:
    """A table row with a bad value is reported with the file and the line."""
    headers = {"win32.tsv": "code\tname\tmeaning", "symbols.tsv": "name\tmeaning"}
    for name in ("win32.tsv", "symbols.tsv", *HRESULT_TABLES):
        header = headers.get(name, "hresult\tname\taliases\tmeaning\tmeaning_ja\tsource")
        (tmp_path / name).write_text(f"# {header}\n", encoding="utf-8")
    (tmp_path / "hresult.tsv").write_text(
        "# hresult\tname\taliases\tmeaning\tmeaning_ja\tsource\n0xZZZZ\tX\t\tmeaning\t\thttps://x\n",
        encoding="utf-8",
    )
    with pytest.raises(CodeTableError, match=r"hresult.tsv line 2: code"):
        load_tables(tmp_path)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_find_codes_never_raises(text: str) -> None:
    """Arbitrary text never makes extraction raise."""
    find_codes(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(min_value=-(2**40), max_value=2**40), st.text(max_size=80)))
def test_decode_never_raises(value: int | str) -> None:
    """Arbitrary integers and strings never make decode raise."""
    decode(value)


def test_a_table_header_names_its_columns_and_languages(tmp_path: Path) -> None:
    """A table's `# ` header names its columns; a meaning column for a language cmbot does not
    speak is refused with the file and the fix."""
    path = tmp_path / "hresult.tsv"
    path.write_text("# hresult\tname\taliases\tmeaning\tmeaning_xx\tsource\n", encoding="utf-8")
    with pytest.raises(CodeTableError, match=r"hresult.tsv: the `# ` header .* unknown \['meaning_xx'\]"):
        read_hresult_table(path)
