"""Work a listener starts after its ack, tracked so it can be awaited and is never dropped.

Listeners ack first and hand the rest (Web API calls, explain, downloads) to `Background.spawn`;
the HTTP response leaves as soon as the listener returns, with no polling for the ack. Acks come
first: spawned work waits (up to `MAX_DEFER_S`) while requests are still being acked, so a burst
of slash commands is answered before any of their follow-up work competes for the event loop.
Shutdown and the console await `drain()`, so a request that was acked is also answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Coroutine, Iterator
from typing import Any

log = logging.getLogger("cmbot.background")
MAX_DEFER_S = 0.5


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._acking = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def acking(self) -> Iterator[None]:
        """Mark a request as being acked; spawned work waits until none is."""
        self._acking += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._acking -= 1
            if self._acking == 0:
                self._idle.set()

    def spawn(self, work: Coroutine[Any, Any, None], *, what: str) -> None:
        task = asyncio.get_running_loop().create_task(self._guarded(work, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, work: Coroutine[Any, Any, None], what: str) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(MAX_DEFER_S):
                await self._idle.wait()
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed after the ack (ref %s)", what, uuid.uuid4().hex[:8])

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout_s: float | None = None) -> None:
        """Wait for all started work, including work that started while waiting."""
        async with asyncio.timeout(timeout_s):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
