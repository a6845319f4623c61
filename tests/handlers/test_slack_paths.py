"""Each user path through the real app: what the bot acked and what it posted to Slack."""

import asyncio
import json
import time

from bot.loopback.payloads import bot_message_event, file_shared_event, message_event
from bot.loopback.web_api import Harness


async def test_cmerr_answers_through_response_url(harness: Harness) -> None:
    """`/cmerr 0x80244022` is acked at once and answered in the channel, verdict first."""
    started = time.monotonic()
    status, _ = await harness.bot.command("/cmerr", "0x80244022", response_url=harness.slack.response_url())
    assert status == 200 and time.monotonic() - started < 3
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("response_url")
    assert "0x80244022" in reply["text"] and "503" in reply["text"]
    assert reply["response_type"] == "in_channel"
    assert reply["blocks"][0]["text"]["text"].startswith("*")


async def test_cmcheck_posts_checking_then_verdict_then_thread(harness: Harness) -> None:
    """`/cmcheck` posts "checking…", updates it with the verdict, and details the host in its thread."""
    status, body = await harness.bot.command("/cmcheck", "lab-sup-scan-timeout")
    assert status == 200 and body == ""
    async with asyncio.timeout(20):
        (first,) = await harness.slack.wait_for("chat.postMessage")
        (update,) = await harness.slack.wait_for("chat.update")
        posts = await harness.slack.wait_for("chat.postMessage", 2)
    assert first["text"].startswith("Checking lab-sup-scan-timeout")
    assert update["text"].startswith("lab-sup-scan-timeout: sup-scan-timeout:")
    detail = posts[1]
    assert detail["thread_ts"] == update["ts"]
    assert "❌ Scan (WUAHandler.log)" in json.dumps(detail["blocks"], ensure_ascii=False)
    assert harness.deps.recent["U1"][0] == "lab-sup-scan-timeout"


async def test_cmcheck_bad_host_is_refused_in_the_ack(harness: Harness) -> None:
    """A bad host name gets a short ephemeral answer and nothing is posted or checked."""
    status, body = await harness.bot.command("/cmcheck", "pc1;Remove-Item")
    assert status == 200
    answer = json.loads(body)
    assert answer["response_type"] == "ephemeral" and "not a valid host name" in answer["text"]
    assert harness.slack.of("chat.postMessage") == []


async def test_pasted_code_gets_one_threaded_reply(harness: Harness) -> None:
    """A message with a known code gets one reply in its thread; a retried delivery gets none."""
    event = message_event(
        "WUAHandler says OnSearchComplete - Failed to end search job. Error = 0x80072ee2.", ts="100.1"
    )
    assert (await harness.bot.event(event, event_id="Ev1"))[0] == 200
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    assert reply["thread_ts"] == "100.1"
    assert "0x80072EE2" in reply["text"]
    status, _ = await harness.bot.event(
        event, event_id="Ev1", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert status == 200
    await harness.bot.event(event, event_id="Ev2")
    later = {**event, "ts": "100.9"}
    await harness.bot.event(later, event_id="Ev3")
    async with asyncio.timeout(10):
        posts = await harness.slack.wait_for("chat.postMessage", 2)
    assert [p["thread_ts"] for p in posts] == ["100.1", "100.9"]


async def test_chatter_bots_and_edits_are_ignored(harness: Harness) -> None:
    """No reply to chatter, to bots, to the bot itself, or to edits."""
    events = [
        message_event("lunch at noon?", ts="1.1"),
        bot_message_event("0x80072ee2", ts="1.2"),
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C1",
            "ts": "1.3",
            "message": {"text": "0x80072ee2"},
        },
        {"type": "message", "channel": "C1", "user": "UBOT", "ts": "1.4", "text": "0x80072ee2"},
    ]
    for number, event in enumerate(events):
        assert (await harness.bot.event(event, event_id=f"Ev{number}"))[0] == 200
    await harness.bot.command("/cmerr", "0x80244022", response_url=harness.slack.response_url())
    async with asyncio.timeout(10):
        await harness.slack.wait_for("response_url")
    assert harness.slack.of("chat.postMessage") == []


