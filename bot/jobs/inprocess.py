"""The default CheckDispatcher: run each accepted check as a task in this process."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.jobs.check_job import CheckFn, run_check_job
from bot.jobs.dispatch import CheckRequest
from bot.render.i18n import say
from bot.state.store import ButtonStates
from probes.check import check_host

log = logging.getLogger("cmbot.dispatch")


class InProcessDispatcher:
    def __init__(
        self,
        client: AsyncWebClient,
        *,
        check: CheckFn = check_host,
        deadline_s: float = 60.0,
        buttons: ButtonStates | None = None,
    ) -> None:
        self._client = client
        self._buttons = buttons
        self._check = check
        self._deadline = deadline_s
        self.tasks: set[asyncio.Task[object]] = set()

    async def submit(self, request: CheckRequest) -> None:
        task: asyncio.Task[object] = asyncio.create_task(self._run(request))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, request: CheckRequest) -> object:
        try:
            return await run_check_job(
                request, self._client, check=self._check, deadline_s=self._deadline, buttons=self._buttons
            )
        except Exception:
            log.exception("check request %s failed", request.request_id)
            lang = request.lang
            text = say(lang, "job.failed", reason=say(lang, "job.stopped"), ref=request.request_id[:8])
            if request.message_ts:  # the "checking…" message becomes the answer, as the queue worker does
                await self._client.chat_update(
                    channel=request.channel_id, ts=request.message_ts, text=text, blocks=[]
                )
            else:
                await self._client.chat_postMessage(
                    channel=request.channel_id, thread_ts=request.thread_ts, text=text
                )
            return None

    async def drain(self) -> None:
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
