"""What cmbot keeps in Redis besides the queue: host locks, a short result cache, event dedup
keys, per-user rate limits and the audit stream."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

PREFIX = "cmbot:"
AUDIT_STREAM = PREFIX + "audit"
AUDIT_MAXLEN = 100_000
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


@dataclass
class HostLock:
    """No two checks on one host at once, across every worker: SET NX PX with a token."""

    redis: Redis
    ttl_ms: int = 120_000

    async def acquire(self, host: str, *, wait_s: float = 60.0) -> str | None:
        token = secrets.token_hex(8)
        deadline = time.monotonic() + wait_s
        while True:
            if await self.redis.set(f"{PREFIX}lock:{host.lower()}", token, nx=True, px=self.ttl_ms):
                return token
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(0.05)

    async def release(self, host: str, token: str) -> None:
        await self.redis.eval(_RELEASE, 1, f"{PREFIX}lock:{host.lower()}", token)


@dataclass
class ResultCache:
    """Recent reports per host and KBs; Re-run bypasses it."""

    redis: Redis
    ttl_s: int = 120

    def _key(self, host: str, kbs: list[str]) -> str:
        return f"{PREFIX}result:{host.lower()}:{','.join(sorted(kbs))}"

    async def get(self, host: str, kbs: list[str]) -> dict[str, Any] | None:
        raw = await self.redis.get(self._key(host, kbs))
        return json.loads(raw) if raw else None

    async def put(self, host: str, kbs: list[str], report: dict[str, Any]) -> None:
        await self.redis.set(self._key(host, kbs), json.dumps(report), ex=self.ttl_s)


@dataclass
class RedisSeenStore:
    """Slack event dedup keys shared by every bot process."""

    redis: Redis
    ttl_s: int = 3600

    async def first_time(self, key: str) -> bool:
        return bool(await self.redis.set(f"{PREFIX}seen:{key}", "1", nx=True, ex=self.ttl_s))

    async def forget(self, key: str) -> None:
        await self.redis.delete(f"{PREFIX}seen:{key}")


@dataclass
class RateLimiter:
    """A fixed window per user: at most `limit` checks per `window_s` seconds."""

    redis: Redis

    async def allow(self, user: str, *, limit: int, window_s: int) -> bool:
        window = int(time.time() // window_s)
        key = f"{PREFIX}rate:{user}:{window}"
        async with self.redis.pipeline(transaction=False) as pipe:  # one round trip on the ack path
            pipe.set(key, 0, ex=window_s + 1, nx=True)
            pipe.incr(key)
            _, count = await pipe.execute()
        return int(count) <= limit


@dataclass
class AuditLog:
    """An append-only stream: who ran what on which host, when, with what outcome."""

    redis: Redis

    async def record(self, *, user: str, action: str, target: str, outcome: str, channel: str = "") -> None:
        fields = {
            "ts": f"{time.time():.3f}",
            "user": user,
            "action": action,
            "target": target,
            "outcome": outcome,
            "channel": channel,
        }
        await self.redis.xadd(AUDIT_STREAM, fields, maxlen=AUDIT_MAXLEN, approximate=True)  # type: ignore[arg-type]

    async def read(
        self,
        *,
        count: int = 100,
        user: str | None = None,
        host: str | None = None,
        since: float | None = None,
    ) -> list[dict[str, str]]:
        rows = await self.redis.xrevrange(AUDIT_STREAM, count=max(count * 10, 1000)) or []
        result = []
        for _, raw in rows:
            if not raw:
                continue
            entry = {
                k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v
                for k, v in raw.items()
            }
            if user and entry.get("user") != user:
                continue
            if host and entry.get("target", "").lower() != host.lower():
                continue
            if since and float(entry.get("ts", 0)) < since:
                continue
            result.append(entry)
            if len(result) >= count:
                break
        return result

    async def once(self, key: str, ttl_s: int = 86_400) -> bool:
        """True for the first caller only: guards a final answer against a retried job."""
        return bool(await self.redis.set(f"{PREFIX}once:{key}", "1", nx=True, ex=ttl_s))
