"""Log reading: CMTrace, WindowsUpdate.log, ReportingEvents.log, encodings and zips."""

from __future__ import annotations

import codecs
import io
import zipfile
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.render.present import notice_text
from knowledge.findings import Phrase
from knowledge.logreader import ArchiveLimits, decode_bytes, is_zip, looks_binary, parse_lines, read_zip


def _said(notices: list[Phrase]) -> list[str]:
    """The notices as an English reply words them."""
    return [notice_text(n, "en") for n in notices]


CMTRACE = (
    "<![LOG[OnSearchComplete - Failed to end search job. Error = 0x80072ee2.]LOG]!>"
    '<time="13:45:12.345-540" date="11-22-2026" component="WUAHandler" context="" type="3" '
    'thread="1234" file="cwuahandler.cpp:123">'
)


def test_cmtrace_line_fields() -> None:
    """A CMTrace line yields message, component, severity and a tz-aware time from the bias."""
    (line,) = parse_lines(CMTRACE, file="WUAHandler.log")
    assert line.text == "OnSearchComplete - Failed to end search job. Error = 0x80072ee2."
    assert (line.file, line.line, line.component, line.severity) == (
        "WUAHandler.log",
        1,
        "WUAHandler",
        "error",
    )
    assert line.when() == datetime(2026, 11, 22, 13, 45, 12, 345000, tzinfo=timezone(timedelta(hours=9)))


@pytest.mark.parametrize(("kind", "severity"), [("1", "info"), ("2", "warning"), ("3", "error")])
def test_cmtrace_types(kind: str, severity: str) -> None:
    """type 1/2/3 map to info/warning/error."""
    (line,) = parse_lines(CMTRACE.replace('type="3"', f'type="{kind}"'))
    assert line.severity == severity


def test_cmtrace_utc_bias() -> None:
    """A +000 bias is UTC and a +300 bias is UTC-5."""
    (utc,) = parse_lines(CMTRACE.replace("-540", "+000"))
    (eastern,) = parse_lines(CMTRACE.replace("-540", "+300"))
    assert utc.when() is not None and utc.when().utcoffset() == timedelta(0)
    assert eastern.when() is not None and eastern.when().astimezone(UTC).hour == 18


def test_cmtrace_multiline_message() -> None:
    """A message spanning physical lines is one record that starts at its first line."""
    text = "plain first\n" + CMTRACE.replace("job.", "job.\r\nsecond part\nthird part") + "\n" + CMTRACE
    lines = list(parse_lines(text))
    assert [line.line for line in lines] == [1, 2, 5]
    assert lines[1].text.splitlines()[1:] == ["second part", "third part Error = 0x80072ee2."]
    assert lines[1].component == "WUAHandler"


def test_unclosed_cmtrace_record_is_given_back_as_plain_lines() -> None:
    """An opening without a close does not swallow the rest of the file."""
    text = "<![LOG[never closed\n" + "next line\n" * 500
    lines = list(parse_lines(text))
    assert len(lines) == 501
    assert lines[-1].text == "next line"


def test_windows_update_classic_line() -> None:
    """Classic WindowsUpdate.log: date, time:ms, pid, tid, component, message."""
    (line,) = parse_lines("2015-06-10 10:12:33:123  1234  5e8 PT  WARNING: Cached cookie has expired")
    assert line.component == "PT"
    assert line.text == "WARNING: Cached cookie has expired"
    assert line.when() == datetime(2015, 6, 10, 10, 12, 33, 123000)
    assert line.severity == "warning"


def test_windows_update_etw_line() -> None:
    """The Windows 10 Get-WindowsUpdateLog text form."""
    text = "2017/10/05 10:27:33.6424521 1012  4588  Agent    * END * Finding updates, exit code = 0x80072EE2"
    (line,) = parse_lines(text)
    assert line.component == "Agent"
    assert line.when() == datetime(2017, 10, 5, 10, 27, 33, 642452)
    assert line.text.startswith("* END * Finding updates")


def test_reporting_events_line() -> None:
    """ReportingEvents.log: GUID, time with offset, tab-separated fields."""
    text = (
        "{D67661EB-2423-451D-BF5D-13199E37DF28}\t2015-06-10 10:12:33:123+0900\t1\t182\t101\t"
        "{00000000-0000-0000-0000-000000000000}\t0\t800704c7\tCcmExec\tFailure\tContent Install\t"
        "Installation Failure: AGENT_INSTALLING_FAILED"
    )
    (line,) = parse_lines(text)
    assert line.component == "CcmExec"
    assert line.severity == "error"
    assert line.when() is not None and line.when().utcoffset() == timedelta(hours=9)


