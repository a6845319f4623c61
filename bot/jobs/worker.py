"""Queue workers: run checks from Redis and answer in Slack; `cmbot worker` runs them anywhere.

A worker beats its job's heartbeat while it runs. When a worker dies, the sweep sees the silent
job and hands it to another worker; the final answer is posted once (`bot.state.store.FinalAnswer`),
so the user gets exactly one, and a job that fails for good (retries spent, timeout) is answered
with a short reason and a reference. Each host is locked across workers while it is checked.

Redis is a trust boundary (security review V7): whoever can write to it could enqueue a job, so
every job is authorized again here, against the same access policy as the command, before any
host is contacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import aiohttp
from pydantic import ValidationError
from redis.asyncio import Redis
from saq import Worker
from saq.job import Job
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.access.policy import Policy, load_policy
from bot.jobs.check_job import run_check_job
from bot.jobs.dispatch import CheckRequest
from bot.jobs.metrics import observe_report
from bot.jobs.queue import HEARTBEAT_S, make_queue
from bot.render.i18n import phrase, say
from bot.settings import Settings
from bot.state.store import POOL_SIZE, AuditLog, FinalAnswer, HostLock, RedisButtonStates, ResultCache
from knowledge.findings import DEFAULT_LANG, Phrase, said
from probes.check import check_host
from probes.config import ProbeConfig
from probes.report import HostReport
from probes.secrets import register_secret
from probes.targets import BadHostName, validate_host

log = logging.getLogger("cmbot.worker")


def locked_cached_check(redis: Redis, *, bypass_cache: bool, config: ProbeConfig | None = None) -> Any:
    """check_host (with the operator's `config`) behind the cross-worker host lock and the short
    result cache."""
    cache = ResultCache(redis)

    async def check(
        host: str, *, kbs: list[str], deadline_s: float, deployments: Sequence[str] = ()
    ) -> HostReport:
        asked = [*kbs, *deployments]  # the cache key: what the check was asked to look for
        if not bypass_cache and (cached := await cache.get(host, asked)):
            return HostReport.model_validate(cached)  # language-free: rendered in each reader's language
        lock = HostLock(redis, ttl_ms=int((deadline_s + 5) * 1000))  # a dead worker's lock expires soon
        token = await lock.acquire(host, wait_s=deadline_s + 5)
        if token is None:
            return HostReport(host=host, reachable=False, reason=said("reason.busy"))
        try:
            report = await check_host(
                host, kbs=kbs, deployments=deployments, deadline_s=deadline_s, config=config or ProbeConfig()
            )
        finally:
            await lock.release(host, token)
        if report.reachable:
            await cache.put(host, asked, report.model_dump(mode="json"))
        return report

    return check


async def _heartbeat(job: Any, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        with contextlib.suppress(Exception):
            await job.update()


def refusal(policy: Policy, request: CheckRequest) -> Phrase | None:
    """Why this job must not run (a host name that is not valid, or one the policy does not
    grant this user in this channel), or None. The command path checked the same before it
    enqueued; a job written into Redis by anyone else did not pass that way."""
    for host in request.hosts:
        try:
            validate_host(host)
        except BadHostName as exc:
            return exc.reason
        decision = policy.authorize(
            user_id=request.user_id,
            channel_id=request.channel_id,
            target=host,
            usergroups=request.usergroups,
        )
        if not decision:
            return decision.reason
    return None


async def run_check(ctx: dict[str, Any], *, request: dict[str, Any]) -> dict[str, Any]:
    """The saq job: one CheckRequest, authorized again, answered in Slack exactly once."""
    try:
        req = CheckRequest.model_validate(request)
    except ValidationError:
        log.warning("refused a malformed job %s", ctx["job"].key)
        return {"refused": "malformed request"}
    redis: Redis = ctx["redis"]
    audit = AuditLog(redis)
    if why := refusal(ctx["policy"], req):
        problem = phrase(DEFAULT_LANG, why)  # the audit log and the operator's log are in one language
        log.warning("refused job %s for %s: %s", req.request_id, req.user_id, problem)
        await audit.record(
            user=req.user_id,
            action="refused by worker",
            target=" ".join(req.hosts)[:200],
            outcome=problem,
            channel=req.channel_id,
        )
        return {"refused": problem}
    final = FinalAnswer(redis, req.request_id)
    beat = asyncio.create_task(_heartbeat(ctx["job"], ctx.get("heartbeat_s", HEARTBEAT_S) / 3))
    try:
        reports = await run_check_job(
            req,
            ctx["slack"],
            check=locked_cached_check(redis, bypass_cache=req.bypass_cache, config=ctx.get("probes")),
            deadline_s=ctx.get("deadline_s") or 60.0,
            final=final,
            buttons=RedisButtonStates(redis),
        )
    finally:
        beat.cancel()
    if not final.won:
        return {"hosts": len(reports), "answered": False}  # a retry of an answered job: no second rows
    for report in reports:
        outcome = (
            report.findings[0].id if report.findings else ("healthy" if report.reachable else "unreachable")
        )
        observe_report(outcome, report.findings[0].id if report.findings else None, report.duration_s)
        await audit.record(
            user=req.user_id, action="check", target=report.host, outcome=outcome, channel=req.channel_id
        )
    return {"hosts": len(reports), "answered": True}


async def answer_failure(slack: AsyncWebClient, redis: Redis, job: Job) -> None:
    """A check job that failed for good (its retries spent, timed out, or swept from a dead
    worker for the last time) gets one short answer with a reference, on the "checking…" message
    (issue 12: failure is always answered). Never after a real answer: the same `FinalAnswer`."""
    try:
        req = CheckRequest.model_validate((job.kwargs or {}).get("request"))
    except ValidationError:
        return
    final = FinalAnswer(redis, req.request_id, lease_ms=30_000)
    if not await final.claim():
        return
    why = "job.too_long" if "TimeoutError" in (job.error or "") else "job.stopped"
    text = say(req.lang, "job.failed", reason=say(req.lang, why), ref=req.request_id[:8])
    log.error("request %s failed for good (ref %s): %s", req.request_id, req.request_id[:8], job.status)
    try:
        if req.message_ts:
            await slack.chat_update(channel=req.channel_id, ts=req.message_ts, text=text, blocks=[])
        else:
            await slack.chat_postMessage(channel=req.channel_id, thread_ts=req.thread_ts, text=text)
    except Exception:
        await final.release()
        raise
    await final.posted()


def build_worker(
    url: str, settings: Settings, *, concurrency: int = 10, policy: Policy | None = None
) -> Worker[Any]:
    """A saq worker run with the caller's settings: the Slack token and API URL, the check
    deadline, the probes' configuration, the heartbeat, and the access policy (the same file
    the bot reads, unless the caller has it loaded already)."""
    queue = make_queue(url, pool_size=POOL_SIZE + concurrency)  # one per blocking dequeue, plus jobs'
    granted = policy if policy is not None else load_policy(settings.cmbot_policy)
    probes = settings.probe_config()

    async def startup(ctx: dict[str, Any]) -> None:
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
        register_secret(token)
        ctx["slack"] = AsyncWebClient(
            token=token,
            base_url=settings.slack_api_url or "https://slack.com/api/",
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
            session=aiohttp.ClientSession(),
        )
        ctx["redis"] = queue.redis
        ctx["policy"] = granted
        ctx["deadline_s"] = settings.cmbot_check_deadline
        ctx["probes"] = probes
        ctx["heartbeat_s"] = settings.cmbot_heartbeat_s
        queue.on_failure = lambda job: answer_failure(ctx["slack"], queue.redis, job)

    async def shutdown(ctx: dict[str, Any]) -> None:
        if (client := ctx.get("slack")) is not None and client.session is not None:
            await client.session.close()

    return Worker(
        queue,
        functions=[run_check],
        concurrency=concurrency,
        startup=startup,
        shutdown=shutdown,
        timers={"sweep": 1, "abort": 1},  # type: ignore[arg-type]
    )
