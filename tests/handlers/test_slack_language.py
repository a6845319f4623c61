"""Issue 12: results are data, words are made at the top. Switching a reply's language re-renders
what was kept (no WinRM request, no second download), and a Japanese reply holds no English."""

import asyncio
import json
import re
from typing import Any

from bot.loopback.payloads import file_shared_event, message_event
from bot.loopback.web_api import Harness, SignedDriver
from bot.slack.manifest import SHORTCUT_NAME
from knowledge.causes import CAUSE_IDS
from lab.testing import Lab
from tests._words import fact_words, japanese_entry_words, latin_words_left

JA_USER = "UJ"


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    return {
        element["action_id"]: element["value"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


def _all_text(message: dict[str, Any]) -> str:
    """Every word a reader sees in a message: its text and each block's text and button labels."""
    seen: list[str] = [str(message.get("text") or "")]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                seen.append(node["text"])
            for key, value in node.items():
                if key not in ("action_id", "value", "block_id", "url"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks") or [])
    return "\n".join(seen)


def _requests(lab: Lab, host: str) -> int:
    return int(lab.counters(host).get("requests", 0))  # type: ignore[call-overload]


async def test_check_reply_switches_language_without_asking_the_host_again(
    harness: Harness, lab: Lab
) -> None:
    """The language button on a check summary shows the stored reports in Japanese: the lab host
    counts no WinRM request for it."""
    await harness.bot.command("/cmcheck", "lab-cache-too-small")
    async with asyncio.timeout(30):
        (summary,) = await harness.slack.wait_for("chat.update")
    before = _requests(lab, "lab-cache-too-small")
    assert before > 0
    value = _buttons(summary)["cmbot_check_lang"]
    await harness.bot.click("cmbot_check_lang", value, message_ts=summary["ts"])
    async with asyncio.timeout(10):
        (switched,) = await harness.slack.wait_for("response_url")
    assert switched["replace_original"] is True
    assert "キャッシュ" in switched["text"] and "cache cannot hold" not in switched["text"]
    assert _buttons(switched)["cmbot_check_lang"].startswith("reports:ja:")
    assert _requests(lab, "lab-cache-too-small") == before
    await harness.bot.click(
        "cmbot_check_lang", _buttons(switched)["cmbot_check_lang"], message_ts=summary["ts"]
    )
    async with asyncio.timeout(10):
        back = (await harness.slack.wait_for("response_url", 2))[1]
    assert back["text"] == summary["text"]  # and back to English, word for word
    assert _requests(lab, "lab-cache-too-small") == before


async def test_fleet_reply_switches_language_without_asking_the_hosts_again(
    harness: Harness, lab: Lab
) -> None:
    """A two-host (clustered) summary has the language button too; switching asks neither host."""
    hosts = ["lab-cache-too-small", "lab-sup-scan-timeout"]
    await harness.bot.command("/cmcheck", " ".join(hosts))
    async with asyncio.timeout(30):
        await harness.slack.wait_for("chat.update", 2)
        await harness.slack.wait_for("chat.postMessage", 3)  # checking…, then one detail per host
    summary = next(u for u in harness.slack.of("chat.update") if "cmbot_check_lang" in json.dumps(u))
    before = {host: _requests(lab, host) for host in hosts}
    await harness.bot.click(
        "cmbot_check_lang", _buttons(summary)["cmbot_check_lang"], message_ts=summary["ts"]
    )
    async with asyncio.timeout(10):
        (switched,) = await harness.slack.wait_for("response_url")
    assert "2 台をチェックしました" in _all_text(switched)
    assert {host: _requests(lab, host) for host in hosts} == before


async def test_upload_reply_switches_language_without_downloading_again(harness: Harness) -> None:
    """An uploaded log is downloaded once: its reply's language button re-renders the kept explanation."""
    harness.slack.add_file(
        "F7",
        "WUAHandler.log",
        b"OnSearchComplete - Failed to end search job. Error = 0x80072ee2.",
        "C1",
        "7.1",
    )
    await harness.bot.event(file_shared_event("F7"))
    async with asyncio.timeout(15):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    assert len(harness.slack.of("download")) == 1
    await harness.bot.click(
        "cmbot_lang",
        _buttons(reply)["cmbot_lang"],
        message_ts="7.2",
        response_url=harness.slack.response_url(),
    )
    async with asyncio.timeout(10):
        (switched,) = await harness.slack.wait_for("response_url")
    assert switched["replace_original"] is True and "タイムアウト" in switched["text"]
    assert len(harness.slack.of("download")) == 1  # not fetched again


def _allowed(hosts: list[str], facts: list[object]) -> set[str]:
    # "English": the language button names the other language in that language, as Slack's own
    # language menus do.
    allowed = set(hosts) | set(CAUSE_IDS) | japanese_entry_words() | {"English"}
    for fact in facts:
        allowed |= fact_words(fact)
    return allowed


async def test_a_japanese_check_answer_holds_no_english(harness: Harness) -> None:
    """Summary, checklist, findings, remedies, evidence labels and buttons of a Japanese user's
    check are Japanese: no Latin word is left but names (products, hosts, IDs, facts Windows reported)."""
    harness.slack.locales[JA_USER] = "ja-JP"
    hosts = ["lab-cache-too-small", "lab-winrm-refused", "lab-powershell-2"]
    await harness.bot.command("/cmcheck", hosts[0], user=JA_USER)
    await harness.bot.command("/cmcheck", " ".join(hosts), user=JA_USER)
    async with asyncio.timeout(40):
        await harness.slack.wait_for("chat.update", 3)
        await harness.slack.wait_for("chat.postMessage", 2 + 1 + 3)
    facts = []
    for update in harness.slack.of("chat.update"):
        if value := _buttons(update).get("cmbot_check_lang"):
            kept = await harness.deps.buttons.get("reports:" + value.rsplit(":", 1)[1])
            facts += [r.get("facts") for r in (kept or {}).get("reports", [])]
    assert len(facts) == 4
    said = [_all_text(c.args) for c in harness.slack.calls if c.method in ("chat.postMessage", "chat.update")]
    left = [(latin_words_left(text, allowed=_allowed(hosts, facts)), text) for text in said]
    assert not [text for text in said if "live check" in text]  # the evidence's source label too
    problems = [pair for pair in left if pair[0]]
    assert not problems, "\n\n".join(f"{words}\n{text}" for words, text in problems)


async def test_japanese_notices_and_explanations_hold_no_english(harness: Harness) -> None:
    """What a Japanese user is told about a paste or an upload (binary bytes, a cut, invalid bytes)
    and its explanation are Japanese."""
    harness.slack.locales[JA_USER] = "ja-JP"
    harness.slack.locales["U2"] = "ja-JP"  # the uploader of the stand-in's files
    pastes = ["OnSearchComplete - Failed to end search job. Error = 0x80072ee2.", "hr=8007000E again"]
    for n, text in enumerate(pastes):
        event = message_event(text, ts=f"90{n}.1", user=JA_USER)
        await harness.bot.event(event, event_id=f"EvJ{n}")
    uploads = {
        "FB": ("dump.bin", bytes(range(256)) * 64),
        "FR": ("WUAHandler.log", b"Scan failed with error = 0x80072ee2. \xff\xfe caf\xe9\n"),
    }
    for n, (file_id, (name, body)) in enumerate(uploads.items()):
        harness.slack.add_file(file_id, name, body, "C1", f"95{n}.1")
        await harness.bot.event(file_shared_event(file_id), event_id=f"EvF{n}")
    async with asyncio.timeout(30):
        posts = await harness.slack.wait_for("chat.postMessage", len(pastes) + len(uploads))
    said = [_all_text(post) for post in posts]
    assert any("バイナリ" in text for text in said), said  # the binary notice, in Japanese
    names = [name for name, _ in uploads.values()]
    left = [(latin_words_left(text, allowed=_allowed(names, [])), text) for text in said]
    problems = [pair for pair in left if pair[0]]
    assert not problems, "\n\n".join(f"{words}\n{text}" for words, text in problems)


_COMMAND_SYNTAX = re.compile(r"/[a-z]+(?:[ ,·]+(?!/)[A-Za-z0-9_|:\[\]…\-.\"]+)*")
"""What a user types (`/cmbot lang en|ja|auto`, `/cmcheck HOST [HOST…]`): syntax, not English."""


async def test_japanese_help_settings_usage_home_and_file_problems_hold_no_english(harness: Harness) -> None:
    """Beyond checks and explanations: /cmbot help, settings and its usage, /cmerr's usage in the
    ack, App Home and an upload that cannot be read are Japanese for a Japanese user."""
    harness.slack.locales[JA_USER] = "ja-JP"
    harness.slack.locales["U2"] = "ja-JP"  # the uploader of the stand-in's files
    url = harness.slack.response_url()
    for text in ("help", "settings", "lang klingon", "autoreply off"):
        await harness.bot.command("/cmbot", text, user=JA_USER, response_url=url)
    _, ack = await harness.bot.command("/cmerr", "", user=JA_USER)  # known language: no I/O in the ack
    await harness.bot.event({"type": "app_home_opened", "user": JA_USER, "tab": "home"})
    await harness.bot.event(file_shared_event("F404"), event_id="EvGone")  # files.info: file_not_found
    async with asyncio.timeout(20):
        answers = await harness.slack.wait_for("response_url", 3)  # help, settings, the change
        await harness.slack.wait_for("views.publish")
        await harness.slack.wait_for("chat.postMessage")  # the file problem
    said = [json.loads(ack)["text"], *(_all_text(a) for a in answers)]
    # The shortcut's name is the one the manifest gives Slack (a manifest has one language).
    said += [_all_text(v["view"]).replace(SHORTCUT_NAME, " ") for v in harness.slack.of("views.publish")]
    said += [_all_text(post) for post in harness.slack.of("chat.postMessage")]
    said += [str(a.get("text", "")) for a in SignedDriver.acks[-5:] if a.get("text")]
    assert any("使い方" in text for text in said), said  # /cmbot lang klingon and /cmerr's usage
    assert any("オフ" in text for text in said), said  # the changed setting, worded
    left = [(latin_words_left(_COMMAND_SYNTAX.sub(" ", t), allowed=_allowed([], [])), t) for t in said]
    problems = [pair for pair in left if pair[0]]
    assert not problems, "\n\n".join(f"{words}\n{text}" for words, text in problems)


async def test_japanese_refusals_hold_no_english(harness: Harness) -> None:
    """A refusal (a bad host name, KB or group, an incomplete or unconfigured ConfigMgr target, too
    many hosts) is worded in the reader's language, in the ack or after it."""
    harness.slack.locales[JA_USER] = "ja-JP"
    url = harness.slack.response_url()
    await harness.bot.command("/cmerr", "0x80072ee2", user=JA_USER, response_url=url)  # looks the locale up
    async with asyncio.timeout(20):
        await harness.slack.wait_for("response_url")
    too_many = " ".join(f"pc-{n}" for n in range(501))
    typed = ["bad_host!", "pc-1 kb:KB12", "group:nowhere", "collection:", too_many, "collection:PCs"]
    acks = [
        json.loads((await harness.bot.command("/cmcheck", t, user=JA_USER, response_url=url))[1] or "{}")
        for t in typed
    ]
    async with asyncio.timeout(20):
        *_, not_started = await harness.slack.wait_for("response_url", 2)  # no AdminService configured
    said = [_all_text(a) for a in acks[:-1]] + [_all_text(not_started)]
    assert all(text.strip() for text in said), said
    assert "開始しませんでした" in said[-1] and "ホストが多すぎます" in said[-2], said
    names = ["bad_host", "KB12", "nowhere", "collection", "deployment", "PCs"]
    left = [(latin_words_left(_COMMAND_SYNTAX.sub(" ", t), allowed=_allowed(names, [])), t) for t in said]
    problems = [pair for pair in left if pair[0]]
    assert not problems, "\n\n".join(f"{words}\n{text}" for words, text in problems)
