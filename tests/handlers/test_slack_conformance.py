"""Slack as Slack really is: escaped text in, hostile names, threads, whole messages replaced.

One test per finding of the conformance review (shared/reference/slack-conformance.md), each
driven with payloads shaped like Slack's (bot/loopback/payloads.py). Every payload the bot sends
is also checked against Slack's published rules by the `slack_conformance` fixture.
"""

import asyncio
import json
import re
from typing import Any

from pydantic import SecretStr

from bot.loopback.payloads import (
    block_actions_payload,
    bot_message_event,
    file_object,
    file_share_message,
    file_shared_event,
    message_changed_event,
    message_event,
)
from bot.loopback.web_api import Harness, SlackStandIn, serving_http
from bot.settings import Settings
from bot.slack.app import build_deps
from bot.state.redis_server import EmbeddedRedis
from bot.state.store import MemoryButtonStates
from knowledge.explain import explain

CMTRACE = (
    '<![LOG[OnSearchComplete - Failed to end search job. Error = 0x80244022.]LOG]!><time="03:15:00.000-540" '
    'date="11-20-2026" component="WUAHandler" context="" type="3" thread="1" file="a.cpp:2">'
)
HOSTILE_NAME = "<!channel> <https://evil.example/f|report> *urgent* & <@U0BOSS>.log"
HOSTILE_PASTE_RAW = (  # as Slack delivers it: the broadcast, a mention and a labelled link are live sequences
    "OnSearchComplete - Failed to end search job. Error = 0x80244022. "
    "<!channel> <@U0BOSS> <https://evil.example/f|report> *bold* &amp; more"
)


def _all_text(payload: dict[str, Any]) -> str:
    return json.dumps({"text": payload.get("text"), "blocks": payload.get("blocks")}, ensure_ascii=False)


def _no_live_sequences(payload: dict[str, Any]) -> None:
    text = _all_text(payload)
    for live in ("<!channel>", "<!here>", "<@U0BOSS>", "<https://evil.example/f|report>", "|report>"):
        assert live not in text, live


