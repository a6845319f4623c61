"""Which Slack user groups a user is in, for the policy's `usergroups:` rules.

Membership comes from the Web API method usergroups.users.list (scope `usergroups:read`,
https://docs.slack.dev/reference/methods/usergroups.users.list), one call per group the policy
names, cached for a few minutes. A failed lookup grants nothing (logged): the policy fails closed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("cmbot.usergroups")
CACHE_S = 300.0
LOOKUP_BUDGET_S = 1.5
"""A lookup runs before the ack (Slack wants it within 3 s); past this it counts as no group."""


@dataclass
class UsergroupDirectory:
    client: AsyncWebClient
    ttl_s: float = CACHE_S
    _members: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def groups_of(self, user: str, groups: Iterable[str]) -> list[str]:
        """The groups among `groups` that `user` belongs to."""
        wanted = sorted(set(groups))
        if not wanted or not user:
            return []
        try:
            async with asyncio.timeout(LOOKUP_BUDGET_S):
                members = [await self._members_of(group) for group in wanted]
        except TimeoutError:
            log.warning("usergroups.users.list took over %.1f s; no group membership used", LOOKUP_BUDGET_S)
            return []
        return [group for group, users in zip(wanted, members, strict=True) if user in users]

    async def _members_of(self, group: str) -> frozenset[str]:
        cached = self._members.get(group)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        async with self._locks.setdefault(group, asyncio.Lock()):
            cached = self._members.get(group)
            if cached and cached[0] > time.monotonic():
                return cached[1]
            try:
                response = await self.client.usergroups_users_list(usergroup=group)
                users = frozenset(str(u) for u in response.get("users") or [])
            except SlackClientError as exc:
                log.warning("usergroups.users.list failed for %s (%s)", group, type(exc).__name__)
                users = frozenset()
            self._members[group] = (time.monotonic() + self.ttl_s, users)
            return users
