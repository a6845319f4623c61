"""Stage reasoning: a failure line of a known stage with a code no entry lists gets the stage's cause."""

import re
import time

import pytest

from knowledge.explain import explain
from knowledge.loader import load_entries
from knowledge.stages import LISTED_CONFIDENCE, builtin_stages

STAGES = builtin_stages()
ENTRY_IDS = {entry.id for entry in load_entries()}
# A code in the Windows Update table that no entry lists (WU_E_DS_LOCKTIMEOUTEXPIRED), and its
# family-free unknown-facility cousin; neither appears in any entry's codes.
UNLISTED = "0x8024800C"


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.id)
def test_stage_examples(stage) -> None:  # type: ignore[no-untyped-def]
    """Each stage's patterns match its must-match examples and none of its must-not-match ones."""
    regexes = [re.compile(p, re.IGNORECASE) for p in stage.patterns]
    for line in stage.examples.match:
        assert any(r.search(line) for r in regexes), line
    for line in stage.examples.no_match:
        assert not any(r.search(line) for r in regexes), line


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.id)
def test_stage_causes_are_entries(stage) -> None:  # type: ignore[no-untyped-def]
    """A stage only points at causes that have an entry."""
    assert {stage.cause, *stage.causes, *(f.cause for f in stage.families)} <= ENTRY_IDS


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.id)
def test_failure_with_unlisted_code_gets_stage_cause(stage) -> None:  # type: ignore[no-untyped-def]
    """A failure line of the stage whose code no entry lists gets the stage's cause, reasoned."""
    line = re.sub(r"0x[0-9A-Fa-f]{8}|\b8[0-9A-Fa-f]{7}\b", UNLISTED, stage.examples.match[0])
    if UNLISTED not in line:
        line += f" Error = {UNLISTED}"
    explanation = explain(line + "\n")
    assert explanation.findings, line
    top = explanation.findings[0]
    assert top.id == stage.cause, (line, [f.id for f in explanation.findings])
    assert top.confidence <= stage.confidence < LISTED_CONFIDENCE
    assert UNLISTED in top.reasoning and "WU_E_DS_LOCKTIMEOUTEXPIRED" in top.reasoning


def test_scan_with_protocol_talker_code_is_the_sup() -> None:
    """A scan failure with any WU_E_PT_* code means the SUP cannot be used; 503 and 2EE2 are refined."""
    family = explain("Scan failed with error = 0x80244019.\n").findings[0]  # HTTP 404, no entry lists it
    assert (family.id, family.confidence) == ("sup-unreachable", 0.55)
    assert "protocol-talker" in family.reasoning
    assert explain("Scan failed with error = 0x80244022.\n").findings[0].id == "sup-service-unavailable"
    assert explain("Scan failed with error = 0x80072ee2.\n").findings[0].id == "sup-scan-timeout"


def test_reasoned_ranks_below_literal() -> None:
    """A literal pattern's finding ranks above a reasoned one, whatever the confidences."""
    text = "Scan failed with error = 0x80244019.\nFATAL: CBS called Error with 0x800f0831\n"
    assert [f.id for f in explain(text).findings][:2] == ["component-store-corrupt", "sup-unreachable"]
    assert explain(text).findings[1].reasoning


def test_japanese_prose_and_full_width() -> None:
    """Japanese prose with a code, and full-width digits, get the cause."""
    assert explain("スキャンが 0x80244022 で失敗します").findings[0].id == "sup-service-unavailable"
    assert (
        explain("Scan failed with error = ０ｘ８０２４４０２２．\n").findings[0].id
        == "sup-service-unavailable"
    )


def test_v4_e3_volatile_and_crafted_lines_are_fast() -> None:
    """V4/E3-E5: a 40,000-char 'error'+blanks paste and 8 KB crafted lines finish fast."""
    crafted = [
        "Scan error" + " " * 40_000,
        "thread" + " " * 8000 + "x",
        ("CcmExec Failure " * 600)[:8192],
        ("[CCMHTTP] ERROR: URL=" + "a" * 8000)[:8192],
        ("SendRequest " + "503 " * 2100)[:8192],
        "\n".join(["Scan failed with error = " + " " * 8000] * 20),
    ]
    for text in crafted:
        start = time.perf_counter()
        explain(text)
        assert time.perf_counter() - start < 2.0, text[:40]


def test_japanese_keyword_before_hex() -> None:
    """A Japanese 'error code' keyword before hex without 0x (corpus ja-kmca-80244022-wsus-prose)."""
    japanese = explain("「エラー・コード:80244022」でWindows Updateが失敗してしまいます。")
    assert [c.code for c in japanese.codes] == ["0x80244022"]
    assert japanese.findings[0].id == "sup-service-unavailable"