def _shown(mrkdwn: str) -> str:
    """What a Slack client shows for mrkdwn: entities decoded once."""
    return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    return {
        e["action_id"]: e["value"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    }


async def test_hostile_upload_name_is_shown_as_typed(harness: Harness) -> None:
    """Finding 1: an upload named `<!channel> <https://evil…|report>.log` posts no broadcast and no
    link, in the channel reply and in the ephemeral answer to a button, and shows the name as typed."""
    harness.slack.add_file("FBIG", HOSTILE_NAME, b"x", "C1", "220.1")
    harness.slack.files["FBIG"]["size"] = 65 * 1024 * 1024
    harness.slack.add_file("FNO", HOSTILE_NAME, b"x", "C1", "220.2")
    harness.slack.files["FNO"]["url_private_download"] = f"{harness.slack.url}/files/missing"
    await harness.bot.event(file_shared_event("FBIG"), event_id="EvBig")
    await harness.bot.event(file_shared_event("FNO"), event_id="EvNo")
    await harness.bot.click("cmbot_evidence", "file:en:FNO", message_ts="220.3")
    async with asyncio.timeout(10):
        posts = await harness.slack.wait_for("chat.postMessage", 2)
        (gone,) = await harness.slack.wait_for("response_url")
    for payload in [*posts, gone]:
        _no_live_sequences(payload)
        assert f"`{HOSTILE_NAME}`" in _shown(payload["text"])  # a code span: `*` and `&` as typed
    assert gone["response_type"] == "ephemeral"


async def test_cmcheck_refusal_escapes_the_target_in_the_ack(harness: Harness) -> None:
    """Finding 2: a refused target is quoted escaped in the ack's top-level text and its block."""
    status, body = await harness.bot.command("/cmcheck", "group:&lt;!channel&gt;&amp;x")
    ack = json.loads(body)
    assert status == 200 and ack["response_type"] == "ephemeral"
    assert ack["text"] == "⚠️ no host group named '&lt;!channel&gt;&amp;x' (see CMBOT_GROUPS)"
    _no_live_sequences(ack)
    status, body = await harness.bot.command("/cmcheck", "pc-1 <!channel>")
    assert "<!channel>" not in body and "'@channel' is not a valid host name" in json.loads(body)["text"]


async def test_slack_escaped_cmtrace_paste_keeps_its_timestamp(harness: Harness) -> None:
    """Finding 3: a CMTrace line pasted in Slack (delivered entity-escaped) gives the same findings,
    with the line's time, as the raw text, and shows no `&lt;`; so do /cmerr and the shortcut."""
    raw = explain(CMTRACE)
    assert raw.findings and raw.findings[0].evidence[0].timestamp is not None
    await harness.bot.event(message_event(CMTRACE, ts="300.1"), event_id="EvPaste")
    await harness.bot.command(
        "/cmerr",
        '&lt;![LOG[OnSearchComplete - Failed to end search job. Error = 0x80244022.]LOG]!&gt;&lt;time="03:15:00.000-540" date="11-20-2026" component="WUAHandler" context="" type="3" thread="1" file="a.cpp:2"&gt;',
    )
    await harness.bot.shortcut(CMTRACE, ts="300.2")
    async with asyncio.timeout(15):
        posts = await harness.slack.wait_for("chat.postMessage", 2)
        (command,) = await harness.slack.wait_for("response_url")
    for reply in [*posts, command]:
        text = _all_text(reply)
        assert "2026-11-20 03:15:00" in text, text[:400]
        assert "&amp;lt;" not in text and "LOG]!" not in _shown(text)
        assert raw.findings[0].title.split(" (")[0][:20] in _shown(text)
    assert sorted(p["thread_ts"] for p in posts) == ["300.1", "300.2"]


async def test_log_shared_in_a_thread_is_answered_in_that_thread(harness: Harness) -> None:
    """Finding 5: a log shared as a reply is answered in the thread's parent, not the reply's ts."""
    harness.slack.add_file("FT", "WUAHandler.log", CMTRACE.encode(), "C1", "500.2", thread_ts="500.1")
    await harness.bot.event(file_shared_event("FT"))
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    assert reply["thread_ts"] == "500.1"


async def test_a_refused_queue_replaces_the_checking_message_whole() -> None:
    """Finding 6: when the queue refuses after "⏳ Checking…" was posted, chat.update sends new
    blocks with the text, so the channel shows "Not started" instead of a check that never ends."""
    async with SlackStandIn() as slack:
        settings = Settings(
            slack_bot_token=SecretStr("xoxb-test-token"),
            slack_signing_secret=SecretStr("s"),
            slack_api_url=slack.api_url,
        )
        deps = build_deps(settings, redis_url=EmbeddedRedis().url)  # never started: the queue refuses
        deps.rate_limiter = None
        deps.buttons = MemoryButtonStates()
        async with serving_http(deps, "s") as driver:
            await driver.command("/cmcheck", "lab-healthy")
            async with asyncio.timeout(15):
                (update,) = await slack.wait_for("chat.update")
    assert update["text"].startswith("⚠️ Not started: ")
    assert "blocks" in update and "Checking" not in json.dumps(update["blocks"])
    assert "Not started" in update["blocks"][0]["text"]["text"]


async def test_hostile_paste_posts_no_mention_broadcast_or_link(harness: Harness) -> None:
    """A paste carrying `<!channel>`, `<@U…>`, `<https://x|y>`, `*` and `&` is answered without any
    of them live, and the evidence shows the line as the person saw it (in a code span)."""
    await harness.bot.event(message_event("", ts="600.1", raw=HOSTILE_PASTE_RAW), event_id="EvHostile")
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    _no_live_sequences(reply)
    await harness.bot.click(
        "cmbot_evidence", _buttons(reply)["cmbot_evidence"], message_ts="600.9", thread_ts="600.1"
    )
    async with asyncio.timeout(10):
        posts = await harness.slack.wait_for("chat.postMessage", 2)
    _no_live_sequences(posts[1])
    assert "@channel @U0BOSS report *bold* & more" in _shown(_all_text(posts[1]))


async def test_comment_typed_with_an_upload_is_answered_once(harness: Harness) -> None:
    """Realism 2: "scan keeps failing with 0x80244022, log attached" typed as an upload's comment
    (a `file_share` message) is answered once in its thread; a retried delivery is not answered again."""
    harness.slack.add_file("FC", "notes.txt", b"nothing to see", "C1", "700.1")
    event = file_share_message(
        "scan keeps failing with 0x80244022, log attached",
        file=file_object("FC", "notes.txt", harness.slack.url),
        ts="700.1",
    )
    await harness.bot.event(event, event_id="EvShare")
    await harness.bot.event(
        event, event_id="EvShare", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    assert reply["thread_ts"] == "700.1" and "0x80244022" in reply["text"]
    assert _buttons(reply)["cmbot_feedback_right"].endswith("|comment")
    await harness.bot.event(message_event("0x80072ee2", ts="700.2"), event_id="EvNext")
    async with asyncio.timeout(10):
        posts = await harness.slack.wait_for("chat.postMessage", 2)
    assert [p["thread_ts"] for p in posts] == ["700.1", "700.2"]


async def test_edits_and_other_apps_messages_get_no_reply(harness: Harness) -> None:
    """Realism 8: an edit (message_changed) and another app's message (bot_id + bot_profile) are not answered."""
    await harness.bot.event(
        message_changed_event("0x80244022", ts="800.1", previous="0x8024"), event_id="EvEd"
    )
    await harness.bot.event(bot_message_event("Error = 0x80244022", ts="800.2"), event_id="EvBot")
    await harness.bot.event(message_event("0x80072ee2", ts="800.3"), event_id="EvReal")
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    assert reply["thread_ts"] == "800.3"


async def test_a_20_kb_paste_rebuilds_from_all_of_it(harness: Harness) -> None:
    """A 20 KB paste whose failing line is at the end: Evidence and 日本語 rebuild from the whole
    paste (kept behind a short button value), not its first 1,900 characters."""
    quiet = "\n".join(f"Successfully completed scan. run {n} " + "." * 60 for n in range(260))
    paste = quiet + "\nOnSearchComplete - Failed to end search job. Error = 0x80072ee2."
    assert len(paste) > 20_000
    await harness.bot.event(message_event(paste, ts="900.1"), event_id="EvLong")
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    buttons = _buttons(reply)
    assert all(len(value) < 100 for value in buttons.values())
    await harness.bot.click(
        "cmbot_evidence", buttons["cmbot_evidence"], message_ts="900.5", thread_ts="900.1"
    )
    await harness.bot.click("cmbot_lang", buttons["cmbot_lang"], message_ts="900.5", thread_ts="900.1")
    async with asyncio.timeout(10):
        posts = await harness.slack.wait_for("chat.postMessage", 2)
        (japanese,) = await harness.slack.wait_for("response_url")
    assert re.search(r"line 261\b", _all_text(posts[1]))
    assert "0x80072EE2" in japanese["text"] and "タイムアウト" in japanese["text"]


async def test_expired_button_state_says_to_run_it_again(harness: Harness) -> None:
    """A button whose state expired answers the clicker in one line: paste or run it again."""
    await harness.bot.click("cmbot_remedy", "text:en:gone", message_ts="1.1")
    await harness.bot.click("cmbot_rerun", "rerun:0123456789abcdef0123456789abcdef", message_ts="1.2")
    async with asyncio.timeout(10):
        answers = await harness.slack.wait_for("response_url", 2)
    texts = sorted(a["text"] for a in answers)
    assert texts == [
        "⚠️ This Re-run is too old to repeat; run /cmcheck again.",
        "⚠️ This reply can no longer be rebuilt: this answer is too old to rebuild; paste the text or run the command again.",
    ]
    assert harness.slack.of("chat.postMessage") == []


async def test_phone_punctuation_in_commands_is_read_as_typed(harness: Harness) -> None:
    """Mobile keyboards send curly quotes and no-break spaces: `/cmcheck “lab-healthy”\u00a0kb:KB5031356`
    is the same check as with plain quotes, not a refused host name."""
    status, body = await harness.bot.command("/cmcheck", "\u201clab-healthy\u201d\u00a0kb:KB5031356")
    assert (status, body) == (200, "")
    async with asyncio.timeout(30):
        (pending, *_) = await harness.slack.wait_for("chat.postMessage")
        await harness.slack.wait_for("chat.update")
    assert pending["text"] == "Checking lab-healthy…"


async def test_app_home_messages_tab_publishes_nothing(harness: Harness) -> None:
    """Realism 9: app_home_opened also fires for the Messages tab; only the Home tab is published."""
    await harness.bot.event(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages", "event_ts": "1.1"},
        event_id="EvMsgTab",
    )
    await harness.bot.event(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1.2"},
        event_id="EvHomeTab",
    )
    async with asyncio.timeout(10):
        (published,) = await harness.slack.wait_for("views.publish")
    await harness.deps.background.drain(timeout_s=10)
    assert len(harness.slack.of("views.publish")) == 1 and published["view"]["type"] == "home"


async def test_a_click_on_an_ephemeral_message_is_answered(harness: Harness) -> None:
    """Realism 5: a click on an ephemeral message carries no `message`, only the container; the
    Remedy steps still reach the channel's thread named there."""
    payload = block_actions_payload(
        "cmbot_remedy",
        "explain:en:0x800704c7",
        message_ts="950.2",
        thread_ts="950.1",
        response_url=harness.bot.response_url(),
    )
    del payload["message"]
    payload["container"]["is_ephemeral"] = True
    assert (await harness.bot.interactive(payload))[0] == 200
    async with asyncio.timeout(10):
        (remedy,) = await harness.slack.wait_for("chat.postMessage")
    assert remedy["thread_ts"] == "950.1" and remedy["text"].startswith("Remedy steps for: ")


async def test_a_typo_is_not_a_denial(harness: Harness) -> None:
    """A bad host name or KB is the request's own problem (⚠️ and why); "Not allowed" is kept for
    what the access policy refuses."""
    _, body = await harness.bot.command("/cmcheck", "pc_1")
    assert json.loads(body)["text"].startswith("⚠️ 'pc_1' is not a valid host name")
    _, body = await harness.bot.command("/cmcheck", "pc-1 kb:KB12")
    assert json.loads(body)["text"].startswith("⚠️ 'KB12' is not a KB number")
