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
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackClientError

log = logging.getLogger("cmbot.background")
MAX_DEFER_S = 0.5
FAILED = (
    "⚠️ That did not work: cmbot hit an internal error ({what}). Try again; if it keeps failing,"
    " give your cmbot admin the reference {ref}."
)

Answer = Callable[[str], Awaitable[object]]
"""How to tell the requester that their acked request failed (one short line)."""


def ephemeral(respond: AsyncRespond) -> Answer:
    """Answer the requester only, without replacing the message they acted on."""
    return lambda text: respond(text=text, response_type="ephemeral", replace_original=False)


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

    def spawn(self, work: Coroutine[Any, Any, None], *, what: str, answer: Answer | None = None) -> None:
        """Run `work` after the acks; if it fails, log it with a reference and `answer` the user
        with that reference, so an acked request never ends in silence."""
        task = asyncio.get_running_loop().create_task(self._guarded(work, what, answer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, work: Coroutine[Any, Any, None], what: str, answer: Answer | None) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(MAX_DEFER_S):
                await self._idle.wait()
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("%s failed after the ack (ref %s)", what, ref)
            if answer is not None:
                try:
                    await answer(FAILED.format(what=what, ref=ref))
                except (SlackClientError, aiohttp.ClientError, TimeoutError):
                    log.warning("could not tell the user that %s failed (ref %s)", what, ref)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout_s: float | None = None) -> None:
        """Wait for all started work, including work that started while waiting."""
        async with asyncio.timeout(timeout_s):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
