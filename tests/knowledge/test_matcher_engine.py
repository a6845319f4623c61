"""The multi-pattern matcher: engines agree, repeats collapse, causes rank."""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.loader import load_entries
from knowledge.logreader import LogLine, parse_lines
from knowledge.matcher import BATCH_CHARS, MATCH_LINE_CHARS, Matcher
from knowledge.models import Entry

ENGINES = ("hyperscan", "alternation", "re")


def entry(entry_id: str, *patterns: tuple[str, float]) -> Entry:
    text = {"title": entry_id, "cause": "c", "symptoms": ["s"], "remedy": [{"text": "r"}]}
    return Entry.model_validate(
        {
            "id": entry_id,
            "category": "sup",
            "en": text,
            "ja": text,
            "links": [{"url": "https://example.invalid/", "title": "x"}],
            "patterns": [{"regex": regex, "confidence": confidence} for regex, confidence in patterns],
            "examples": {"match": ["x"]},
        }
    )


ENTRIES = [
    entry("scan-timeout", (r"Failed to end search job\. Error = 0x80072ee2", 0.95), (r"timed? ?out", 0.3)),
    entry("service-unavailable", (r"0x80244022", 0.9)),
    entry("empty-location", (r"UpdateLocations - Received empty location update", 0.9)),
    entry("anchored", (r"^Scan failed$", 0.7), (r"エラー\s*=\s*\d+", 0.6)),
]

LINES = [
    "OnSearchComplete - Failed to end search job. Error = 0x80072ee2.",
    "failed to END SEARCH job. error = 0x80072EE2",
    "Request timed out",
    "Scan failed",
    "Scan failed twice",
    "x\u3000エラー = 5",
    "CCTMJob::UpdateLocations - Received empty location update for CTM Job {ABC}",
    "Scan completed successfully",
    "",
    "0x80244022 and timeout on one line",
]

BUILT = {name: Matcher(ENTRIES, name) for name in ENGINES}


@pytest.fixture(scope="module", params=ENGINES)
def matcher(request: pytest.FixtureRequest) -> Matcher:
    return Matcher(ENTRIES, request.param)


def test_engines_report_identical_hits() -> None:
    """hyperscan, alternation and the re loop report the same (line, pattern) pairs."""
    results = {name: Matcher(ENTRIES, name).match_texts(LINES) for name in ENGINES}
    assert results["hyperscan"] == results["re"] == results["alternation"]
    assert (3, 4) in results["re"] and (4, 4) not in results["re"]  # ^...$ is per line
    assert (5, 5) in results["re"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("Scan failedtimoue0x8024\n エラー=5 "), max_size=40), max_size=8
    )
)
def test_engines_agree_on_arbitrary_lines(lines: list[str]) -> None:
    """On arbitrary lines (even with embedded newlines) every engine equals the re loop."""
    texts = [line.replace("\n", " ") for line in lines]
    expected = BUILT["re"].match_texts(texts)
    assert BUILT["hyperscan"].match_texts(texts) == expected
    assert BUILT["alternation"].match_texts(texts) == expected


def test_pattern_hyperscan_rejects_falls_back_to_re() -> None:
    """A back-reference cannot compile in hyperscan; it still matches through re."""
    entries = [entry("backref", (r"(\w+) again \1", 0.8)), entry("plain", (r"plain", 0.8))]
    built = Matcher(entries, "hyperscan")
    assert built.engine.name == "hyperscan"
    assert any("backref" in notice for notice in built.notices)
    assert built.match_texts(["word again word", "plain", "word again other"]) == [(0, 0), (1, 1)]


def test_long_lines_matched_on_first_8kb(matcher: Matcher) -> None:
    """A pattern past the first 8 KB of a line is not seen; one inside is."""
    inside = "Scan completed " + "0x80244022 " + "a" * 1_000_000
    outside = "a" * MATCH_LINE_CHARS + " 0x80244022"
    result = matcher.scan(parse_lines(inside + "\n" + outside))
    assert [(cause.entry_id, cause.hits) for cause in result.causes] == [("service-unavailable", 1)]


def cmtrace(message: str, time: str, kind: int, thread: int) -> str:
    return (
        f'<![LOG[{message}]LOG]!><time="{time}.000-540" date="11-22-2026" component="WUAHandler" '
        f'context="" type="{kind}" thread="{thread}" file="x.cpp:1">'
    )


