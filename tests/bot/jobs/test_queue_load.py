"""Load through the queue (security review V5): a 500-host group and a burst of 300 `/cmcheck`
all get their answers, nobody is told the queue is down. Hosts are `.invalid` names, which fail
at once (RFC 6761), so the load is the bot's Redis and Slack traffic, not WinRM."""

import asyncio
import time
import uuid
from collections.abc import Callable

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

import bot.jobs.check_job as check_job
from bot.jobs.dispatch import CheckRequest
from bot.jobs.queue import SaqDispatcher, make_queue
from bot.jobs.worker import build_worker
from bot.loopback.web_api import SlackStandIn, serving_http
from bot.settings import Settings
from bot.slack.app import build_deps
from bot.state.redis_server import EmbeddedRedis

pytestmark = pytest.mark.slow
GROUP_HOSTS = 500
BURST = 300
SECRET = "load-secret"


async def _until(slack: SlackStandIn, done: Callable[[], bool], timeout_s: float) -> None:
    async with asyncio.timeout(timeout_s):
        while not done():
            slack.changed.clear()
            await slack.changed.wait()


async def test_a_500_host_group_is_answered_through_the_queue(
    redis_server: EmbeddedRedis, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """V5: one job of 500 hosts runs through saq's pool and answers "500/500 hosts checked" in
    bounded time (redis-py's default pool raised MaxConnectionsError past 100 connections)."""
    monkeypatch.setattr(check_job, "PACE_S", 0.0)
    async with SlackStandIn() as slack:
        worker = build_worker(
            redis_server.url,
            Settings(slack_bot_token=SecretStr("xoxb-test-token"), slack_api_url=slack.api_url),
            concurrency=2,
        )
        task = asyncio.create_task(worker.start())
        dispatcher = SaqDispatcher(make_queue(redis_server.url))
        try:
            hosts = [f"pc-{n:03d}.invalid" for n in range(GROUP_HOSTS)]
            await dispatcher.submit(
                CheckRequest(
                    request_id=uuid.uuid4().hex, hosts=hosts, user_id="U1", channel_id="C1", message_ts="1.1"
                )
            )
            done = f"{GROUP_HOSTS}/{GROUP_HOSTS} "  # the final summary (progress lines start with ⏳)
            await _until(
                slack, lambda: any(str(u["text"]).startswith(done) for u in slack.of("chat.update")), 100
            )
        finally:
            await worker.stop()
            task.cancel()
            await dispatcher.queue.disconnect()


async def test_a_burst_of_300_cmcheck_all_answered(
    redis_server: EmbeddedRedis, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """V5 (H9): 300 signed `/cmcheck` at once, from 300 users: every one is acked, accepted and
    answered on its own "checking…" message; none is told the queue (Redis) is unavailable."""
    async with SlackStandIn() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        settings = Settings(
            slack_bot_token=SecretStr("xoxb-test-token"),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=slack.api_url,
            cmbot_check_deadline=5,
        )
        deps = build_deps(settings, redis_url=redis_server.url)
        worker = build_worker(redis_server.url, settings, concurrency=10)
        task = asyncio.create_task(worker.start())
        started = time.monotonic()
        try:
            async with serving_http(deps, SECRET) as driver:
                acks = await asyncio.gather(
                    *(
                        driver.command(
                            "/cmcheck", f"pc-{n:03d}.invalid", user=f"U{n}", response_url=slack.response_url()
                        )
                        for n in range(BURST)
                    )
                )
                assert acks == [(200, "")] * BURST
                finals = lambda: [u for u in slack.of("chat.update") if ".invalid:" in str(u["text"])]  # noqa: E731
                await _until(slack, lambda: len(finals()) >= BURST, 100)
            assert slack.of("response_url") == []  # no "Not started: the check queue is unavailable"
            assert len({u["ts"] for u in finals()}) == BURST
            assert time.monotonic() - started < 100  # under pytest-timeout's 120 s
        finally:
            await worker.stop()
            task.cancel()
            await deps.dispatcher.queue.disconnect()  # type: ignore[attr-defined]
