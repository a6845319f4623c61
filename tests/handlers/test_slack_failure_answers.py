"""Failure is always answered: work that fails after the ack tells the user why, with a reference;
a failed locale lookup is not kept for the life of the process."""

import asyncio
import re

import pytest
from pydantic import SecretStr

import handlers.commands
from bot.loopback.web_api import Harness, SlackStandIn
from bot.settings import Settings
from bot.slack.app import build_deps


async def test_a_listener_whose_work_fails_after_the_ack_answers_with_a_reference(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/cmerr` whose explanation raises: the requester gets one short ephemeral line with the ref."""

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(handlers.commands, "explained_reply", broken)
    before = len(harness.slack.of("response_url"))
    status, _ = await harness.bot.command("/cmerr", "0x80244022", response_url=harness.slack.response_url())
    assert status == 200
    async with asyncio.timeout(10):
        answer = (await harness.slack.wait_for("response_url", before + 1))[-1]
    assert answer["response_type"] == "ephemeral"
    assert "internal error (/cmerr)" in answer["text"] and "boom" not in answer["text"]
    assert re.search(r"reference [0-9a-f]{8}\b", answer["text"])


async def test_a_failed_locale_lookup_is_asked_again_next_time() -> None:
    """users.info failing once gives the default language once; the next request reads the locale."""
    async with SlackStandIn() as slack:
        settings = Settings(slack_bot_token=SecretStr("xoxb-test-token"), slack_api_url=slack.api_url)
        deps = build_deps(settings)
        slack.locales["U1"] = "ja-JP"
        slack.fail_next["users.info"] = 1
        assert await deps.lang_for("U1") == "en"
        assert await deps.lang_for("U1") == "ja"
        assert len(slack.of("users.info")) == 2
