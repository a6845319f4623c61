"""Serve the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on `/slack/events`.

Over HTTP, a request to `/slack/events` must carry Slack's signature before anything parses its
body (security review V10/H6: Bolt reads and JSON-parses a body before it verifies it, so 150
unsigned 3.8 MB bodies cost 690 MB and 27 s of CPU). `verify_first` reads the raw bytes, with a
size cap and a read deadline, and checks them with slack_sdk's `SignatureVerifier` (HMAC-SHA256
over `v0:timestamp:body`, five-minute window: https://api.slack.com/authentication/verifying-requests-from-slack);
only then does Bolt see the request (and verify it again, which costs one HMAC).

aiohttp's server has no deadline for reading request headers (`RequestHandler` takes
`keepalive_timeout`, `max_line_size`, `max_headers`, `max_field_size`, none for the header read:
aiohttp/web_protocol.py), so a connection dribbling header lines stays open. Put a reverse proxy
with a header timeout in front of `cmbot serve` (nginx `client_header_timeout`), as
docs/SECURITY.md says; what aiohttp does bound is bounded here: idle keep-alive connections, the
body size and the body read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from aiohttp import web
from redis.exceptions import RedisError
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from bot.jobs.metrics import QUEUE_DEPTH, render

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from bot.settings import Settings

log = logging.getLogger("cmbot.server")
EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1536 * 1024
"""A 1 MB `/cmerr` with its form fields fits; Slack's own payloads are far smaller (review V10)."""
BODY_READ_S = 10.0
"""The whole body must arrive within this; Slack sends it at once."""
KEEPALIVE_S = 30.0
"""An idle keep-alive connection is closed after this (aiohttp's default is 3630 s)."""


def verify_first(signing_secret: str) -> Any:
    """aiohttp middleware: a request to the events path whose raw body is not signed with
    `signing_secret` gets 401 before Bolt (or anything) parses it."""
    verifier = SignatureVerifier(signing_secret)

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path != EVENTS_PATH:
            return await handler(request)  # type: ignore[no-any-return]
        try:
            async with asyncio.timeout(BODY_READ_S):
                body = await request.read()  # raises 413 past client_max_size
        except TimeoutError:
            raise web.HTTPRequestTimeout(text="request body too slow") from None
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        if not verifier.is_valid(body, timestamp, signature):
            return web.json_response({"error": "invalid request"}, status=401)
        return await handler(request)  # type: ignore[no-any-return]

    return middleware


def web_app(
    app: AsyncApp,
    *,
    queue_depth: Callable[[], Awaitable[int]] | None = None,
    acking: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
    signing_secret: str | None = None,
) -> web.Application:
    """Commands, events, actions and shortcuts all arrive on Bolt's one path; plus /healthz and
    Prometheus /metrics. `acking` marks each request in flight (see `Background.acking`). The
    signing secret defaults to the app's own (Bolt keeps it as `_signing_secret`)."""
    secret = signing_secret if signing_secret is not None else str(getattr(app, "_signing_secret", ""))

    async def events(request: web.Request) -> web.Response:
        with acking():
            bolt_request = await to_bolt_request(request)
            bolt_response = await app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def healthz(_: web.Request) -> web.Response:
        if queue_depth is not None:
            try:
                depth = await queue_depth()
            except (RedisError, OSError):
                return web.json_response({"status": "queue unavailable"}, status=503)
            return web.json_response({"status": "ok", "queue_depth": depth})
        return web.json_response({"status": "ok"})

    async def metrics(_: web.Request) -> web.Response:
        if queue_depth is not None:
            with contextlib.suppress(Exception):
                QUEUE_DEPTH.set(await queue_depth())
        body, content_type = render()
        return web.Response(body=body, headers={"Content-Type": content_type})

    application = web.Application(
        client_max_size=MAX_BODY_BYTES, middlewares=[verify_first(secret)] if secret else []
    )
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
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    runner = web.AppRunner(
        web_app(app, queue_depth=queue_depth, acking=acking, signing_secret=secret),
        keepalive_timeout=KEEPALIVE_S,
    )
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
