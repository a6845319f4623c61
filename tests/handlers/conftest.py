"""The real Slack app over HTTP on a loopback port, talking to a recording Web API stand-in."""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import build_deps
from bot.settings import Settings
from bot.testing import Harness, SlackStandIn, serving_http
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
        async with serving_http(deps, SECRET) as driver:
            yield Harness(slack, driver, deps)
        drain = getattr(deps.dispatcher, "drain", None)
        if drain is not None:
            await drain()
        for call in slack.calls:
            if call.method in ("chat.postMessage", "chat.update", "response_url"):
                assert_within_limits(call.args)
