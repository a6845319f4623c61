"""Per-channel settings set with `/cmbot`: whether pasted codes get auto-replies, and the reply
language. Kept in Redis when the bot has one (every bot process sees the same settings), else in
memory. A setting left unset falls back to the bot's defaults (`CMBOT_AUTO_REPLY`, the user's
Slack locale)."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict
from redis.asyncio import Redis

from knowledge.findings import Lang

PREFIX = "cmbot:channel:"


class ChannelPrefs(BaseModel):
    model_config = ConfigDict(frozen=True)

    auto_reply: bool | None = None
    lang: Lang | None = None


class ChannelSettings(Protocol):
    async def get(self, channel: str) -> ChannelPrefs: ...

    async def put(self, channel: str, prefs: ChannelPrefs) -> None: ...


class MemoryChannelSettings:
    """One process's settings (the console and single-process bots without Redis)."""

    def __init__(self) -> None:
        self._prefs: dict[str, ChannelPrefs] = {}

    async def get(self, channel: str) -> ChannelPrefs:
        return self._prefs.get(channel, ChannelPrefs())

    async def put(self, channel: str, prefs: ChannelPrefs) -> None:
        self._prefs[channel] = prefs


class RedisChannelSettings:
    """One JSON value per channel, without expiry: a setting stays until someone changes it."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def get(self, channel: str) -> ChannelPrefs:
        raw = await self.redis.get(PREFIX + channel)
        return ChannelPrefs.model_validate_json(raw) if raw else ChannelPrefs()

    async def put(self, channel: str, prefs: ChannelPrefs) -> None:
        await self.redis.set(PREFIX + channel, prefs.model_dump_json(exclude_none=True))
