"""`/cmcheck` through the Redis queue with an in-process worker; policy refusals are audited."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.access.policy import load_policy
from bot.jobs.dispatch import CheckRequest
from bot.jobs.worker import build_worker, refusal
from bot.loopback.web_api import Harness, SlackStandIn, serving_http
from bot.settings import Settings
from bot.slack.app import build_deps
from bot.state.redis_server import EmbeddedRedis
from bot.state.store import AuditLog
from lab.testing import Lab

SECRET = "queue-secret"
POLICY = """
allowed_domains: [corp.example.com]
rules:
  - name: desk
    users: [U1]
    hosts: ["lab-*", "pc-*", "*.corp.example.com"]
    groups: [labs]
"""


@pytest.fixture
async def queued(
    lab: Lab, redis_server: EmbeddedRedis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    groups = tmp_path / "groups.yaml"
    groups.write_text("labs: [lab-dual-scan, lab-healthy]\nsecret: [srv-1]\n")
    monkeypatch.setenv("CMBOT_GROUPS", str(groups))
    import redis as sync_redis  # noqa: PLC0415

    sync_redis.Redis.from_url(redis_server.url).flushdb()
    async with SlackStandIn() as slack:
        settings = Settings(
            slack_bot_token=SecretStr("xoxb-test-token"),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=slack.api_url,
            cmbot_check_deadline=10,
        )
        deps = build_deps(settings, redis_url=redis_server.url)
        policy_file = tmp_path / "policy.yaml"
        policy_file.write_text(POLICY)
        deps.policy = load_policy(policy_file)
        worker = build_worker(redis_server.url, settings, concurrency=4)  # the same settings, passed
        worker_task = asyncio.create_task(worker.start())
        try:
            async with serving_http(deps, SECRET) as driver:
                yield Harness(slack, driver, deps)
            async with asyncio.timeout(30):
                while await deps.dispatcher.depth():  # type: ignore[attr-defined]  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
        finally:
            await worker.stop()
            worker_task.cancel()


async def test_cmcheck_group_through_the_queue(queued: Harness) -> None:
    """`/cmcheck group:labs` fans out through saq; one summary with counts per cause, details in thread."""
    status, body = await queued.bot.command("/cmcheck", "group:labs")
    assert (status, body) == (200, "")
    async with asyncio.timeout(30):
        posts = await queued.slack.wait_for("chat.postMessage", 3)
    summary = queued.slack.of("chat.update")[-1]
    assert summary["text"].startswith("1/2: ")  # the fleet summary: the one cluster first
    assert "✅ 1/2 healthy" in summary["blocks"][-2]["elements"][0]["text"]
    details = [p for p in posts if p.get("thread_ts") == summary["ts"]]
    assert {d["text"].split(":")[0] for d in details} == {"lab-dual-scan", "lab-healthy"}


@pytest.mark.parametrize(
    ("user", "target", "reason"),
    [
        ("U2", "pc-1", "not allowed to run /cmcheck here"),
        ("U1", "group:secret", "not allowed to check group:secret"),
        ("U1", "pc-1.evil.example.net", "outside the allowed domains"),
    ],
)
async def test_refusals_are_ephemeral_and_audited(
    queued: Harness, user: str, target: str, reason: str
) -> None:
    """A user outside the policy is refused (host, group, foreign domain) and the refusal is audited."""
    status, body = await queued.bot.command("/cmcheck", target, user=user)
    answer = json.loads(body)
    assert status == 200 and answer["response_type"] == "ephemeral" and reason in answer["text"]
    assert queued.slack.of("chat.postMessage") == []
    assert queued.deps.audit is not None
    async with asyncio.timeout(10):
        while not (rows := await queued.deps.audit.read(user=user)):  # noqa: ASYNC110 - written after the ack
            await asyncio.sleep(0.02)
    assert (
        rows
        and rows[0]["action"] == "denied"
        and rows[0]["target"] == target
        and reason in rows[0]["outcome"]
    )
    assert isinstance(queued.deps.audit, AuditLog)


async def test_rate_limit_refuses_and_audits(queued: Harness) -> None:
    """Past the per-user limit, /cmcheck is refused with the limit in the answer."""
    queued.deps.policy = queued.deps.policy.model_copy(
        update={"rate_limit": queued.deps.policy.rate_limit.model_copy(update={"checks": 1})}
    )
    await queued.bot.command("/cmcheck", "lab-healthy", response_url=queued.slack.response_url())
    status, body = await queued.bot.command(
        "/cmcheck", "lab-healthy", response_url=queued.slack.response_url()
    )
    assert (status, body) == (200, "")  # the limit lives in Redis, consulted just after the ack
    async with asyncio.timeout(10):
        (refusal,) = await queued.slack.wait_for("response_url")
    assert refusal["response_type"] == "ephemeral" and "rate limit" in refusal["text"]
    assert queued.deps.audit is not None
    async with asyncio.timeout(10):
        while not (rows := [r for r in await queued.deps.audit.read(user="U1") if r["action"] == "denied"]):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    assert "rate limit" in rows[0]["outcome"]


async def test_redis_down_gets_a_short_answer_not_an_error(lab: Lab) -> None:
    """With Redis unreachable, /cmcheck is acked and then told, in one line, that nothing started."""
    async with SlackStandIn() as slack:
        settings = Settings(
            slack_bot_token=SecretStr("xoxb-test-token"),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=slack.api_url,
        )
        deps = build_deps(settings, redis_url=EmbeddedRedis().url)  # never started: nothing listens
        async with serving_http(deps, SECRET) as driver:
            status, body = await driver.command("/cmcheck", "lab-healthy", response_url=slack.response_url())
            assert (status, body) == (200, "")
            async with asyncio.timeout(15):
                (answer,) = await slack.wait_for("response_url")
    assert answer["text"].startswith("⚠️ Not started: the check queue (Redis) is unavailable")
    assert slack.of("chat.postMessage") == []


async def test_app_home_lists_results_from_the_audit_stream(queued: Harness) -> None:
    """After checks through the queue, App Home lists each host's outcome, read from Redis, so any
    bot process (or one restarted) shows the same list."""
    await queued.bot.command("/cmcheck", "group:labs")
    assert queued.deps.audit is not None
    async with asyncio.timeout(30):
        while len([r for r in await queued.deps.audit.read(user="U1") if r["action"] == "check"]) < 3:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    queued.deps.recent.clear()  # as in a freshly started bot process
    await queued.bot.event({"type": "app_home_opened", "user": "U1", "tab": "home"})
    async with asyncio.timeout(10):
        (published,) = await queued.slack.wait_for("views.publish")
    recent = published["view"]["blocks"][-1]["text"]["text"]
    assert "❌ `lab-dual-scan` dual-scan" in recent and "✅ `lab-healthy` healthy" in recent


async def _denials(harness: Harness, user: str) -> list[dict[str, str]]:
    """The user's audited refusals, once the first is written (after the reply)."""
    assert harness.deps.audit is not None
    async with asyncio.timeout(10):
        while not (rows := [r for r in await harness.deps.audit.read(user=user) if r["action"] == "denied"]):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return rows


