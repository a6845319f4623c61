""" "Right cause? 👍 / 👎" on every verdict: one vote per user per answer, kept in Redis with the
cause, the kind of input and the user, and read back as per-cause precision by `cmbot audit
--feedback` and /metrics."""

import argparse
import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.commands import audit
from bot.loopback.payloads import message_event
from bot.loopback.web_api import Harness, SlackStandIn, serving_http
from bot.render.blocks import check_detail_message, check_summary_message
from bot.settings import Settings
from bot.slack.app import build_deps
from bot.state.redis_server import EmbeddedRedis
from bot.state.store import AuditLog, RedisFeedback
from probes.report import HostReport

SECRET = "feedback-secret"


@pytest.fixture
async def with_redis(redis_server: EmbeddedRedis) -> AsyncIterator[Harness]:
    """The app on the real (embedded) Redis, no checks needed."""
    await Redis.from_url(redis_server.url).flushdb()
    async with SlackStandIn() as slack:
        settings = Settings(
            slack_bot_token=SecretStr("xoxb-test-token"),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=slack.api_url,
        )
        deps = build_deps(settings, redis_url=redis_server.url)
        async with serving_http(deps, SECRET) as driver:
            yield Harness(slack, driver, deps)


def _feedback(message: dict[str, Any]) -> dict[str, str]:
    return {
        e["action_id"]: e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("cmbot_feedback")
    }


async def test_votes_count_once_per_user_and_survive_a_restart(
    with_redis: Harness,
    redis_server: EmbeddedRedis,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A /cmerr verdict and a paste's verdict carry 👍/👎; a user's second vote on one answer is
    not counted; the votes, read by a fresh store (a restarted bot), give per-cause precision in
    `cmbot audit --feedback` and on /metrics."""
    slack, bot = with_redis.slack, with_redis.bot
    await bot.command("/cmerr", "0x80244022")
    await bot.event(
        message_event("OnSearchComplete - Failed to end search job. Error = 0x80072ee2.", ts="10.1")
    )
    async with asyncio.timeout(10):
        (command,) = await slack.wait_for("response_url")
        (paste,) = await slack.wait_for("chat.postMessage")
    on_command, on_paste = _feedback(command), _feedback(paste)
    assert set(on_command) == {"cmbot_feedback_right", "cmbot_feedback_wrong"} == set(on_paste)
    command_cause = on_command["cmbot_feedback_right"].split("|")[1]
    paste_cause = on_paste["cmbot_feedback_right"].split("|")[1]
    assert on_command["cmbot_feedback_right"].endswith("|command") and on_paste[
        "cmbot_feedback_right"
    ].endswith("|paste")
    votes = [
        ("cmbot_feedback_right", on_command, "U1"),
        ("cmbot_feedback_wrong", on_command, "U1"),  # a second vote by U1 on the same answer
        ("cmbot_feedback_wrong", on_command, "U2"),
        ("cmbot_feedback_right", on_paste, "U1"),
    ]
    for action, buttons, user in votes:
        await bot.click(action, buttons[action], message_ts="10.5", user=user)
    async with asyncio.timeout(10):
        answers = await slack.wait_for("response_url", 1 + len(votes))
    texts = [a["text"] for a in answers[1:]]
    assert sum("already voted" in t for t in texts) == 1 and sum("counted" in t for t in texts) == 3

    fresh = Redis.from_url(redis_server.url)  # another process, after a restart
    rows = {r.cause: r for r in await RedisFeedback(fresh).precision()}
    await fresh.aclose()
    assert (rows[command_cause].right, rows[command_cause].wrong) == (1, 1)
    assert (rows[paste_cause].right, rows[paste_cause].wrong) == (1, 0)

    monkeypatch.setenv("REDIS_URL", redis_server.url)
    args = argparse.Namespace(feedback=True, json=False, since=None, user=None, host=None, count=50)
    assert await asyncio.to_thread(audit.run, args) == 0  # the CLI runs its own event loop
    printed = capsys.readouterr().out
    assert any(line.split()[:1] == [command_cause] and line.endswith("50%") for line in printed.splitlines())
    assert any(line.split()[:1] == [paste_cause] and line.endswith("100%") for line in printed.splitlines())

    metrics_url = bot.url.rsplit("/slack", 1)[0] + "/metrics"
    async with aiohttp.ClientSession() as session, session.get(metrics_url) as response:
        body = await response.text()
    assert f'cmbot_cause_precision{{cause="{command_cause}"}} 0.5' in body


def test_check_verdicts_ask_right_cause() -> None:
    """A one-host summary and each host's detail carry 👍/👎 naming the request, host and cause."""
    report = HostReport(host="pc-1", reachable=False, verdict="WinRM did not answer")
    for message in (
        check_summary_message([report], "en", answer="req1"),
        check_detail_message(report, "en", answer="req1"),
    ):
        values = {e["value"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]}
        assert "req1:pc-1|unreachable|check" in values


async def test_audit_output_cannot_forge_rows_or_reach_the_terminal(
    redis: Redis,
    redis_server: EmbeddedRedis,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """V12: a refused target typed with a newline and an ANSI erase prints as one escaped line."""
    forged = 'x"\n2026-01-01 00:00:00  UADMIN       check    lab-healthy                    healthy\x1b[2K'
    await AuditLog(redis).record(user="U1", action="denied", target=forged, outcome="bad name")
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    args = argparse.Namespace(feedback=False, json=False, since=None, user=None, host=None, count=50)
    assert await asyncio.to_thread(audit.run, args) == 0  # the CLI runs its own event loop
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and printed.count("\n") == 1
    assert "\\x0a2026-01-01" in printed and "\\x1b[2K" in printed
