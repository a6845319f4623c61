"""The saq worker as a trust boundary and as the one who always answers: forged jobs refused,
a lost claim answered after all, failed jobs answered once, retried jobs audited once."""

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.jobs.dispatch import CheckRequest
from bot.jobs.queue import SaqDispatcher, make_queue
from bot.jobs.worker import build_worker
from bot.loopback.web_api import SlackStandIn
from bot.settings import Settings
from bot.state.redis_server import EmbeddedRedis
from bot.state.store import AuditLog, FinalAnswer
from lab.scenario import Faults, load_scenarios
from lab.testing import Lab, run_lab

POLICY = """
rules:
  - name: desk
    users: [U1]
    channels: [C1]
    hosts: ["lab-*"]
"""


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    """lab-healthy, and lab-slow that answers every request 1.5 s late."""
    import os  # noqa: PLC0415

    healthy = next(s for s in load_scenarios() if s.name == "lab-healthy")
    slow = healthy.model_copy(update={"name": "lab-slow", "faults": Faults(latency_ms=1500)})
    with run_lab([healthy, slow]) as running:
        previous = os.environ.get("CMBOT_INVENTORY")
        os.environ["CMBOT_INVENTORY"] = str(running.inventory_path)
        try:
            yield running
        finally:
            if previous is None:
                os.environ.pop("CMBOT_INVENTORY", None)
            else:
                os.environ["CMBOT_INVENTORY"] = previous


@dataclass
class Running:
    slack: SlackStandIn
    dispatcher: SaqDispatcher
    redis: Redis


@pytest.fixture
async def running(
    lab: Lab, redis_server: EmbeddedRedis, redis: Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Running]:
    """An in-process worker with the policy above (from CMBOT_POLICY, as `cmbot worker` reads
    it), its Slack stand-in and a dispatcher."""
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(POLICY)
    monkeypatch.setenv("CMBOT_POLICY", str(policy_file))
    async with SlackStandIn() as slack:
        worker = build_worker(
            redis_server.url,
            Settings(slack_bot_token=SecretStr("xoxb-test-token"), slack_api_url=slack.api_url),
            concurrency=1,
        )
        task = asyncio.create_task(worker.start())
        dispatcher = SaqDispatcher(make_queue(redis_server.url))
        try:
            yield Running(slack, dispatcher, redis)
        finally:
            await worker.stop()
            task.cancel()
            await dispatcher.queue.disconnect()


def _request(host: str, *, user: str = "U1", channel: str = "C1") -> CheckRequest:
    return CheckRequest(
        request_id=uuid.uuid4().hex, hosts=[host], user_id=user, channel_id=channel, message_ts="10.1"
    )


def _finals(slack: SlackStandIn, prefix: str) -> list[dict[str, object]]:
    return [u for u in slack.of("chat.update") if str(u.get("text", "")).startswith(prefix)]


async def _wait_until(slack: SlackStandIn, done: object, timeout_s: float = 30) -> None:
    async with asyncio.timeout(timeout_s):
        while not done():  # type: ignore[operator]
            slack.changed.clear()
            await slack.changed.wait()


async def test_forged_job_for_an_unauthorized_user_is_refused_and_not_run(running: Running, lab: Lab) -> None:
    """V7: a job written straight into Redis for a user the policy does not grant (into another
    channel) is refused by the worker: no WinRM request, no Slack post, one audit row."""
    before = lab.host("lab-slow").counters["requests"]
    forged = _request("lab-slow", user="U-NOBODY", channel="C-EXEC")
    await running.dispatcher.queue.enqueue("run_check", key=forged.request_id, request=forged.model_dump())
    await running.dispatcher.submit(_request("lab-healthy"))  # runs after the forged one (one at a time)
    await _wait_until(running.slack, lambda: _finals(running.slack, "lab-healthy:"))
    assert [p for p in running.slack.posted if p.get("channel") == "C-EXEC"] == []
    assert lab.host("lab-slow").counters["requests"] == before
    rows = await AuditLog(running.redis).read(user="U-NOBODY")
    assert [(r["action"], r["outcome"]) for r in rows] == [
        ("refused by worker", "you are not allowed to run /cmcheck here")
    ]
    assert len(_finals(running.slack, "lab-healthy:")) == 1


async def test_forged_job_for_a_host_outside_the_policy_is_refused(running: Running) -> None:
    """V7: a forged job naming a host the user may not check (or not a host name) never runs."""
    for host in ("srv-1.corp.example.com", "pc1;calc"):
        forged = _request(host)
        await running.dispatcher.queue.enqueue(
            "run_check", key=forged.request_id, request=forged.model_dump()
        )
    await running.dispatcher.submit(_request("lab-healthy"))
    await _wait_until(running.slack, lambda: _finals(running.slack, "lab-healthy:"))
    assert all(str(p["text"]).startswith("lab-healthy") for p in running.slack.posted)  # its answer only
    outcomes = [
        r["outcome"] for r in await AuditLog(running.redis).read() if r["action"] == "refused by worker"
    ]
    assert len(outcomes) == 2 and "you are not allowed to check srv-1.corp.example.com" in outcomes