def test_plain_text_lines_numbered_and_blank_lines_skipped() -> None:
    """Other text is read line by line with its physical line numbers."""
    lines = list(parse_lines("first\n\nthird failed\n"))
    assert [(line.line, line.text, line.severity) for line in lines] == [
        (1, "first", None),
        (3, "third failed", "error"),
    ]


def test_impossible_dates_do_not_raise() -> None:
    """A malformed date leaves the timestamp empty."""
    (line,) = parse_lines(CMTRACE.replace("11-22-2026", "13-45-2026"))
    assert line.when() is None


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "エラー".encode(), "utf-8"),
        ("エラー".encode(), "utf-8"),
        (codecs.BOM_UTF16_LE + "エラー error".encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + "エラー error".encode("utf-16-be"), "utf-16-be"),
        ("更新プログラムのスキャンに失敗しました".encode("cp932"), "cp932"),
    ],
)
def test_decode_encodings(data: bytes, encoding: str) -> None:
    """UTF-8 with/without BOM, UTF-16 LE/BE with BOM and CP932 decode to the same text."""
    decoded = decode_bytes(data)
    assert decoded.encoding == encoding
    assert not decoded.replaced
    assert "\ufeff" not in decoded.text


def test_decode_utf16_without_bom() -> None:
    """BOM-less UTF-16 LE (ASCII-heavy) is recognised by its NUL pattern."""
    assert decode_bytes("Failed to end search job".encode("utf-16-le")).text == "Failed to end search job"


def test_invalid_bytes_are_replaced_never_raise() -> None:
    """Bytes valid in neither UTF-8 nor CP932 come back with replacement characters."""
    decoded = decode_bytes(b"ok \xff\xfe\xfd\x80 end")
    assert decoded.replaced
    assert decoded.text.startswith("ok ")


def test_binary_detection() -> None:
    """Control-heavy bytes are binary; text in any of our encodings is not."""
    assert looks_binary(bytes(range(32)) * 100)
    assert not looks_binary(b"plain text\r\n" * 10)
    assert not looks_binary(codecs.BOM_UTF16_LE + "text".encode("utf-16-le"))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_reads_log_members_only() -> None:
    """.log, .lo_ and .txt members are read; others are ignored."""
    data = _zip({"CCM/Logs/WUAHandler.log": b"a", "CCM/Logs/old.lo_": b"b", "x.txt": b"c", "image.png": b"d"})
    assert is_zip(data)
    result = read_zip(data)
    assert [member.name for member in result.members] == ["WUAHandler.log", "old.lo_", "x.txt"]
    assert _said(result.notices) == []


def test_zip_member_over_budget_is_skipped_with_notice() -> None:
    """A member that expands past the per-member limit is refused while streaming."""
    data = _zip({"big.log": bytes(range(256)) * 8192, "small.log": b"fine"})
    result = read_zip(data, ArchiveLimits(max_member_bytes=1024 * 1024, max_ratio=1e9))
    assert [member.name for member in result.members] == ["small.log"]
    assert "big.log: skipped, expands beyond 1 MB" in _said(result.notices)[0]


def test_zip_member_count_and_total_limits() -> None:
    """Too many members or too many bytes in total end in notices."""
    data = _zip({f"{n}.log": b"x" * 1000 for n in range(5)})
    assert len(read_zip(data, ArchiveLimits(max_members=2)).members) == 2
    limited = read_zip(data, ArchiveLimits(max_total_bytes=2500))
    assert len(limited.members) == 2
    assert any("exceed" in notice or "expands beyond" in notice for notice in _said(limited.notices))


def test_not_a_zip_is_a_notice() -> None:
    """A truncated zip is reported, not raised."""
    assert _said(read_zip(b"PK\x03\x04broken").notices)[0].startswith("Not a readable zip")


def test_japanese_error_and_warning_words() -> None:
    """A plain Japanese line saying エラー/失敗 is an error, 警告 a warning."""
    from knowledge.logreader.parse import infer_severity  # noqa: PLC0415

    assert infer_severity("更新プログラムのスキャンに失敗しました。") == "error"
    assert infer_severity("エラー 0x80244022") == "error"
    assert infer_severity("警告: 再起動が必要です") == "warning"