async def test_rerun_is_rate_limited_like_the_command(queued: Harness) -> None:
    """V8: past the rate limit, a Re-run click is refused with a reply to the clicker and audited
    (it used to start a full check for every click)."""
    queued.deps.policy = queued.deps.policy.model_copy(
        update={"rate_limit": queued.deps.policy.rate_limit.model_copy(update={"checks": 1})}
    )
    await queued.bot.command("/cmcheck", "lab-healthy")
    async with asyncio.timeout(30):
        (summary,) = await queued.slack.wait_for("chat.update")
    value = next(
        e["value"]
        for b in summary["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "cmbot_rerun"
    )
    await queued.bot.click("cmbot_rerun", value, message_ts=summary["ts"])
    async with asyncio.timeout(10):
        (refusal,) = await queued.slack.wait_for("response_url")
    assert refusal["response_type"] == "ephemeral" and "rate limit" in refusal["text"]
    assert "rate limit" in (await _denials(queued, "U1"))[0]["outcome"]
    assert len(queued.slack.of("chat.postMessage")) == 2  # the check and its detail; no second check


@pytest.mark.parametrize(
    ("user", "value", "reason"),
    [
        ("U1", "rerun:" + " ".join(f"pc-{n}" for n in range(600)) + "|", "Too many hosts"),
        ("U1", "rerun:lab-1;Remove-Item|", "not a valid host name"),
        ("U2", "rerun:lab-healthy|", "not allowed to run /cmcheck here"),
    ],
)
async def test_rerun_goes_through_the_command_controls(
    queued: Harness, user: str, value: str, reason: str
) -> None:
    """V8: a Re-run carrying 600 hosts, a bad name, or clicked by a user outside the policy is
    refused (host cap, validate_host, policy) with an ephemeral reply, and audited."""
    await queued.bot.click("cmbot_rerun", value, message_ts="5.5", user=user)
    async with asyncio.timeout(10):
        (refusal,) = await queued.slack.wait_for("response_url")
    assert refusal["response_type"] == "ephemeral" and reason in refusal["text"]
    assert reason in (await _denials(queued, user))[0]["outcome"]
    assert queued.slack.of("chat.postMessage") == []


async def test_usergroup_rules_grant_their_members(queued: Harness, tmp_path: Path) -> None:
    """V9: a rule naming a user group grants its members (resolved through usergroups.users.list,
    cached) and nobody else."""
    policy_file = tmp_path / "groups-policy.yaml"
    policy_file.write_text("rules:\n  - name: desk\n    usergroups: [S0DESK]\n    hosts: ['lab-*']\n")
    queued.deps.policy = load_policy(policy_file)
    queued.slack.usergroups["S0DESK"] = ["U5", "U6"]
    status, body = await queued.bot.command("/cmcheck", "lab-healthy", user="U5")
    assert (status, body) == (200, "")
    status, body = await queued.bot.command("/cmcheck", "lab-dual-scan", user="U6")
    assert (status, body) == (200, "")
    status, body = await queued.bot.command("/cmcheck", "lab-healthy", user="U7")
    assert "not allowed to run /cmcheck here" in json.loads(body)["text"]
    async with asyncio.timeout(30):
        await queued.slack.wait_for("chat.update", 2)
    assert len(queued.slack.of("usergroups.users.list")) == 1  # one lookup, then the cache


async def test_channel_scoped_rule_applies_its_own_rate_limit(queued: Harness, tmp_path: Path) -> None:
    """V9: a rule scoped to a channel applies its own rate limit there (it used to fall back to
    the global 20 per 60 s because the channel was never passed)."""
    policy_file = tmp_path / "channel-policy.yaml"
    policy_file.write_text(
        "rules:\n  - name: desk\n    users: [U1]\n    channels: [C1]\n    hosts: ['lab-*']\n"
        "    rate_limit: {checks: 1, window_s: 3600}\n"
    )
    queued.deps.policy = load_policy(policy_file)
    await queued.bot.command("/cmcheck", "lab-healthy")
    await queued.bot.command("/cmcheck", "lab-healthy")
    async with asyncio.timeout(10):
        (refusal,) = await queued.slack.wait_for("response_url")
    assert "at most 1 checks per 3600 s" in refusal["text"]


async def test_the_job_carries_the_users_groups_for_the_worker(
    queued: Harness, redis_server: EmbeddedRedis, tmp_path: Path
) -> None:
    """V7 × V9: a check granted through a user-group rule is queued with the user's groups, so the
    worker, which authorizes every job again, grants it too (it used to get none and refuse)."""
    import redis as sync_redis  # noqa: PLC0415

    policy_file = tmp_path / "groups-policy.yaml"
    policy_file.write_text("rules:\n  - name: desk\n    usergroups: [S0DESK]\n    hosts: ['lab-*']\n")
    policy = load_policy(policy_file)
    queued.deps.policy = policy
    queued.slack.usergroups["S0DESK"] = ["U5"]
    status, _ = await queued.bot.command("/cmcheck", "lab-healthy", user="U5")
    assert status == 200
    async with asyncio.timeout(30):
        await queued.slack.wait_for("chat.update")
    store = sync_redis.Redis.from_url(redis_server.url)
    requests = [
        json.loads(raw)["kwargs"]["request"]
        for key in store.scan_iter("saq:job:*")
        if (raw := store.get(key)) and raw.startswith(b"{")
    ]
    (request,) = [r for r in requests if r["user_id"] == "U5"]
    assert request["usergroups"] == ["S0DESK"]
    assert refusal(policy, CheckRequest.model_validate(request)) is None
