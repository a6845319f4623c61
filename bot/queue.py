"""The job queue (saq on Redis): the bot enqueues checks, workers run them and answer in Slack."""

from __future__ import annotations

import logging
import os

from redis.exceptions import RedisError
from saq import Queue
from saq.queue.redis import RedisQueue

from bot.dispatch import CheckRequest

log = logging.getLogger("cmbot.queue")
QUEUE_NAME = "cmbot-checks"
JOB_TIMEOUT_S = 600


def heartbeat_s() -> int:
    """A job silent for this long is taken to be on a dead worker and handed to another."""
    return int(os.environ.get("CMBOT_HEARTBEAT_S", "6"))


RETRIES = 3
QUEUE_DOWN = "the check queue (Redis) is unavailable; try again in a minute"


class QueueUnavailable(RuntimeError):
    """The queue cannot accept the request; nothing was accepted, so the user is told to retry."""


class CheckQueue(RedisQueue):
    """saq's Redis queue, minus one race: a worker's first sweep runs while the same worker may be
    moving a waiting job to active, sees it not yet ACTIVE, and drops it from the active list, so
    the job could never be swept again if that worker died. The first sweep is skipped."""

    _swept_once = False

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        if not self._swept_once:
            self._swept_once = True
            return []
        return await super().sweep(lock, abort)


def make_queue(url: str) -> Queue:
    return CheckQueue.from_url(url, name=QUEUE_NAME)


class SaqDispatcher:
    """Accept a check durably: once `submit` returns, a worker will run it even if one dies."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    async def submit(self, request: CheckRequest) -> None:
        try:
            await self.queue.enqueue(
                "run_check",
                key=request.request_id,
                timeout=JOB_TIMEOUT_S,
                heartbeat=heartbeat_s(),
                retries=RETRIES,
                ttl=3600,
                request=request.model_dump(mode="json"),
            )
        except (RedisError, OSError) as exc:
            log.warning("enqueue of %s failed: %s", request.request_id, type(exc).__name__)
            raise QueueUnavailable(QUEUE_DOWN) from None

    async def depth(self) -> int:
        return int(await self.queue.count("queued"))
