"""Remember what was already answered: Slack delivers events at least once."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol


class SeenStore(Protocol):
    async def first_time(self, key: str) -> bool:
        """True the first time a key is offered within the TTL, False afterwards."""
        ...

    async def forget(self, key: str) -> None:
        """Offer the key again: the answer it guarded did not reach Slack."""
        ...


class MemorySeenStore:
    """A bounded in-process TTL set; the Redis store replaces it when several bots run."""

    def __init__(self, ttl_s: float = 3600.0, max_keys: int = 100_000) -> None:
        self._ttl = ttl_s
        self._max = max_keys
        self._seen: OrderedDict[str, float] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        now = time.monotonic()
        while self._seen and next(iter(self._seen.values())) < now:
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now + self._ttl
        if len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return True

    async def forget(self, key: str) -> None:
        self._seen.pop(key, None)
