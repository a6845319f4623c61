"""explain on bad input: bounded time and memory, a clear notice, never an exception."""

from __future__ import annotations

import codecs
import io
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.present import notice_text
from knowledge.explain import explain, explain_file
from knowledge.findings import Phrase


def _said(notices: list[Phrase]) -> list[str]:
    """The notices as an English reply words them."""
    return [notice_text(n, "en") for n in notices]


FIXTURES = Path(__file__).parent / "fixtures" / "logs"
TIMEOUT_LINE = (
    '<![LOG[OnSearchComplete - Failed to end search job. Error = 0x80072ee2.]LOG]!><time="10:10:01.123-540" '
    'date="11-22-2026" component="WUAHandler" context="" type="3" thread="4412" file="source.cpp:100">'
)


def test_empty_text() -> None:
    """Empty input is a notice, no findings."""
    for empty in ("", b"", "   \n\n"):
        explanation = explain(empty)
        assert explanation.findings == [] and explanation.codes == []
        assert _said(explanation.notices) == ["No text to explain."]


def test_binary_garbage() -> None:
    """Binary input gets one notice and no garbage findings."""
    explanation = explain(bytes(range(256)) * 4096, source="dump.bin")
    assert explanation.findings == [] and explanation.codes == []
    assert "dump.bin looks like binary data" in _said(explanation.notices)[0]


def test_invalid_utf8_is_replaced() -> None:
    """Invalid UTF-8 around a real line still finds the cause and says bytes were replaced."""
    data = b"ok \x80 garbage \xc3\x28\n" + TIMEOUT_LINE.encode() + b"\n"
    explanation = explain(data)
    assert [finding.id for finding in explanation.findings][:1] == ["sup-scan-timeout"]
    assert any("replaced" in notice for notice in _said(explanation.notices))


def test_one_megabyte_single_line() -> None:
    """A 1 MB line is matched on its first 8 KB, quickly, with a notice."""
    line = "Scan failed with error = 0x80072ee2 " + "x" * (1024 * 1024)
    started = time.monotonic()
    explanation = explain(line)
    assert time.monotonic() - started < 5
    assert "sup-scan-timeout" in [finding.id for finding in explanation.findings]
    assert any("longer than 8 KB" in notice for notice in _said(explanation.notices))
    assert len(explanation.findings[0].evidence[0].text) <= 1001


