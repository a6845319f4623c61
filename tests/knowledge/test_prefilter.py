"""The raw prefilter changes speed, not answers: a large log explains the same with or without it."""

import pytest

from knowledge.explain import build_knowledge, explain_with, knowledge
from knowledge.loader import load_entries
from knowledge.prefilter import PREFILTER_MIN_CHARS, candidate_lines

NOISE = (
    '<![LOG[Successfully completed scan.]LOG]!><time="03:15:{s:02d}.000-540" date="11-20-2026" '
    'component="WUAHandler" context="" type="1" thread="3000" file="cwuahandler.cpp:3999">'
)
MULTILINE = (
    "<![LOG[Starting job\nCCTMJob::UpdateLocations - Received empty location update for CTM Job "
    '{5C1F9A2B-1111-2222-3333-444455556666}\nend of message]LOG]!><time="04:00:00.000-540" '
    'date="11-20-2026" component="ContentTransferManager" context="" type="3" thread="2500" '
    'file="ctmjob.cpp:1000">'
)
HITS = [
    '<![LOG[OnSearchComplete - Failed to end search job. Error = 0x80072ee2.]LOG]!><time="03:15:00.000-540" '
    'date="11-20-2026" component="WUAHandler" context="" type="3" thread="3000" file="cwuahandler.cpp:3989">',
    "2015-06-10\t10:12:33:123\t 900\t a1c\tAgent\t"
    "WARNING: ISusInternal::GetUpdateMetadata2 failed, hr=8007000E",
    MULTILINE,
    '<![LOG[Some unrelated failure 0x80070005]LOG]!><time="03:15:00.000-540" date="11-20-2026" '
    'component="X" context="" type="3" thread="1" file="x.cpp:1">',
]


def _big_log() -> str:
    lines = []
    for i in range(4000):
        lines.append(NOISE.format(s=i % 60))
        if i % 500 == 7:
            lines.append(HITS[(i // 500) % len(HITS)])
    text = "\n".join(lines)
    assert len(text) > PREFILTER_MIN_CHARS
    return text


def test_prefilter_gives_the_same_explanation() -> None:
    """Findings, evidence (lines, counts) and codes agree with a full parse of every line."""
    base = load_entries(())
    fast = build_knowledge(base, "auto")
    assert fast.prefilter is not None
    slow = build_knowledge(base, "re")
    assert slow.prefilter is None
    text = _big_log()
    a = explain_with(fast, text, source="big.log")
    b = explain_with(slow, text, source="big.log")
    assert [f.id for f in a.findings] == [f.id for f in b.findings]
    assert {f.id for f in a.findings} >= {
        "sup-scan-timeout",
        "wua-scan-out-of-memory",
        "content-location-empty",
    }
    for x, y in zip(a.findings, b.findings, strict=True):
        assert [(e.line, e.count, e.text) for e in x.evidence] == [
            (e.line, e.count, e.text) for e in y.evidence
        ]
    assert [c.code for c in a.codes] == [c.code for c in b.codes]
    assert "0x80070005" in [c.code for c in a.codes]


def test_e12_candidates_stream_multiline_records() -> None:
    """E12: records are found while walking the text; a multi-line record after another is whole."""
    prefilter = knowledge().prefilter
    if prefilter is None:
        pytest.skip("hyperscan is not installed")
    filler = "\n".join(f"noise line {i}" for i in range(500))
    text = (
        filler
        + '\n<![LOG[first\nScan failed with error = 0x80244022.]LOG]!><time="1:00:00.000+000" '
        + 'date="01-01-2026" component="WUAHandler" context="" type="3" thread="1" file="x">\n'
        + "tail\n<![LOG[second\nstill second Scan failed with error = 0x80072ee2.]LOG]!>"
        + '<time="1:00:01.000+000" date="01-01-2026" component="WUAHandler" context="" type="3" thread="1" file="x">\n'
        + "x" * 9000
        + "\n"
    )
    candidates = candidate_lines(prefilter, text, file="WUAHandler.log")
    records = list(candidates.records())
    assert [r.line for r in records] == [501, 504]
    assert records[0].text.startswith("first") and records[1].text.startswith("second")
    assert candidates.long_lines == 1
