"""`cmbot explain` through bot.cli.main.main: verdict first, stdin, --file, --json, --lang ja, errors."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from bot.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures" / "logs"


def test_text_verdict_first_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A code gives the cause and code on the first line, then cause, numbered remedy and links."""
    assert main(["explain", "0x80072ee2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("sup-scan-timeout: ")
    assert out[0].count("0x80072EE2") == 1
    assert any(line.startswith("  1. ") for line in out)
    assert any(line.strip().startswith("http") for line in out)


def test_no_cause_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    """An unrelated code says no known cause and how many codes were decoded."""
    assert main(["explain", "0x80070005"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "No known cause found; 1 code(s) decoded"


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`-` reads the text from stdin."""
    data = (FIXTURES / "sup-service-unavailable.log").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["explain", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sup-service-unavailable: ")
    assert "stdin:" in out


def test_file_with_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    """--file prints evidence with file:line and timestamp."""
    assert main(["explain", "--file", str(FIXTURES / "content-location-empty.log")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("content-location-empty: ")
    assert "content-location-empty.log:2 2026-11-22 10:00:00.123000+09:00 [ContentTransferManager]" in out


def test_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints one object with findings, codes and notices per the PRODUCT.md contract."""
    assert main(["explain", "--json", "--file", str(FIXTURES / "sup-scan-timeout.log")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"findings", "codes", "notices"}
    finding = data["findings"][0]
    assert finding["id"] == "sup-scan-timeout"
    assert {"id", "title", "confidence", "evidence", "remedy", "links"} <= set(finding)
    assert {"line", "text"} <= set(finding["evidence"][0])
    assert data["codes"][0]["code"] == "0x80072EE2"
    assert {"code", "name", "meaning"} <= set(data["codes"][0])


def test_lang_ja(capsys: pytest.CaptureFixture[str]) -> None:
    """--lang ja prints the Japanese title and labels."""
    assert main(["explain", "--lang", "ja", "0x80244022"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sup-service-unavailable: ")
    assert "対処:" in out and "原因" in out


def test_json_lang_ja_is_utf8(capsys: pytest.CaptureFixture[str]) -> None:
    """Japanese JSON output is readable text, not escapes."""
    assert main(["explain", "--json", "--lang", "ja", "0x80244022"]) == 0
    assert "\\u" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["explain", "--file", "/nonexistent/WUAHandler.log"], "no such file: /nonexistent/WUAHandler.log"),
        (["explain", "--file", "/"], "is a directory"),
        (["explain"], "give TEXT"),
        (["explain", "x", "--file", "/tmp"], "not both"),
    ],
)
def test_errors_one_line_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Input errors are one short stderr line and exit 2, never a traceback."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("cmbot explain: ") and message in line


def test_broken_team_kb_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken entry in CMBOT_KB_PATH is one stderr line and exit 2."""
    (tmp_path / "bad.yaml").write_text("id: Bad Id\n", encoding="utf-8")
    monkeypatch.setenv("CMBOT_KB_PATH", str(tmp_path))
    assert main(["explain", "0x80072ee2"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("cmbot explain: the knowledge base does not load")
