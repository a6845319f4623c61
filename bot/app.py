"""The Slack app: a slack-bolt AsyncApp with every handler registered explicitly.

The core (knowledge, probes) knows nothing about Slack; `Deps` carries what handlers need.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import Background
from bot.channel_settings import ChannelPrefs, ChannelSettings, MemoryChannelSettings, RedisChannelSettings
from bot.dedup import MemorySeenStore, SeenStore
from bot.dispatch import CheckDispatcher
from bot.inprocess import InProcessDispatcher
from bot.policy import Policy, load_policy
from bot.queue import SaqDispatcher, make_queue
from bot.settings import Settings
from bot.store import (
    AuditLog,
    ButtonStates,
    FeedbackStore,
    MemoryButtonStates,
    MemoryFeedback,
    RateLimiter,
    RedisButtonStates,
    RedisFeedback,
    RedisSeenStore,
    connect,
)
from bot.usergroups import UsergroupDirectory
from knowledge.findings import Lang

SLACK_API = "https://slack.com/api/"
log = logging.getLogger("cmbot.app")
RECENT_CHECKS = 10


@dataclass
class Deps:
    settings: Settings
    client: AsyncWebClient
    dispatcher: CheckDispatcher
    seen: SeenStore = field(default_factory=MemorySeenStore)
    policy: Policy = field(default_factory=Policy.open_default)
    recent: dict[str, deque[str]] = field(
        default_factory=lambda: defaultdict(lambda: deque(maxlen=RECENT_CHECKS))
    )
    channels: ChannelSettings = field(default_factory=MemoryChannelSettings)
    audit: AuditLog | None = None
    rate_limiter: RateLimiter | None = None
    background: Background = field(default_factory=Background)
    buttons: ButtonStates = field(default_factory=MemoryButtonStates)
    feedback: FeedbackStore = field(default_factory=MemoryFeedback)
    usergroups: UsergroupDirectory | None = None
    _user_lang: dict[str, Lang] = field(default_factory=dict)

    async def usergroups_of(self, user_id: str) -> list[str]:
        """The user groups the policy names that `user_id` is in (none when no rule names one)."""
        named = {group for rule in self.policy.rules for group in rule.usergroups}
        if not named:
            return []
        if self.usergroups is None:
            self.usergroups = UsergroupDirectory(self.client)
        return await self.usergroups.groups_of(user_id, named)

    async def record(self, *, user: str, action: str, target: str, outcome: str, channel: str = "") -> None:
        """Write to the audit stream when Redis is configured; a failure is logged, never raised."""
        if self.audit is None:
            return
        try:
            await self.audit.record(user=user, action=action, target=target, outcome=outcome, channel=channel)
        except Exception:
            log.warning("audit write failed")

    async def channel_prefs(self, channel_id: str | None) -> ChannelPrefs:
        """The channel's `/cmbot` settings; with the store down, the defaults (logged)."""
        if not channel_id:
            return ChannelPrefs()
        try:
            return await self.channels.get(channel_id)
        except Exception:
            log.warning("channel settings unavailable; using the defaults")
            return ChannelPrefs()

    async def auto_reply(self, channel_id: str | None) -> bool:
        prefs = await self.channel_prefs(channel_id)
        return self.settings.cmbot_auto_reply if prefs.auto_reply is None else prefs.auto_reply

    async def lang_for(self, user_id: str | None, channel_id: str | None = None) -> Lang:
        """The channel's setting, else the user's Slack locale (ja-JP → ja), else the default."""
        if (channel_lang := (await self.channel_prefs(channel_id)).lang) is not None:
            return channel_lang
        if not user_id:
            return self.settings.cmbot_lang
        if user_id not in self._user_lang:
            lang: Lang = self.settings.cmbot_lang
            try:
                info = await self.client.users_info(user=user_id, include_locale=True)
                locale = str((info.get("user") or {}).get("locale") or "")
                lang = "ja" if locale.lower().startswith("ja") else "en" if locale else lang
            except Exception:
                log.info("users.info failed; using the default language")
            self._user_lang[user_id] = lang
        return self._user_lang[user_id]


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


def build_deps(
    settings: Settings, *, dispatcher: CheckDispatcher | None = None, redis_url: str | None = None
) -> Deps:
    """In-process checks by default; with a Redis URL, the saq queue and Redis-backed stores."""
    client = web_client(settings)
    policy_path = os.environ.get("CMBOT_POLICY")
    policy = load_policy(Path(policy_path)) if policy_path else Policy.open_default()
    if redis_url is None:
        buttons = MemoryButtonStates()  # one store: the check job writes what the buttons read
        chosen = dispatcher or InProcessDispatcher(
            client, deadline_s=settings.cmbot_check_deadline, buttons=buttons
        )
        return Deps(settings=settings, client=client, dispatcher=chosen, policy=policy, buttons=buttons)
    redis = connect(redis_url)  # a pool that waits when busy (security review V5)
    return Deps(
        settings=settings,
        client=client,
        dispatcher=dispatcher or SaqDispatcher(make_queue(redis_url)),
        policy=policy,
        seen=RedisSeenStore(redis),
        channels=RedisChannelSettings(redis),
        audit=AuditLog(redis),
        rate_limiter=RateLimiter(redis),
        buttons=RedisButtonStates(redis),
        feedback=RedisFeedback(redis),
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