async def test_bad_signature_and_old_timestamp_are_rejected(harness: Harness) -> None:
    """A request with a wrong signature, or one signed over 5 minutes ago, gets 401."""
    body = "command=%2Fcmerr&text=0x80244022&user_id=U1&channel_id=C1"
    status, _ = await harness.bot.post(
        body, "application/x-www-form-urlencoded", headers={"X-Slack-Signature": "v0=deadbeef"}
    )
    assert status == 401
    status, _ = await harness.bot.post(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 400
    )
    assert status == 401
    assert harness.slack.calls == [] or all(c.method == "auth.test" for c in harness.slack.calls)


async def test_uploaded_log_is_scanned_and_answered_in_thread(harness: Harness) -> None:
    """A shared log file is downloaded with the bot token and answered with line numbers."""
    log = "\n".join(
        [
            '<![LOG[Successfully completed scan.]LOG]!><time="03:00:00.000-540" date="11-20-2026" component="WUAHandler" '
            'context="" type="1" thread="1" file="a.cpp:1">'
        ]
        * 3
        + [
            '<![LOG[OnSearchComplete - Failed to end search job. Error = 0x80244022.]LOG]!><time="03:15:00.000-540" '
            'date="11-20-2026" component="WUAHandler" context="" type="3" thread="1" file="a.cpp:2">'
        ]
    )
    harness.slack.add_file("F1", "WUAHandler.log", log.encode(), "C1", "200.2")
    await harness.bot.event(file_shared_event("F1"))
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    assert reply["thread_ts"] == "200.2"
    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "WUAHandler.log:4" in text and "0x80244022" in reply["text"]
    assert "2026-11-20 03:15:00" in text  # the line's own time


async def test_language_button_switches_to_japanese(harness: Harness) -> None:
    """The 日本語 button re-renders the explanation in Japanese in place."""
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "team": {"id": "T1"},
        "response_url": harness.slack.response_url(),
        "trigger_id": "1.2",
        "message": {"ts": "300.3", "text": "x"},
        "actions": [
            {
                "action_id": "cmbot_lang",
                "block_id": "b",
                "value": "explain:en:0x800704c7",
                "type": "button",
                "action_ts": "1",
            }
        ],
    }
    assert (await harness.bot.interactive(payload))[0] == 200
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("response_url")
    assert reply["replace_original"] is True
    assert "最長実行時間" in reply["text"]


async def test_message_shortcut_diagnoses_in_thread(harness: Harness) -> None:
    """ "Diagnose with cmbot" explains the chosen message in its thread."""
    status, _ = await harness.bot.shortcut(
        "WARNING: ISusInternal::GetUpdateMetadata2 failed, hr=8007000E", ts="400.4"
    )
    assert status == 200
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    assert reply["thread_ts"] == "400.4"
    assert "GetUpdateMetadata2" in reply["text"] or "32-bit" in reply["text"]


async def test_app_home_shows_how_to(harness: Harness) -> None:
    """Opening App Home publishes the how-to and the user's recent checks."""
    await harness.bot.event({"type": "app_home_opened", "user": "U1", "tab": "home"})
    async with asyncio.timeout(10):
        (published,) = await harness.slack.wait_for("views.publish")
    assert published["user_id"] == "U1"
    assert "/cmcheck" in json.dumps(published["view"])


async def test_japanese_locale_answers_in_japanese(harness: Harness) -> None:
    """A user whose Slack locale is ja-JP gets Japanese replies."""
    harness.slack.locales["UJ"] = "ja-JP"
    await harness.bot.command("/cmerr", "0x80072ee2", user="UJ", response_url=harness.slack.response_url())
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("response_url")
    assert "タイムアウト" in reply["text"]


async def test_rate_limited_post_is_retried_once_answered(harness: Harness) -> None:
    """A 429 with Retry-After on chat.postMessage is retried; the reply is posted exactly once."""
    harness.slack.rate_limit_next = 1
    event = message_event("error 0x80244022 again", ts="500.5")
    await harness.bot.event(event, event_id="Ev500")
    async with asyncio.timeout(15):
        posts = await harness.slack.wait_for("chat.postMessage")
    assert len(posts) == 1
    assert any(c.method == "429:chat.postMessage" for c in harness.slack.calls)


