"""Every row of the published code tables decodes to its name and meaning, with its source."""

import time
from pathlib import Path

import pytest

from knowledge.codes import decode, find_codes
from knowledge.codes.tables import HRESULT_TABLES, TABLE_DIR, read_hresult_table

WU_TABLE = read_hresult_table(TABLE_DIR / "wu.tsv")
WU_REFERENCE = "https://learn.microsoft.com/en-us/windows/deployment/update/windows-update-error-reference"


def test_wu_table_is_the_whole_reference() -> None:
    """wu.tsv holds every code of Microsoft's reference (257 distinct codes), each citing it."""
    assert len(WU_TABLE) == 257
    assert all(row.source.startswith(WU_REFERENCE + "#") for row in WU_TABLE.values())


@pytest.mark.parametrize("value", sorted(WU_TABLE), ids=lambda v: f"0x{v:08X}")
def test_every_wu_row_decodes_to_its_name_and_meaning(value: int) -> None:
    """Each row of the Windows Update error reference decodes to its symbolic name and meaning."""
    row = WU_TABLE[value]
    spellings = [f"0x{value:08X}", str(value)]
    if value & 0x80000000:  # error codes are also written bare and as signed decimals
        spellings += [f"{value:08x}", str(value - 2**32)]
    for spelling in spellings:
        info = decode(spelling)
        assert info is not None, spelling
        assert (info.code, info.name, info.meaning) == (f"0x{value:08X}", row.name, row.meaning), spelling
        assert info.source == row.source


@pytest.mark.parametrize("name", HRESULT_TABLES)
def test_every_table_row_names_a_source(name: str) -> None:
    """Every row of every HRESULT table carries the https URL of the page it comes from."""
    table = read_hresult_table(TABLE_DIR / name)
    assert table
    assert all(row.source.startswith("https://") for row in table.values())


def test_table_without_source_is_refused(tmp_path: Path) -> None:
    """A row with no source is reported with its file and line."""
    path = tmp_path / "wu.tsv"
    header = "# hresult\tname\taliases\tmeaning\tmeaning_ja\tsource\n"
    path.write_text(header + "0x80244022\tWU_E_X\t\tmeaning\t\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"wu.tsv line 2: field source"):
        read_hresult_table(path)


def test_one_canonical_name_and_aliases() -> None:
    """A code with several names has one canonical name and the others as aliases."""
    info = decode("0x80072EE2")
    assert info is not None
    assert info.name == "WININET_E_TIMEOUT"
    assert {"ERROR_WINHTTP_TIMEOUT", "ERROR_INTERNET_TIMEOUT"} <= set(info.aliases)
    assert " / " not in info.name


@pytest.mark.parametrize("text", ["2149859362", "-2145107934", "0x80244022", "80244022"])
def test_decimal_spellings_in_text(text: str) -> None:
    """A bare unsigned decimal and a signed negative decimal are found in text like hex."""
    assert [c.code for c in find_codes(f"Scan failed with error {text} today")] == ["0x80244022"]
    if text != "80244022":  # all-digit hex needs a keyword before it
        assert [c.code for c in find_codes(f"the value {text}.")] == ["0x80244022"]


def test_byte_counts_are_not_codes() -> None:
    """A 10-digit size outside the error facilities is not an error code."""
    assert find_codes("Downloaded 2516582400 bytes, 3000000000 total") == []


def test_v4_e1_keyword_then_whitespace_is_linear() -> None:
    """V4/E1: 'error' followed by 40,000 blanks and newlines is searched in well under a second."""
    for blank in (" ", "\n", "\t", " \n"):
        text = "Scan error" + blank * (40_000 // len(blank))
        start = time.perf_counter()
        find_codes(text)
        assert time.perf_counter() - start < 0.5


def test_v4_e2_long_lines_are_capped() -> None:
    """V4/E2: a crafted 1 MB line costs no more than its first 8 KB; a code past 8 KB is not read."""
    line = ("error " + " " * 200) * 5000 + "0x80244022"
    start = time.perf_counter()
    assert find_codes(line) == []
    assert time.perf_counter() - start < 0.5
