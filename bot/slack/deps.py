"""`Deps`: what the listeners need (settings, Web API client, dispatcher, stores, policy).

It lives apart from the app factory so listeners depend on this contract, never on the
composition root that builds them.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from redis.exceptions import RedisError
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.access.groups import load_groups
from bot.access.policy import Policy
from bot.jobs.dispatch import CheckDispatcher
from bot.settings import Settings
from bot.slack.background import Background
from bot.slack.slash import Command
from bot.slack.usergroups import UsergroupDirectory
from bot.state.channel_settings import ChannelPrefs, ChannelSettings, MemoryChannelSettings
from bot.state.dedup import MemorySeenStore, SeenStore
from bot.state.store import (
    AuditLog,
    ButtonStates,
    FeedbackStore,
    MemoryButtonStates,
    MemoryFeedback,
    RateLimiter,
)
from knowledge.findings import Lang, lang_named
from probes.config import ProbeConfig

log = logging.getLogger("cmbot.deps")
RECENT_CHECKS = 10
ACK_LANG_BUDGET_S = 1.0
"""How long an ack may wait for the reader's language: a third of Slack's 3 s."""


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
    commands: tuple[Command[Any], ...] = ()
    """The command table the app serves (`handlers/command_table.py` unless a test passes its own):
    listeners are registered from it, and `/cmbot help` and App Home list it."""
    _user_lang: dict[str, Lang] = field(default_factory=dict)

    @functools.cached_property
    def probes(self) -> ProbeConfig:
        """What checks and target checks need (credentials, inventory, port, knowledge entries)."""
        return self.settings.probe_config()

    @functools.cached_property
    def groups(self) -> dict[str, list[str]]:
        """The host groups `group:NAME` expands through (CMBOT_GROUPS), loaded once."""
        return load_groups(self.settings.cmbot_groups)

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
        except (RedisError, OSError):
            log.warning("audit write failed")

    async def channel_prefs(self, channel_id: str | None) -> ChannelPrefs:
        """The channel's `/cmbot` settings; with the store down, the defaults (logged)."""
        if not channel_id:
            return ChannelPrefs()
        try:
            return await self.channels.get(channel_id)
        except (RedisError, OSError):
            log.warning("channel settings unavailable; using the defaults")
            return ChannelPrefs()

    async def auto_reply(self, channel_id: str | None) -> bool:
        prefs = await self.channel_prefs(channel_id)
        return self.settings.cmbot_auto_reply if prefs.auto_reply is None else prefs.auto_reply

    def known_lang(self, user_id: str | None) -> Lang:
        """The reply language with no I/O: the user's language when an earlier request looked it
        up, else the default (`lang_for` may call users.info and Redis)."""
        return self._user_lang.get(user_id or "") or self.settings.cmbot_lang

    async def ack_lang(self, user_id: str | None, channel_id: str | None = None) -> Lang:
        """The reply language for an answer inside the ack, which Slack needs within 3 s
        (https://docs.slack.dev/interactivity/implementing-slash-commands): `lang_for` when it
        answers within ACK_LANG_BUDGET_S (users.info is cached after a user's first request),
        else what is known without I/O."""
        try:
            async with asyncio.timeout(ACK_LANG_BUDGET_S):
                return await self.lang_for(user_id, channel_id)
        except TimeoutError:
            log.info(
                "language lookup slower than %s s; the ack answers in the known language", ACK_LANG_BUDGET_S
            )
            return self.known_lang(user_id)

    async def lang_for(self, user_id: str | None, channel_id: str | None = None) -> Lang:
        """The channel's setting, else the user's Slack locale (ja-JP → ja), else the default."""
        if (channel_lang := (await self.channel_prefs(channel_id)).lang) is not None:
            return channel_lang
        if not user_id:
            return self.settings.cmbot_lang
        if user_id in self._user_lang:
            return self._user_lang[user_id]
        try:
            info = await self.client.users_info(user=user_id, include_locale=True)
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            # Not cached: the next request asks Slack again instead of keeping the default for good.
            log.info("users.info failed (%s); using the default language this time", type(exc).__name__)
            return self.settings.cmbot_lang
        locale = str((info.get("user") or {}).get("locale") or "")
        lang = lang_named(locale) or self.settings.cmbot_lang
        self._user_lang[user_id] = lang
        return lang
