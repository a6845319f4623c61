"""The job queue (saq on Redis): the bot enqueues checks, workers run them and answer in Slack."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from redis.exceptions import RedisError
from saq import Queue
from saq.job import Job, Status
from saq.queue.redis import RedisQueue

from bot.jobs.dispatch import CheckRequest
from bot.state.store import POOL_SIZE, connect
from knowledge.findings import Refused, said

log = logging.getLogger("cmbot.queue")
QUEUE_NAME = "cmbot-checks"
JOB_TIMEOUT_S = 600


HEARTBEAT_S = 6
"""A job silent for this long is taken to be on a dead worker and handed to another
(`Settings.cmbot_heartbeat_s`, CMBOT_HEARTBEAT_S, overrides it)."""
RETRIES = 3
QUEUE_DOWN = said("refuse.queue_down")
"""Why a check was not started when the queue cannot take it."""


class QueueUnavailable(Refused):
    """The queue cannot accept the request; nothing was accepted, so the user is told to retry."""


class CheckQueue(RedisQueue):
    """saq's Redis queue, minus one race: a worker's first sweep runs while the same worker may be
    moving a waiting job to active, sees it not yet ACTIVE, and drops it from the active list, so
    the job could never be swept again if that worker died. The first sweep is skipped.

    `on_failure` hears of every job that ends FAILED or ABORTED: by its own worker (retries
    spent, timeout) or by another worker's sweep (its worker died on the last attempt), which
    are the two ways saq ends a job for good (saq/worker.py `process`, saq/queue/redis.py
    `sweep`)."""

    _swept_once = False
    on_failure: Callable[[Job], Awaitable[None]] | None = None

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        if not self._swept_once:
            self._swept_once = True
            return []
        return await super().sweep(lock, abort)

    async def finish(
        self, job: Job, status: Status, *, result: Any = None, error: str | None = None, **kwargs: Any
    ) -> None:
        await super().finish(job, status, result=result, error=error, **kwargs)
        if status in (Status.FAILED, Status.ABORTED) and self.on_failure is not None:
            try:
                await self.on_failure(job)
            except Exception:
                log.exception("could not answer the failed job %s", job.key)


def make_queue(url: str, *, pool_size: int = POOL_SIZE) -> CheckQueue:
    """The queue on a blocking, retrying pool (`bot.state.store.connect`), not saq's `from_url` default,
    which fails past 100 connections and never retries a dropped one (review V5, R10). A worker
    holds one connection per concurrent job in its blocking dequeue, so it asks for more."""
    return CheckQueue(connect(url, size=pool_size), name=QUEUE_NAME)


class SaqDispatcher:
    """Accept a check durably: once `submit` returns, a worker will run it even if one dies."""

    def __init__(self, queue: Queue, *, heartbeat_s: int = HEARTBEAT_S) -> None:
        self.queue, self.heartbeat_s = queue, heartbeat_s

    async def submit(self, request: CheckRequest) -> None:
        try:
            await self.queue.enqueue(
                "run_check",
                key=request.request_id,
                timeout=JOB_TIMEOUT_S,
                heartbeat=self.heartbeat_s,
                retries=RETRIES,
                ttl=3600,
                request=request.model_dump(mode="json"),
            )
        except (RedisError, OSError) as exc:
            log.warning("enqueue of %s failed: %s", request.request_id, type(exc).__name__)
            raise QueueUnavailable(QUEUE_DOWN) from None

    async def depth(self) -> int:
        return int(await self.queue.count("queued"))
