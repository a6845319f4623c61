"""`cmbot serve` over Socket Mode: the real Bolt handler and slack_sdk client on a loopback
WebSocket, acking envelopes and answering through the Web API stand-in."""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from pydantic import SecretStr

from bot.loopback.socket_mode import SocketModeStandIn
from bot.settings import Settings
from bot.slack.app import build_app, build_deps
from bot.slack.deps import Deps
from bot.slack.server import serve
from lab.testing import Lab

APP_TOKEN = "xapp-1-socket-test-token"


@dataclass
class Socket:
    slack: SocketModeStandIn
    deps: Deps


@pytest.fixture
async def socket(lab: Lab) -> AsyncIterator[Socket]:
    async with SocketModeStandIn() as slack:
        settings = Settings(
            slack_bot_token=SecretStr("xoxb-test-token"),
            slack_signing_secret=SecretStr("s"),
            slack_app_token=SecretStr(APP_TOKEN),
            slack_api_url=slack.api_url,
            cmbot_check_deadline=10,
        )
        deps = build_deps(settings)
        serving = asyncio.create_task(serve(build_app(deps), settings, acking=deps.background.acking))
        try:
            async with asyncio.timeout(10):
                await slack.connected()
            yield Socket(slack, deps)
            await deps.background.drain(timeout_s=30)
        finally:  # also when the connection or the drain times out: close the client before the stand-in
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
    assert APP_TOKEN not in json.dumps([c.args for c in slack.calls])


async def test_cmerr_is_acked_and_answered(socket: Socket) -> None:
    """`/cmerr` over Socket Mode: the envelope is acked at once, the answer goes to response_url."""
    started = time.monotonic()
    async with asyncio.timeout(3):
        ack = await socket.slack.send_command(
            "/cmerr", "0x80244022", response_url=socket.slack.response_url()
        )
    assert time.monotonic() - started < 3 and "payload" not in ack
    async with asyncio.timeout(10):
        (reply,) = await socket.slack.wait_for("response_url")
    assert "0x80244022" in reply["text"] and reply["response_type"] == "in_channel"


async def test_cmcheck_posts_checking_verdict_and_thread(socket: Socket) -> None:
    """`/cmcheck` over Socket Mode: "checking…", then the verdict on it, then the host's detail in its thread."""
    async with asyncio.timeout(3):
        await socket.slack.send_command("/cmcheck", "lab-sup-scan-timeout")
    async with asyncio.timeout(20):
        (first,) = await socket.slack.wait_for("chat.postMessage")
        (update,) = await socket.slack.wait_for("chat.update")
        posts = await socket.slack.wait_for("chat.postMessage", 2)
    assert first["text"].startswith("Checking lab-sup-scan-timeout")
    assert update["text"].startswith("lab-sup-scan-timeout: sup-scan-timeout")
    assert posts[1]["thread_ts"] == update["ts"]


async def test_bad_host_is_refused_in_the_ack(socket: Socket) -> None:
    """A bad host name is refused in the ack frame's payload, ephemeral; nothing is posted."""
    async with asyncio.timeout(3):
        ack = await socket.slack.send_command("/cmcheck", "pc1;Remove-Item")
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "not a valid host name" in ack["payload"]["text"]
    assert socket.slack.of("chat.postMessage") == []


async def test_pasted_code_once_even_when_redelivered(socket: Socket) -> None:
    """A pasted code gets one threaded reply; Slack's redelivery (retry_attempt 1) gets none."""
    event = {
        "type": "message",
        "channel": "C1",
        "user": "U2",
        "ts": "50.5",
        "text": "scan failed: 0x80072ee2",
    }
    async with asyncio.timeout(3):
        await socket.slack.send_event(event, event_id="EvS1")
        await socket.slack.send_event(event, event_id="EvS1", retry_attempt=1, retry_reason="timeout")
    async with asyncio.timeout(10):
        (reply,) = await socket.slack.wait_for("chat.postMessage")
    await socket.deps.background.drain(timeout_s=10)
    assert reply["thread_ts"] == "50.5" and len(socket.slack.of("chat.postMessage")) == 1


async def test_reconnects_when_slack_asks(socket: Socket) -> None:
    """After a `disconnect` (refresh_requested) frame the client opens a new connection and still answers."""
    await socket.slack.ask_to_reconnect()
    async with asyncio.timeout(15):
        await socket.slack.connected(count=2)
        ack = await socket.slack.send_command(
            "/cmerr", "0x800704c7", response_url=socket.slack.response_url()
        )
        (reply,) = await socket.slack.wait_for("response_url")
    assert socket.slack.connections_opened == 2 and ack["envelope_id"]
    assert "0x800704C7" in reply["text"]


async def test_button_press_over_socket_mode(socket: Socket) -> None:
    """A block action (日本語) arrives as an `interactive` envelope and re-renders in Japanese."""
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "team": {"id": "T1"},
        "response_url": socket.slack.response_url(),
        "message": {"ts": "9.9", "text": ""},
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
    async with asyncio.timeout(3):
        await socket.slack.send_interactive(payload)
    async with asyncio.timeout(10):
        (reply,) = await socket.slack.wait_for("response_url")
    assert reply["replace_original"] is True and "最長実行時間" in reply["text"]