async def test_a_claim_left_by_a_dead_worker_is_answered_after_all(running: Running) -> None:
    """V11 (R2): a job whose final answer was claimed by a worker that died before posting is
    answered by its retry once the dead worker's lease runs out, exactly once."""
    request = _request("lab-healthy")
    await running.redis.set(f"cmbot:once:final:{request.request_id}", "lease:dead-worker", px=800)
    await running.dispatcher.submit(request)
    await _wait_until(running.slack, lambda: running.slack.of("chat.postMessage"))  # after the mark
    assert len(_finals(running.slack, "lab-healthy:")) == 1
    assert await running.redis.get(f"cmbot:once:final:{request.request_id}") == b"posted"


async def test_a_retried_job_already_answered_writes_no_second_audit_rows(running: Running) -> None:
    """V12 (R12): a retry of a job whose answer was posted stays silent and adds no audit or metrics rows."""
    answered = _request("lab-healthy", user="U1")
    await running.redis.set(f"cmbot:once:final:{answered.request_id}", "posted")
    await running.dispatcher.submit(answered)
    await running.dispatcher.submit(_request("lab-healthy"))
    audit = AuditLog(running.redis)
    async with asyncio.timeout(30):  # one job at a time: the answered one finished before this row
        while not (checks := [r for r in await audit.read(user="U1") if r["action"] == "check"]):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert len(checks) == 1
    assert len(_finals(running.slack, "lab-healthy:")) == 1


async def test_a_job_that_fails_for_good_is_answered_once_with_a_reference(
    running: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 / V11: a check that times out on every attempt ends with one short answer naming
    the reason and a reference, on the "checking…" message, instead of "checking…" forever."""
    request = _request("lab-slow")
    await running.dispatcher.queue.enqueue(
        "run_check", key=request.request_id, timeout=1, retries=2, request=request.model_dump()
    )
    await _wait_until(running.slack, lambda: _finals(running.slack, "⚠️ The check failed"))
    (answer,) = _finals(running.slack, "⚠️ The check failed")
    assert answer["ts"] == "10.1" and answer["channel"] == "C1"
    assert f"it took too long; ref {request.request_id[:8]}" in str(answer["text"])
    await running.dispatcher.submit(_request("lab-healthy"))  # the queue went on past it
    await _wait_until(running.slack, lambda: _finals(running.slack, "lab-healthy:"))
    assert len(_finals(running.slack, "⚠️ The check failed")) == 1


async def test_final_answer_lease_released_when_the_post_fails(redis: Redis) -> None:
    """V11: a poster whose post failed gives its lease back, so the retry need not wait it out."""

    first, retry = FinalAnswer(redis, "r-1"), FinalAnswer(redis, "r-1", lease_ms=60_000)
    assert await first.claim()
    await first.release()
    async with asyncio.timeout(2):
        assert await retry.claim()
    await retry.posted()
    assert not await FinalAnswer(redis, "r-1").claim()


def test_cmbot_worker_with_a_broken_policy_is_one_clear_line(
    redis_server: EmbeddedRedis,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """V7: workers read CMBOT_POLICY to authorize jobs; a broken file stops `cmbot worker` with
    one line naming it, before it takes any job."""
    from bot.cli.main import main  # noqa: PLC0415

    broken = tmp_path / "policy.yaml"
    broken.write_text("rules: [{name: x, users: [U1], hostz: ['*']}]\n")
    monkeypatch.setenv("CMBOT_POLICY", str(broken))
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    assert main(["worker"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cmbot worker:") and "policy.yaml" in err and "Traceback" not in err


async def test_the_result_cache_serves_a_reader_of_another_language_without_a_second_check(
    running: Running, lab: Lab
) -> None:
    """Issue 12: the cached report holds no words, so a Japanese reader's check of a host an English
    reader just checked is answered in Japanese from the cache: no second WinRM request."""
    await running.dispatcher.submit(_request("lab-healthy"))
    await _wait_until(running.slack, lambda: len(_finals(running.slack, "lab-healthy:")) == 1)
    before = lab.host("lab-healthy").counters["requests"]
    japanese = _request("lab-healthy").model_copy(update={"lang": "ja"})
    await running.dispatcher.submit(japanese)
    await _wait_until(running.slack, lambda: len(_finals(running.slack, "lab-healthy:")) == 2)
    assert lab.host("lab-healthy").counters["requests"] == before
    english, answer = (str(u["text"]) for u in _finals(running.slack, "lab-healthy:"))
    assert english != answer and re.search(r"[\u3040-\u30ff]", answer), answer