def _big_log(megabytes: int) -> bytes:
    normal = (
        '<![LOG[Successfully completed scan.]LOG]!><time="10:00:00.000-540" date="11-22-2026" '
        'component="WUAHandler" context="" type="1" thread="1" file="x.cpp:1">\n'
    )
    block = normal * 99 + TIMEOUT_LINE + "\n"
    return (block * (megabytes * 1024 * 1024 // len(block) + 1)).encode()


def test_fifty_megabytes_in_bounded_time() -> None:
    """50 MB of log lines explain within seconds and collapse to one evidence group."""
    data = _big_log(50)
    started = time.monotonic()
    explanation = explain(data, source="big.log")
    assert time.monotonic() - started < 20
    (finding,) = explanation.findings
    assert finding.id == "sup-scan-timeout"
    assert finding.evidence[0].count > 3000


def test_memory_stays_proportional_to_input() -> None:
    """Explaining 5 MB peaks at a small multiple of the input: lines stream, they are not all kept."""
    data = _big_log(5)
    tracemalloc.start()
    try:
        explain(data, source="big.log")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * len(data), peak


def test_input_over_the_cap_is_truncated_with_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Input over MAX_INPUT_BYTES is cut, and the notice says so."""
    monkeypatch.setattr("knowledge.explain.MAX_INPUT_BYTES", 1024 * 1024)
    explanation = explain(b"x" * (2 * 1024 * 1024), source="huge.log")
    assert "huge.log is larger than 1 MB; only the first 1 MB were read." in _said(explanation.notices)


def test_truncation_keeps_utf8_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cutting Japanese UTF-8 at the cap ends at a line break: no replaced bytes, no CP932 misread."""
    monkeypatch.setattr("knowledge.explain.MAX_INPUT_BYTES", 1024 * 1024)
    line = ("スキャンに失敗しました " + TIMEOUT_LINE + "\n").encode()
    explanation = explain(line * (2 * 1024 * 1024 // len(line)), source="ja.log")
    assert _said(explanation.notices) == ["ja.log is larger than 1 MB; only the first 1 MB were read."]
    assert [finding.id for finding in explanation.findings] == ["sup-scan-timeout"]


def test_time_budget_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the time budget runs out the answer says the findings cover only the lines read."""
    monkeypatch.setattr("knowledge.explain.TIME_BUDGET_SECONDS", -1.0)
    explanation = explain((TIMEOUT_LINE + "\n") * 20_000)
    assert any("time budget ran out" in notice for notice in _said(explanation.notices))
    assert "sup-scan-timeout" in [finding.id for finding in explanation.findings]


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A zip whose log member expands to 1 GB of zeros, written in chunks (never held expanded)."""
    path = tmp_path_factory.mktemp("bomb") / "CCMLogs.zip"
    chunk = b"\0" * (4 * 1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("CCM/Logs/WUAHandler.log", TIMEOUT_LINE)
        with archive.open("CCM/Logs/bomb.log", "w", force_zip64=True) as member:
            for _ in range(256):
                member.write(chunk)
    return path


def test_zip_bomb_refused(zip_bomb: Path) -> None:
    """The 1 GB member is refused with a notice; the real log in the zip is still explained."""
    tracemalloc.start()
    try:
        explanation = explain_file(zip_bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert any(
        "bomb.log: skipped" in notice and "zip bomb" in notice for notice in _said(explanation.notices)
    )
    assert [finding.id for finding in explanation.findings] == ["sup-scan-timeout"]
    assert explanation.findings[0].evidence[0].file == "WUAHandler.log"
    assert peak < 64 * 1024 * 1024


def test_zip_of_ccm_logs_from_bytes() -> None:
    """A zip handed over as bytes (a Slack upload) is read member by member."""
    data = _zip_bytes(
        {
            "CCM/Logs/WUAHandler.log": TIMEOUT_LINE.encode(),
            "CCM/Logs/CAS.log": (FIXTURES / "normal.log").read_bytes(),
        }
    )
    explanation = explain(data, source="logs.zip")
    assert [finding.id for finding in explanation.findings] == ["sup-scan-timeout"]


def test_utf16_and_cp932_files(tmp_path: Path) -> None:
    """A UTF-16 LE (BOM) log and a CP932 log find the same cause as UTF-8."""
    japanese = "スキャンに失敗しました。 " + TIMEOUT_LINE
    utf16 = tmp_path / "WUAHandler.log"
    utf16.write_bytes(codecs.BOM_UTF16_LE + japanese.encode("utf-16-le"))
    cp932 = tmp_path / "WUAHandler-ja.log"
    cp932.write_bytes(japanese.encode("cp932"))
    for path in (utf16, cp932):
        explanation = explain_file(path)
        assert [finding.id for finding in explanation.findings] == ["sup-scan-timeout"], path.name
        assert _said(explanation.notices) == []


def test_multiline_cmtrace_message() -> None:
    """A cause line inside a multi-line CMTrace message is found at the message's first line."""
    text = "header\n" + TIMEOUT_LINE.replace("OnSearchComplete", "Details follow\nOnSearchComplete")
    (finding,) = explain(text, source="WUAHandler.log").findings
    assert finding.evidence[0].line == 2
    assert finding.evidence[0].component == "WUAHandler"


def test_repeated_lines_collapse_into_one_evidence() -> None:
    """Ten identical error lines at different times are one evidence item with count and last time."""
    text = "\n".join(TIMEOUT_LINE.replace("10:10:01", f"10:1{n}:01") for n in range(10))
    (finding,) = explain(text).findings
    (evidence,) = [e for e in finding.evidence if "OnSearchComplete" in e.text]
    assert (evidence.count, evidence.line, evidence.last_line) == (10, 1, 10)
    assert evidence.timestamp is not None and evidence.last_timestamp is not None
    assert evidence.last_timestamp > evidence.timestamp


def test_ranking_error_snippet_over_info_snippet() -> None:
    """An error-level cause ranks above one seen only in info lines."""
    info = (FIXTURES / "sup-service-unavailable.log").read_text().replace('type="3"', 'type="1"')
    text = info + "\n" + TIMEOUT_LINE
    assert [finding.id for finding in explain(text).findings][:2] == [
        "sup-scan-timeout",
        "sup-service-unavailable",
    ]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=2000), st.binary(max_size=2000)))
def test_explain_never_raises(data: str | bytes) -> None:
    """Arbitrary text or bytes always give an Explanation."""
    explanation = explain(data)
    assert explanation.model_dump(mode="json") is not None
