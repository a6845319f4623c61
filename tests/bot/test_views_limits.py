"""Block Kit builders stay within Slack's limits whatever the input, verdict first. The limits are
Slack's published ones (tests/slack_limits.yaml, through the `payload_problems` fixture), never
the constants in bot/views.py."""

import json
from typing import Any

import pytest

from bot.render.blocks import (
    Message,
    check_detail_message,
    check_summary_message,
    explanation_message,
    render_text,
)
from knowledge.explain import explain
from knowledge.findings import Evidence, Finding, said
from probes.report import CheckItem, HostReport

MSG_BLOCKS_TOO_LONG = 13_000
"""Not a documented limit: Slack answers `msg_blocks_too_long` near 13 k characters of blocks
(slackapi/bolt-js#2509, #2867); the builders stay under it."""


@pytest.fixture
def within(payload_problems: Any) -> Any:
    def check(message: Message) -> None:
        problems = payload_problems(message.as_kwargs(), "built")
        assert not problems, "\n".join(problems[:5])
        assert len(json.dumps(message.blocks, ensure_ascii=False)) < MSG_BLOCKS_TOO_LONG

    return check


def _finding(n: int) -> Finding:
    return Finding(
        id=f"cause-{n}",
        title=f"Cause number {n} " + "x" * 200,
        confidence=0.9,
        summary="s" * 4000,
        evidence=[Evidence(text="e" * 5000, line=i, file="a.log") for i in range(10)],
        remedy=[f"step {i} " + "r" * 800 for i in range(12)],
        links=[f"https://example.com/{i}" for i in range(10)],
    )


def test_check_with_20_findings_fits(within: Any) -> None:
    """A host report with 20 long findings renders within every limit; the verdict leads."""
    report = HostReport(
        host="pc-1",
        reachable=True,
        checks=[
            CheckItem(check="disk", status="fail", message=said("ev.raw", text="d" * 300)) for _ in range(40)
        ],
        findings=[_finding(n) for n in range(20)],
    )
    for message in (check_detail_message(report, "en"), check_summary_message([report], "en", token="t")):
        within(message)
        assert message.text.startswith("pc-1: ")
    many = check_summary_message([report.model_copy(update={"host": f"pc-{i}"}) for i in range(500)], "ja")
    within(many)


def test_five_megabyte_log_fits(within: Any) -> None:
    """The explanation of a 5 MB log with many causes renders within every limit."""
    lines = []
    for i in range(60_000):
        lines.append(f"OnSearchComplete - Failed to end search job. Error = 0x80072ee2. run {i}")
        lines.append(
            f"[CCMHTTP] ERROR: URL=http://mp{i}/ccm_system/request, Port=80, Code=0, Text=ERROR_WINHTTP_TIMEOUT"
        )
    text = "\n".join(lines)
    assert len(text) > 5 * 1024 * 1024
    message = explanation_message(explain(text), "en", token="explain:en:x" * 300)
    within(message)
    assert message.text and "\n" not in message.text[:80]


def test_user_text_is_escaped_and_rendered() -> None:
    """Angle brackets from user text cannot become links or mentions; text renders for a terminal."""
    message = explanation_message(explain("<!channel> 0x80244022"), "en")
    assert "<!channel>" not in json.dumps(message.blocks)
    assert "0x80244022" in render_text(message)


def test_remedy_and_evidence_replies_fit_or_become_a_file(within: Any) -> None:
    """Behind the buttons: remedy steps for 20 long causes fit; evidence that cannot fit is None
    (it goes out as a file, uncut), and short evidence is a message within the limits."""
    from bot.render.blocks import evidence_message, evidence_text, remedy_message  # noqa: PLC0415
    from knowledge.findings import Explanation  # noqa: PLC0415

    many = Explanation(findings=[_finding(n) for n in range(20)])
    within(remedy_message(many, "ja"))
    assert remedy_message(many, "en").text.startswith("Remedy steps for: Cause number 0")
    assert evidence_message(many, "en") is None
    assert ("e" * 5000) in evidence_text(many, "en")
    short = explain("OnSearchComplete - Failed to end search job. Error = 0x80072ee2.")
    message = evidence_message(short, "en")
    assert message is not None
    within(message)


def test_a_typed_code_is_not_shown_as_evidence() -> None:
    """`/cmerr 0x80244022` has no Evidence block (the code is what was typed); a log line does."""
    typed = json.dumps(explanation_message(explain("0x80244022"), "en").blocks)
    assert "*Evidence*" not in typed
    logged = explanation_message(
        explain("OnSearchComplete - Failed to end search job. Error = 0x80244022."), "en"
    )
    assert "*Evidence*" in json.dumps(logged.blocks)
