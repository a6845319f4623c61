"""The buttons on an explanation: Remedy steps and Evidence post once in the thread (evidence too
long for a message goes out as a file), English/日本語 re-renders, and each says so when it cannot."""

import asyncio
import json

from bot.loopback.payloads import file_shared_event, message_event
from bot.loopback.web_api import Harness

TWO_CAUSES = (
    "OnSearchComplete - Failed to end search job. Error = 0x80072ee2.\n"
    "[CCMHTTP] ERROR: URL=http://mp01.corp.example/ccm_system/request, Port=80, Code=0, Text=ERROR_WINHTTP_NAME_NOT_RESOLVED"
)


def _buttons(message: dict) -> dict[str, str]:  # type: ignore[type-arg]
    """action_id → value of every button in a posted message."""
    return {
        element["action_id"]: element["value"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


async def _pasted(harness: Harness, text: str, ts: str = "700.1") -> dict:  # type: ignore[type-arg]
    event = message_event(text, ts=ts)
    await harness.bot.event(event, event_id=f"Ev{ts}")
    async with asyncio.timeout(30):  # the first explanation starts the explain pool's process
        return (await harness.slack.wait_for("chat.postMessage"))[-1]


async def test_pasted_lines_offer_remedy_evidence_and_language(harness: Harness) -> None:
    """A reply to pasted log lines has the three buttons; the second cause is one line, not its steps."""
    reply = await _pasted(harness, TWO_CAUSES)
    assert list(_buttons(reply)) == [
        "cmbot_remedy",
        "cmbot_evidence",
        "cmbot_lang",
        "cmbot_feedback_right",
        "cmbot_feedback_wrong",
    ]
    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert text.count("1. ") == 1  # only the top cause's steps are inline


async def test_remedy_steps_post_once_in_the_thread(harness: Harness) -> None:
    """Remedy steps posts every cause's steps in the thread once; a second click is told so."""
    reply = await _pasted(harness, TWO_CAUSES)
    token = _buttons(reply)["cmbot_remedy"]
    for _ in range(2):
        status, _ = await harness.bot.click(
            "cmbot_remedy",
            token,
            message_ts="900.1",
            thread_ts="700.1",
            response_url=harness.slack.response_url(),
        )
        assert status == 200
    async with asyncio.timeout(10):
        posts = await harness.slack.wait_for("chat.postMessage", 2)
        (again,) = await harness.slack.wait_for("response_url")
    remedy = posts[1]
    assert remedy["thread_ts"] == "700.1" and remedy["text"].startswith("Remedy steps for: ")
    blocks = json.dumps(remedy["blocks"], ensure_ascii=False)
    assert "scan timed out" in blocks.lower() or "0x80072EE2" in blocks
    assert "management point" in blocks.lower()
    assert again["response_type"] == "ephemeral" and again["replace_original"] is False
    assert again["text"] == "ℹ️ Already posted in this thread."
    assert len(harness.slack.of("chat.postMessage")) == 2


async def test_evidence_posts_whole_lines_in_the_thread(harness: Harness) -> None:
    """Evidence posts each line whole (the reply cut it at 300 characters), with its line number."""
    long_line = "OnSearchComplete - Failed to end search job. Error = 0x80072ee2. " + "detail " * 80
    reply = await _pasted(harness, "first line\n" + long_line)
    await harness.bot.click(
        "cmbot_evidence", _buttons(reply)["cmbot_evidence"], message_ts="900.2", thread_ts="700.1"
    )
    async with asyncio.timeout(10):
        posts = await harness.slack.wait_for("chat.postMessage", 2)
    evidence = json.dumps(posts[1]["blocks"], ensure_ascii=False)
    assert posts[1]["thread_ts"] == "700.1"
    assert "line 2" in evidence and long_line.strip() in evidence


async def test_long_evidence_from_an_upload_goes_out_as_a_file(harness: Harness) -> None:
    """An uploaded log whose evidence cannot fit a message gets it as a file in the thread, uncut."""
    lines = []
    for n in range(400):
        lines.append(
            f"OnSearchComplete - Failed to end search job. Error = 0x80072ee2. attempt {n} " + "x" * 900
        )
        lines.append(
            f"[CCMHTTP] ERROR: URL=http://mp{n}/ccm_system/request, Port=80, Code=0, Text=ERROR_WINHTTP_TIMEOUT "
            + "y" * 900
        )
        lines.append(f"Received empty location update for CTM Job {{{n:08d}-0000}} " + "z" * 900)
    harness.slack.add_file("F9", "CcmLogs.log", "\n".join(lines).encode(), "C1", "800.8")
    await harness.bot.event(file_shared_event("F9"))
    async with asyncio.timeout(15):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    buttons = _buttons(reply)
    assert buttons["cmbot_evidence"].startswith("text:en:")  # the stored explanation, not the file again
    await harness.bot.click(
        "cmbot_evidence", buttons["cmbot_evidence"], message_ts="900.3", thread_ts="800.8"
    )
    async with asyncio.timeout(15):
        (complete,) = await harness.slack.wait_for("files.completeUploadExternal")
    assert complete["channel_id"] == "C1" and complete["thread_ts"] == "800.8"
    assert "is in the attached file" in complete["initial_comment"]
    (uploaded,) = harness.slack.uploads.values()
    text = uploaded.decode()
    assert "CcmLogs.log:" in text and "x" * 900 in text and "z" * 900 in text
    assert max(len(line) for line in text.splitlines()) > 1000  # whole lines, not the 300-character cut
    assert len(harness.slack.of("chat.postMessage")) == 1  # the evidence is the file, not a cut message


async def test_a_bare_code_has_no_evidence_button(harness: Harness) -> None:
    """`/cmerr 0x80244022` offers Remedy steps and 日本語; there is no log evidence to show."""
    await harness.bot.command("/cmerr", "0x80244022", response_url=harness.slack.response_url())
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("response_url")
    assert list(_buttons(reply)) == [
        "cmbot_remedy",
        "cmbot_lang",
        "cmbot_feedback_right",
        "cmbot_feedback_wrong",
    ]


async def test_remedy_where_the_bot_cannot_post_goes_to_the_clicker(harness: Harness) -> None:
    """In a channel the bot was not invited to, the remedy steps reach the person who clicked."""
    harness.slack.not_in_channels.add("C7")
    await harness.bot.click(
        "cmbot_remedy",
        "explain:en:0x800704c7",
        message_ts="1.1",
        channel="C7",
        response_url=harness.slack.response_url(),
    )
    async with asyncio.timeout(10):
        (answer,) = await harness.slack.wait_for("response_url")
    assert answer["response_type"] == "ephemeral" and answer["text"].startswith("Remedy steps for: ")
    await harness.bot.click(
        "cmbot_remedy",
        "explain:en:0x800704c7",
        message_ts="1.1",
        channel="C7",
        user="U2",
        response_url=harness.slack.response_url(),
    )
    async with asyncio.timeout(10):
        answers = await harness.slack.wait_for("response_url", 2)
    assert answers[1]["text"].startswith(
        "Remedy steps for: "
    )  # not "already posted": nothing is in the thread


async def test_language_button_on_an_upload_reads_the_file_again(harness: Harness) -> None:
    """日本語 on a file reply re-reads the upload and answers in Japanese, keeping the file token."""
    harness.slack.add_file(
        "F3",
        "WUAHandler.log",
        b"OnSearchComplete - Failed to end search job. Error = 0x80072ee2.",
        "C1",
        "3.3",
    )
    await harness.bot.click(
        "cmbot_lang", "file:en:F3", message_ts="3.4", response_url=harness.slack.response_url()
    )
    async with asyncio.timeout(10):
        (answer,) = await harness.slack.wait_for("response_url")
    assert answer["replace_original"] is True and "タイムアウト" in answer["text"]
    assert _buttons(answer)["cmbot_lang"] == "file:ja:F3"


async def test_stale_buttons_get_a_short_answer(harness: Harness) -> None:
    """A button whose file is gone, or whose value is not ours, answers in one ephemeral line."""
    await harness.bot.click(
        "cmbot_evidence", "file:en:FGONE", message_ts="5.5", response_url=harness.slack.response_url()
    )
    await harness.bot.click(
        "cmbot_remedy", "rm -rf /", message_ts="5.6", response_url=harness.slack.response_url()
    )
    async with asyncio.timeout(10):
        answers = await harness.slack.wait_for("response_url", 2)
    texts = sorted(a["text"] for a in answers)
    assert texts == [
        "This reply can no longer be rebuilt: The file is no longer available.",
        "⚠️ This reply can no longer be rebuilt: unknown button",
    ]
    assert all(a["response_type"] == "ephemeral" for a in answers)
