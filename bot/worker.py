"""Queue workers: run checks from Redis and answer in Slack; `cmbot worker` runs them anywhere.

A worker beats its job's heartbeat while it runs. When a worker dies, the sweep sees the silent
job and hands it to another worker; the final answer is claimed once in Redis, so the user gets
exactly one. Each host is locked across workers while it is checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import Any

import aiohttp
from redis.asyncio import Redis
from saq import Worker
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.check_job import run_check_job
from bot.dispatch import CheckRequest
from bot.metrics import observe_report
from bot.queue import heartbeat_s, make_queue
from bot.redact import register_secret
from bot.store import AuditLog, HostLock, ResultCache
from knowledge.findings import Lang
from probes.check import check_host
from probes.report import HostReport

log = logging.getLogger("cmbot.worker")


def locked_cached_check(redis: Redis, *, bypass_cache: bool) -> Any:
    """check_host behind the cross-worker host lock and the short result cache."""
    cache = ResultCache(redis)

    async def check(host: str, *, kbs: list[str], deadline_s: float, lang: Lang) -> HostReport:
        if not bypass_cache and (cached := await cache.get(host, kbs)) and cached.get("lang") == lang:
            return HostReport.model_validate(cached["report"])
        lock = HostLock(redis, ttl_ms=int((deadline_s + 5) * 1000))  # a dead worker's lock expires soon
        token = await lock.acquire(host, wait_s=deadline_s + 5)
        if token is None:
            return HostReport(
                host=host, reachable=False, verdict="another check of this host is still running"
            )
        try:
            report = await check_host(host, kbs=kbs, deadline_s=deadline_s, lang=lang)
        finally:
            await lock.release(host, token)
        if report.reachable:
            await cache.put(host, kbs, {"lang": lang, "report": report.model_dump(mode="json")})
        return report

    return check


async def _heartbeat(job: Any) -> None:
    while True:
        await asyncio.sleep(heartbeat_s() / 3)
        with contextlib.suppress(Exception):
            await job.update()


async def run_check(ctx: dict[str, Any], *, request: dict[str, Any]) -> dict[str, Any]:
    """The saq job: one CheckRequest, answered in Slack exactly once."""
    req = CheckRequest.model_validate(request)
    redis: Redis = ctx["redis"]
    audit = AuditLog(redis)
    beat = asyncio.create_task(_heartbeat(ctx["job"]))
    try:
        reports = await run_check_job(
            req,
            ctx["slack"],
            check=locked_cached_check(redis, bypass_cache=req.bypass_cache),
            deadline_s=float(os.environ.get("CMBOT_CHECK_DEADLINE", "60")),
            claim_final=lambda: audit.once(f"final:{req.request_id}"),
        )
    finally:
        beat.cancel()
    for report in reports:
        outcome = (
            report.findings[0].id if report.findings else ("healthy" if report.reachable else "unreachable")
        )
        observe_report(outcome, report.findings[0].id if report.findings else None, report.duration_s)
        await audit.record(
            user=req.user_id, action="check", target=report.host, outcome=outcome, channel=req.channel_id
        )
    return {"hosts": len(reports)}


def build_worker(
    url: str, *, concurrency: int = 10, slack_token: str | None = None, slack_api_url: str | None = None
) -> Worker[Any]:
    """A saq worker; the Slack token and API URL default to SLACK_BOT_TOKEN and SLACK_API_URL."""

    async def startup(ctx: dict[str, Any]) -> None:
        token = slack_token or os.environ.get("SLACK_BOT_TOKEN", "")
        register_secret(token)
        ctx["slack"] = AsyncWebClient(
            token=token,
            base_url=slack_api_url or os.environ.get("SLACK_API_URL") or "https://slack.com/api/",
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
            session=aiohttp.ClientSession(),
        )
        ctx["redis"] = ctx["worker"].queue.redis

    async def shutdown(ctx: dict[str, Any]) -> None:
        if (client := ctx.get("slack")) is not None and client.session is not None:
            await client.session.close()

    return Worker(
        make_queue(url),
        functions=[run_check],
        concurrency=concurrency,
        startup=startup,
        shutdown=shutdown,
        timers={"sweep": 1, "abort": 1},  # type: ignore[arg-type]
    )
