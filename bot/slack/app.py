"""The Slack app: a slack-bolt AsyncApp with every handler registered explicitly.

The core (knowledge, probes) knows nothing about Slack; `Deps` carries what handlers need.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.access.policy import load_policy
from bot.jobs.dispatch import CheckDispatcher
from bot.jobs.inprocess import InProcessDispatcher
from bot.jobs.queue import SaqDispatcher, make_queue
from bot.settings import Settings
from bot.slack.deps import Deps
from bot.slack.slash import Command
from bot.state.channel_settings import RedisChannelSettings
from bot.state.store import (
    AuditLog,
    MemoryButtonStates,
    RateLimiter,
    RedisButtonStates,
    RedisFeedback,
    RedisSeenStore,
    connect,
)
from probes.check import check_host

SLACK_API = "https://slack.com/api/"
log = logging.getLogger("cmbot.app")


def web_client(settings: Settings) -> AsyncWebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url or SLACK_API,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


@asynccontextmanager
async def shared_session(client: AsyncWebClient) -> AsyncIterator[None]:
    """One keep-alive connection pool for the Web API while serving; without it slack_sdk opens
    (and tears down) a new HTTP session for every call."""
    session = aiohttp.ClientSession()
    client.session = session
    try:
        yield
    finally:
        client.session = None
        await session.close()


def default_commands() -> tuple[Command[Any], ...]:
    """The command table the product serves."""
    from handlers.command_table import COMMANDS  # noqa: PLC0415 - handlers import views; keep app import light

    return COMMANDS


def build_deps(
    settings: Settings,
    *,
    dispatcher: CheckDispatcher | None = None,
    redis_url: str | None = None,
    commands: Sequence[Command[Any]] | None = None,
) -> Deps:
    """In-process checks by default; with a Redis URL, the saq queue and Redis-backed stores.
    Everything the app needs comes from `settings` (the policy file, the probes' configuration,
    the deadline and the heartbeat), never from the environment. `commands` is the command table
    to serve (the product's unless given)."""
    client = web_client(settings)
    policy = load_policy(settings.cmbot_policy)
    table = tuple(default_commands() if commands is None else commands)
    if redis_url is None:
        buttons = MemoryButtonStates()  # one store: the check job writes what the buttons read
        check = functools.partial(check_host, config=settings.probe_config())
        chosen = dispatcher or InProcessDispatcher(
            client, check=check, deadline_s=settings.cmbot_check_deadline, buttons=buttons
        )
        return Deps(
            settings=settings,
            client=client,
            dispatcher=chosen,
            policy=policy,
            buttons=buttons,
            commands=table,
        )
    redis = connect(redis_url)  # a pool that waits when busy (security review V5)
    return Deps(
        settings=settings,
        client=client,
        dispatcher=dispatcher or SaqDispatcher(make_queue(redis_url), heartbeat_s=settings.cmbot_heartbeat_s),
        policy=policy,
        seen=RedisSeenStore(redis),
        channels=RedisChannelSettings(redis),
        audit=AuditLog(redis),
        rate_limiter=RateLimiter(redis),
        buttons=RedisButtonStates(redis),
        feedback=RedisFeedback(redis),
        commands=table,
    )


def build_app(deps: Deps) -> AsyncApp:
    """The app. Every listener acks and hands its work to `deps.background` before it returns,
    so Bolt runs it inline (`process_before_response`) and answers HTTP as soon as it returns:
    no 10 ms polling for the ack, and the work stays tracked for shutdown and the console."""
    from handlers import register_all  # noqa: PLC0415 - handlers import views; keep app import light

    settings = deps.settings
    app = AsyncApp(
        signing_secret=settings.slack_signing_secret.get_secret_value()
        if settings.slack_signing_secret
        else None,
        client=deps.client,
        process_before_response=True,
    )
    register_all(app, deps)
    return app
