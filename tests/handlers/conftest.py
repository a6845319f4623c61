"""The real Slack app over HTTP on a loopback port, talking to a recording Web API stand-in."""

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.app import build_app, build_deps
from bot.server import EVENTS_PATH, web_app
from bot.settings import Settings
from bot.testing import Harness, SignedDriver, SlackStandIn
from bot.views import MAX_BLOCK_JSON_CHARS, MAX_BLOCKS, MAX_SECTION_CHARS, MAX_TEXT_CHARS
from lab.testing import Lab

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"


def assert_within_limits(message: dict[str, Any]) -> None:
    """Block Kit limits: 50 blocks, 3,000 chars per section, top-level text, total block size."""
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    assert len(blocks) <= MAX_BLOCKS
    assert len(json.dumps(blocks, ensure_ascii=False)) <= MAX_BLOCK_JSON_CHARS
    assert len(message.get("text") or "") <= MAX_TEXT_CHARS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_CHARS
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25


@pytest.fixture
async def harness(lab: Lab) -> AsyncIterator[Harness]:
    async with SlackStandIn() as slack:
        settings = Settings(
            slack_bot_token=SecretStr(TOKEN),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=slack.api_url,
            cmbot_check_deadline=10,
        )
        deps = build_deps(settings)
        runner = web.AppRunner(web_app(build_app(deps), acking=deps.background.acking))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        async with aiohttp.ClientSession() as session:
            driver = SignedDriver(f"http://127.0.0.1:{port}{EVENTS_PATH}", SECRET, session)
            yield Harness(slack, driver, deps)
        await deps.background.drain(timeout_s=30)
        drain = getattr(deps.dispatcher, "drain", None)
        if drain is not None:
            await drain()
        await runner.cleanup()
        for call in slack.calls:
            if call.method in ("chat.postMessage", "chat.update", "response_url"):
                assert_within_limits(call.args)