async def test_server_error_post_is_retried_once_answered(harness: Harness) -> None:
    """A 5xx from chat.postMessage is retried; the reply is posted exactly once."""
    harness.slack.server_error_next = 1
    event = message_event("hr=8007000E in WindowsUpdate.log", ts="600.6")
    await harness.bot.event(event, event_id="Ev600")
    async with asyncio.timeout(15):
        posts = await harness.slack.wait_for("chat.postMessage")
    assert len(posts) == 1
    assert any(c.method == "500:chat.postMessage" for c in harness.slack.calls)


async def test_no_winrm_password_in_anything_posted(harness: Harness, lab) -> None:  # type: ignore[no-untyped-def]
    """Checks of good and failing hosts post no WinRM password (plain or in a Basic header) to Slack."""
    import base64  # noqa: PLC0415

    for host in ("lab-healthy", "lab-winrm-badcreds", "lab-winrm-tls"):
        await harness.bot.command("/cmcheck", host)
    async with asyncio.timeout(30):
        await harness.slack.wait_for("chat.postMessage", 6)
    seen = json.dumps([c.args for c in harness.slack.calls], ensure_ascii=False)
    password = lab.credentials.password
    assert password not in seen
    assert base64.b64encode(f"{lab.credentials.qualified}:{password}".encode()).decode() not in seen
    assert "credentials were rejected" in seen


def _cmtrace(message: str, when: str = "03:15:00.000-540", component: str = "WUAHandler") -> str:
    return (
        f'<![LOG[{message}]LOG]!><time="{when}" date="11-20-2026" component="{component}" '
        'context="" type="3" thread="1" file="a.cpp:2">'
    )


async def test_uploaded_zip_of_ccm_logs_names_the_file_line_and_time(harness: Harness) -> None:
    """A zip of CCM\\Logs is read member by member; the evidence names the member, line and time."""
    import io  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Logs/CcmExec.log", _cmtrace("Service started", component="CcmExec"))
        archive.writestr(
            "Logs/ContentTransferManager.log",
            "\n".join(
                [
                    _cmtrace("CTM job {A1} entered state", component="ContentTransferManager"),
                    _cmtrace(
                        "CTM job {A1} (corresponding DTS job {B2}) Received empty location update for CTM Job {A1}",
                        when="04:05:06.000-540",
                        component="ContentTransferManager",
                    ),
                ]
            ),
        )
    harness.slack.add_file("FZ", "CCMLogs.zip", buffer.getvalue(), "C1", "210.1")
    await harness.bot.event(file_shared_event("FZ"))
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert reply["thread_ts"] == "210.1"
    assert "ContentTransferManager.log:2" in text and "04:05:06" in text
    assert "distribution point" in reply["text"].lower()


async def test_oversized_and_undownloadable_uploads_get_one_short_line(harness: Harness) -> None:
    """An upload over the cap is not downloaded; one that cannot be fetched says so; both in the thread."""
    harness.slack.add_file("FBIG", "huge.log", b"x", "C1", "220.1")
    harness.slack.files["FBIG"]["size"] = 65 * 1024 * 1024
    harness.slack.add_file("FNO", "gone.log", b"x", "C1", "220.2")
    harness.slack.files["FNO"]["url_private_download"] = f"{harness.slack.url}/files/missing"
    await harness.bot.event(file_shared_event("FBIG"), event_id="EvBig")
    await harness.bot.event(file_shared_event("FNO"), event_id="EvNo")
    async with asyncio.timeout(10):
        posts = await harness.slack.wait_for("chat.postMessage", 2)
    by_thread = {p["thread_ts"]: p["text"] for p in posts}
    assert by_thread == {
        "220.1": "`huge.log` is over 64 MB; not scanned.",
        "220.2": "Could not download `gone.log`.",
    }


async def test_binary_upload_is_answered_without_a_traceback(harness: Harness) -> None:
    """Random bytes uploaded as a log get a plain "no known cause" answer, not an error."""
    import random  # noqa: PLC0415

    noise = random.Random(7).randbytes(200_000)
    harness.slack.add_file("FBIN", "memory.dmp", noise, "C1", "230.1")
    await harness.bot.event(file_shared_event("FBIN"))
    async with asyncio.timeout(15):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    assert reply["thread_ts"] == "230.1"
    assert reply["text"] == "No known cause found" or reply["text"].startswith("0x")
    assert "Traceback" not in json.dumps(reply, ensure_ascii=False)
