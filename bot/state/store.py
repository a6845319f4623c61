"""What cmbot keeps in Redis besides the queue: host locks, a short result cache, event dedup
keys, per-user rate limits, the audit stream, the state behind buttons and feedback votes. The
button and feedback stores have an in-memory twin for a bot run without Redis; `connect` is the
one way to open a client."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

PREFIX = "cmbot:"
AUDIT_STREAM = PREFIX + "audit"
AUDIT_MAXLEN = 100_000
POOL_SIZE = 50
POOL_WAIT_S = 30.0
"""A command waits this long for a free pooled connection before it fails (V5)."""
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


def connect(url: str, *, size: int = POOL_SIZE, wait_s: float = POOL_WAIT_S) -> Redis:
    """A client whose pool holds at most `size` connections and makes a command WAIT for a free
    one (up to `wait_s`) instead of failing at once, as redis-py's default pool does past its
    limit (security review V5: a 150-host group or 300 commands at once). A command whose pooled
    connection died (Redis restarted) is retried on a new one (review R10): a client built with
    `from_url` alone has no retry, because the pool's connections carry `Retry(NoBackoff(), 0)`
    (redis/asyncio/connection.py, AbstractConnection.__init__)."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=size,
        timeout=wait_s,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 3),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        socket_connect_timeout=5,
    )
    return Redis(connection_pool=pool)


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
        """True for the first caller only (a claim that never expires: for answers whose loss is
        harmless; a check's final answer uses `FinalAnswer`)."""
        return bool(await self.redis.set(f"{PREFIX}once:{key}", "1", nx=True, ex=ttl_s))


POSTED = b"posted"


@dataclass
class FinalAnswer:
    """One request's final answer, posted once across retried jobs, and never lost to a job that
    died while posting (security review V11/R2): the poster holds a short lease, and only a
    successful post turns it into the lasting "posted" mark. A retry that finds a lease waits for
    it to turn into "posted" (then stays silent) or to expire (then posts itself)."""

    redis: Redis
    request_id: str
    lease_ms: int = 120_000
    """Longer than a post can take with Slack's 429 back-off (3 retries of Retry-After)."""
    token: str = field(default_factory=lambda: "lease:" + secrets.token_hex(8))
    won: bool = False
    """True once this job posted the answer: only then does it write audit rows and metrics."""

    @property
    def key(self) -> str:
        return f"{PREFIX}once:final:{self.request_id}"

    async def claim(self) -> bool:
        """True when this job is to post the answer; False when it was posted already (or a live
        poster still holds its lease after a whole lease of waiting)."""
        deadline = time.monotonic() + self.lease_ms / 1000 + 5
        while not await self.redis.set(self.key, self.token, nx=True, px=self.lease_ms):
            held = await self.redis.get(self.key)
            if isinstance(held, bytes) and not held.startswith(b"lease:"):
                return False  # "posted" (or "1", the claim of a version before leases)
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.2)
        return True

    async def posted(self) -> None:
        self.won = True
        await self.redis.set(self.key, POSTED, ex=86_400)

    async def release(self) -> None:
        """The post failed: let the job's retry post instead of waiting out the lease."""
        await self.redis.eval(_RELEASE, 1, self.key, self.token)


BUTTON_STATE_TTL_S = 14 * 86_400
"""How long a reply's buttons can rebuild it (the whole paste, a Re-run's hosts and KBs)."""


class ButtonStates(Protocol):
    async def put(self, key: str, state: dict[str, Any]) -> None: ...

    async def get(self, key: str) -> dict[str, Any] | None:
        """The state, or None once it expired."""
        ...


@dataclass
class RedisButtonStates:
    """What a button needs, behind a short key in its value (a Slack button value holds 2,000
    characters: not a 120-host Re-run nor a 20 KB paste)."""

    redis: Redis
    ttl_s: int = BUTTON_STATE_TTL_S

    async def put(self, key: str, state: dict[str, Any]) -> None:
        await self.redis.set(f"{PREFIX}button:{key}", json.dumps(state), ex=self.ttl_s)

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self.redis.get(f"{PREFIX}button:{key}")
        return dict(json.loads(raw)) if raw else None


@dataclass
class MemoryButtonStates:
    """The same in this process only, bounded (oldest dropped first)."""

    ttl_s: float = BUTTON_STATE_TTL_S
    max_keys: int = 10_000
    _states: OrderedDict[str, tuple[float, str]] = field(default_factory=OrderedDict)

    async def put(self, key: str, state: dict[str, Any]) -> None:
        self._states[key] = (time.monotonic() + self.ttl_s, json.dumps(state))
        self._states.move_to_end(key)
        while len(self._states) > self.max_keys:
            self._states.popitem(last=False)

    async def get(self, key: str) -> dict[str, Any] | None:
        entry = self._states.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return dict(json.loads(entry[1]))


@dataclass(frozen=True)
class CausePrecision:
    """Votes on answers naming one cause: precision = right / (right + wrong)."""

    cause: str
    right: int
    wrong: int

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else 0.0


class FeedbackStore(Protocol):
    async def vote(self, *, answer: str, user: str, cause: str, kind: str, right: bool) -> bool:
        """Record a vote; False when this user already voted on this answer."""
        ...

    async def precision(self) -> list[CausePrecision]: ...


_VOTE = """
if redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('expire', KEYS[1], ARGV[5])
redis.call('hincrby', KEYS[2], ARGV[3], 1)
redis.call('sadd', KEYS[3], ARGV[4])
return 1
"""


@dataclass
class RedisFeedback:
    """Votes on answers ("Right cause? 👍 / 👎"): one per user per answer, kept with the cause, the
    kind of input and the user; per-cause counts for precision. Atomic in one script, so two
    clicks at once count once."""

    redis: Redis
    answer_ttl_s: int = 400 * 86_400

    async def vote(self, *, answer: str, user: str, cause: str, kind: str, right: bool) -> bool:
        record = json.dumps({"cause": cause, "kind": kind, "right": right, "ts": round(time.time(), 3)})
        added = await self.redis.eval(
            _VOTE,
            3,
            f"{PREFIX}feedback:answer:{answer}",
            f"{PREFIX}feedback:cause:{cause}",
            f"{PREFIX}feedback:causes",
            user,
            record,
            "right" if right else "wrong",
            cause,
            str(self.answer_ttl_s),
        )
        return bool(added)

    async def precision(self) -> list[CausePrecision]:
        causes = sorted(_text(c) for c in await self.redis.smembers(f"{PREFIX}feedback:causes"))
        out = []
        for cause in causes:
            counts = {
                _text(k): int(v)
                for k, v in (await self.redis.hgetall(f"{PREFIX}feedback:cause:{cause}")).items()
            }
            out.append(CausePrecision(cause, counts.get("right", 0), counts.get("wrong", 0)))
        return out


@dataclass
class MemoryFeedback:
    """The same in this process only (a bot run without Redis)."""

    votes: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)

    async def vote(self, *, answer: str, user: str, cause: str, kind: str, right: bool) -> bool:
        if (answer, user) in self.votes:
            return False
        self.votes[(answer, user)] = (cause, right)
        return True

    async def precision(self) -> list[CausePrecision]:
        counts: dict[str, list[int]] = {}
        for cause, right in self.votes.values():
            counts.setdefault(cause, [0, 0])[0 if right else 1] += 1
        return [CausePrecision(c, r, w) for c, (r, w) in sorted(counts.items())]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
