"""Serve the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on `/slack/events`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.metrics import QUEUE_DEPTH, render

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from bot.settings import Settings

log = logging.getLogger("cmbot.server")
EVENTS_PATH = "/slack/events"


def web_app(
    app: AsyncApp,
    *,
    queue_depth: Callable[[], Awaitable[int]] | None = None,
    acking: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
) -> web.Application:
    """Commands, events, actions and shortcuts all arrive on Bolt's one path; plus /healthz and
    Prometheus /metrics. `acking` marks each request in flight (see `Background.acking`)."""

    async def events(request: web.Request) -> web.Response:
        with acking():
            bolt_request = await to_bolt_request(request)
            bolt_response = await app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def healthz(_: web.Request) -> web.Response:
        if queue_depth is not None:
            try:
                depth = await queue_depth()
            except Exception:
                return web.json_response({"status": "queue unavailable"}, status=503)
            return web.json_response({"status": "ok", "queue_depth": depth})
        return web.json_response({"status": "ok"})

    async def metrics(_: web.Request) -> web.Response:
        if queue_depth is not None:
            with contextlib.suppress(Exception):
                QUEUE_DEPTH.set(await queue_depth())
        body, content_type = render()
        return web.Response(body=body, headers={"Content-Type": content_type})

    application = web.Application(client_max_size=4 * 1024 * 1024)
    application.router.add_post(EVENTS_PATH, events)
    application.router.add_get("/healthz", healthz)
    application.router.add_get("/metrics", metrics)
    return application


async def serve(
    app: AsyncApp,
    settings: Settings,
    *,
    port: int | None = None,
    queue_depth: Callable[[], Awaitable[int]] | None = None,
    acking: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
) -> None:
    if settings.slack_app_token is not None:
        handler = _socket_mode_handler(app, settings.slack_app_token.get_secret_value(), acking)
        log.info("serving over Socket Mode")
        try:
            await handler.start_async()  # type: ignore[no-untyped-call]
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]  # the WebSocket and its session
        return
    runner = web.AppRunner(web_app(app, queue_depth=queue_depth, acking=acking))
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", port or settings.cmbot_port)  # noqa: S104 - Slack must reach it
    await site.start()
    log.info("serving HTTP on port %s%s", port or settings.cmbot_port, EVENTS_PATH)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def _socket_mode_handler(
    app: AsyncApp, app_token: str, acking: Callable[[], AbstractContextManager[None]]
) -> AsyncSocketModeHandler:
    """Bolt's Socket Mode handler, with each envelope marked in flight until its ack is sent
    (as `web_app` does for HTTP requests), so work after the ack waits for other acks."""
    from slack_bolt.adapter.socket_mode.async_handler import (  # noqa: PLC0415 - only in Socket Mode
        AsyncSocketModeHandler as Handler,
    )

    class TrackedHandler(Handler):
        async def handle(self, client: Any, req: Any) -> None:
            with acking():
                await super().handle(client, req)

    return TrackedHandler(app, app_token)
