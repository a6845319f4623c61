"""Checks survive a worker killed mid-job and a Redis restart: one final answer, nothing lost."""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.jobs.dispatch import CheckRequest
from bot.jobs.queue import QueueUnavailable, SaqDispatcher, make_queue
from bot.loopback.web_api import SlackStandIn
from bot.state.redis_server import EmbeddedRedis
from lab.scenario import Faults, load_scenarios
from lab.testing import Lab, run_lab

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def slow_lab() -> Iterator[Lab]:
    healthy = next(s for s in load_scenarios() if s.name == "lab-healthy")
    slow = healthy.model_copy(update={"name": "lab-slow", "faults": Faults(latency_ms=400)})
    with run_lab([healthy, slow]) as lab:
        yield lab


def _worker(redis_url: str, slack: SlackStandIn, lab: Lab) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": slack.api_url,
        "CMBOT_INVENTORY": str(lab.inventory_path),
        "CMBOT_HEARTBEAT_S": "2",
        "CMBOT_CHECK_DEADLINE": "8",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "worker", "--concurrency", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


async def _polling(url: str) -> None:
    """Until a worker process is connected and blocked in its dequeue (saq's BLMOVE)."""
    client = Redis.from_url(url)
    try:
        async with asyncio.timeout(60):
            while not any(c.get("cmd") in ("blmove", "brpoplpush") for c in await client.client_list()):  # noqa: ASYNC110 - another process
                await asyncio.sleep(0.05)
    finally:
        await client.aclose()


def _request(host: str) -> CheckRequest:
    return CheckRequest(
        request_id=uuid.uuid4().hex, hosts=[host], user_id="U1", channel_id="C1", message_ts="10.1"
    )


def _finals(slack: SlackStandIn, host: str) -> list[dict[str, object]]:
    return [u for u in slack.of("chat.update") if str(u.get("text", "")).startswith(f"{host}:")]


async def test_worker_killed_mid_job_another_finishes_once(
    slow_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL the worker running a check: a second worker completes it; exactly one final answer."""
    monkeypatch.setenv("CMBOT_HEARTBEAT_S", "2")
    server = EmbeddedRedis(directory=tmp_path / "redis").start()
    try:
        async with SlackStandIn() as slack:
            dispatcher = SaqDispatcher(make_queue(server.url))
            first = _worker(server.url, slack, slow_lab)
            await dispatcher.submit(_request("lab-slow"))
            host = slow_lab.host("lab-slow")
            async with asyncio.timeout(30):
                while host.counters["requests"] == 0:  # noqa: ASYNC110 - the lab counts in its own thread
                    await asyncio.sleep(0.05)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            assert _finals(slack, "lab-slow") == []
            second = _worker(server.url, slack, slow_lab)
            try:
                async with asyncio.timeout(60):
                    await slack.wait_for("chat.update")
                    details = await slack.wait_for("chat.postMessage")
                await asyncio.sleep(3)  # room for a wrongly duplicated answer to show up
                assert len(_finals(slack, "lab-slow")) == 1
                assert len([d for d in details if d.get("thread_ts") == "10.1"]) == 1
            finally:
                _stop(second)
            await dispatcher.queue.disconnect()
    finally:
        server.stop()


async def test_redis_down_and_back_loses_no_accepted_job(slow_lab: Lab, tmp_path: Path) -> None:
    """A job accepted before Redis stops is answered after it returns; a submit while down is refused."""
    directory = tmp_path / "redis"
    server = EmbeddedRedis(directory=directory).start()
    port = server.port
    try:
        async with SlackStandIn() as slack:
            dispatcher = SaqDispatcher(make_queue(server.url))
            await dispatcher.submit(_request("lab-healthy"))
            await dispatcher.queue.disconnect()
            server.stop()
            down = SaqDispatcher(make_queue(server.url))
            with pytest.raises(QueueUnavailable, match=r"refuse\.queue_down"):
                await down.submit(_request("lab-healthy"))
            server = EmbeddedRedis(directory=directory, port=port).start()
            worker = _worker(server.url, slack, slow_lab)
            try:
                async with asyncio.timeout(30):
                    await slack.wait_for("chat.update")
                assert len(_finals(slack, "lab-healthy")) == 1
            finally:
                _stop(worker)
    finally:
        server.stop()


async def test_running_worker_recovers_when_redis_returns(slow_lab: Lab, tmp_path: Path) -> None:
    """A worker running through a Redis outage serves checks again once Redis is back."""
    directory = tmp_path / "redis"
    server = EmbeddedRedis(directory=directory).start()
    port = server.port
    try:
        async with SlackStandIn() as slack:
            worker = _worker(server.url, slack, slow_lab)
            try:
                await _polling(server.url)
                server.stop()
                await asyncio.sleep(2)  # the outage
                assert worker.poll() is None, "the worker must survive the outage"
                server = EmbeddedRedis(directory=directory, port=port).start()
                dispatcher = SaqDispatcher(make_queue(server.url))
                await dispatcher.submit(_request("lab-healthy"))
                async with asyncio.timeout(30):
                    await slack.wait_for("chat.update")
                assert len(_finals(slack, "lab-healthy")) == 1
                await dispatcher.queue.disconnect()
            finally:
                _stop(worker)
    finally:
        server.stop()