def test_repeated_lines_collapse(matcher: Matcher) -> None:
    """Identical messages at different times/threads become one group with count, first and last."""
    text = "\n".join(
        cmtrace("OnSearchComplete - Failed to end search job. Error = 0x80072ee2.", f"10:0{n}:00", 3, 100 + n)
        for n in range(5)
    )
    (cause,) = matcher.scan(parse_lines(text, file="WUAHandler.log")).causes
    (group,) = cause.evidence
    assert (group.count, group.first.line, group.latest.line) == (5, 1, 5)
    assert group.first.when() is not None and group.latest.when() is not None
    assert group.latest.when() - group.first.when() == timedelta(minutes=4)


def test_two_patterns_on_one_line_count_once(matcher: Matcher) -> None:
    """A line hit by two patterns of one cause is one occurrence, not two."""
    (cause,) = matcher.scan(
        parse_lines("OnSearchComplete - Failed to end search job. Error = 0x80072ee2 timeout")
    ).causes
    assert (cause.evidence[0].count, cause.hits, cause.confidence) == (1, 1, 0.95)


def test_plain_lines_with_different_timestamps_collapse(matcher: Matcher) -> None:
    """Pasted lines that differ only in a leading timestamp and thread id collapse too."""
    text = "\n".join(f"2026-11-22 10:0{n}:00 thread={n} Request timed out" for n in range(3))
    (cause,) = matcher.scan(parse_lines(text)).causes
    assert cause.evidence[0].count == 3


def test_ranking_error_over_info_then_specific_then_recent(matcher: Matcher) -> None:
    """An error line outranks a more specific info line; among errors, confidence then recency."""
    text = "\n".join(
        [
            cmtrace(
                "CCTMJob::UpdateLocations - Received empty location update for CTM Job {A}", "10:00:00", 1, 1
            ),
            cmtrace("Request timed out", "10:00:01", 3, 1),
            cmtrace("Download returned 0x80244022", "09:00:00", 3, 1),
        ]
    )
    ranked = [cause.entry_id for cause in matcher.scan(parse_lines(text)).causes]
    assert ranked == ["service-unavailable", "scan-timeout", "empty-location"]


def test_evidence_ranked_and_capped_at_five(matcher: Matcher) -> None:
    """A cause keeps its best five evidence groups, most recent first among equals."""
    text = "\n".join(cmtrace(f"Request {n} timed out", f"10:{n:02d}:00", 3, 1) for n in range(9))
    (cause,) = matcher.scan(parse_lines(text)).causes
    assert cause.hits == 9
    assert [group.first.text for group in cause.evidence] == [
        f"Request {n} timed out" for n in (8, 7, 6, 5, 4)
    ]


def test_naive_and_aware_timestamps_rank_together(matcher: Matcher) -> None:
    """Mixing plain WindowsUpdate.log (naive) and CMTrace (aware) times never raises."""
    lines = [
        LogLine("Request timed out", 1, timestamp=datetime(2026, 1, 1), severity="error"),
        LogLine("Request timed out again", 2, timestamp=datetime(2026, 1, 2, tzinfo=UTC), severity="error"),
    ]
    (cause,) = matcher.scan(lines).causes
    assert cause.evidence[0].first.line == 2


def test_deadline_stops_scan(matcher: Matcher) -> None:
    """A deadline in the past stops after the first batch and marks the result incomplete."""
    result = matcher.scan(parse_lines("Request timed out\n" * 10_000), deadline=0.0)
    assert not result.complete
    assert result.lines < 10_000


def test_matcher_shared_between_threads() -> None:
    """One built matcher scans from several threads at once with the same results."""
    shared = Matcher(ENTRIES, "hyperscan")
    expected = shared.match_texts(LINES * 50)
    results: list[list[tuple[int, int]]] = []

    def work() -> None:
        results.append(shared.match_texts(LINES * 50))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_auto_falls_back_to_re_without_hyperscan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the hyperscan wheel, `auto` uses the re loop and says so; hits are unchanged."""
    monkeypatch.setitem(sys.modules, "hyperscan", None)
    fallback = Matcher(ENTRIES)
    assert fallback.engine.name == "re"
    assert fallback.notices == ("hyperscan is not installed; matching with Python re",)
    assert fallback.match_texts(LINES) == BUILT["hyperscan"].match_texts(LINES)
    with pytest.raises(RuntimeError, match="hyperscan engine requested but unavailable"):
        Matcher(ENTRIES, "hyperscan")


def test_v4_e5_budget_is_checked_within_long_lines() -> None:
    """V4/E5: 8 KB lines are matched in batches of about 1 MB, so an expired budget stops the scan early."""
    matcher = Matcher([e for e in load_entries() if e.id == "sup-scan-timeout"], engine="re")
    lines = (LogLine(text="Scan error " + " " * 8192, line=n) for n in range(1, 4001))
    result = matcher.scan(lines, deadline=time.monotonic() - 1)
    assert not result.complete
    assert result.lines <= BATCH_CHARS // 8192 + 1
