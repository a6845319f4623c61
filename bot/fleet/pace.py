"""How often a streaming summary may be edited: Slack's `chat.update` is a Tier 3 method, about
50 calls a minute per workspace and app (docs.slack.dev/reference/methods/chat.update,
docs.slack.dev/apis/web-api/rate-limits). One message is edited at most every 2 s, and all the
check jobs of one process share a budget of 40 progress edits a minute, so the final edit (never
skipped) and other work keep headroom below the limit."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

MESSAGE_EVERY_S = 2.0
PROCESS_PER_MINUTE = 40


class UpdateBudget:
    """A sliding one-minute window of progress edits shared by every job in the process."""

    def __init__(self, per_minute: int = PROCESS_PER_MINUTE, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._sent: deque[float] = deque()

    def take(self) -> bool:
        """True (and counted) when one more progress edit fits in the last minute's budget."""
        now = self.clock()
        while self._sent and now - self._sent[0] >= 60.0:
            self._sent.popleft()
        if len(self._sent) >= self.per_minute:
            return False
        self._sent.append(now)
        return True


class ProgressPacer:
    """Decides, per finished host, whether this job's progress message is edited now."""

    def __init__(
        self,
        budget: UpdateBudget,
        every_s: float = MESSAGE_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.budget = budget
        self.every_s = every_s
        self.clock = clock
        self._last = float("-inf")

    def due(self) -> bool:
        now = self.clock()
        if now - self._last < self.every_s or not self.budget.take():
            return False
        self._last = now
        return True


PROCESS_BUDGET = UpdateBudget()
"""The budget every check job in this process draws its progress edits from."""

__all__ = ["PROCESS_BUDGET", "ProgressPacer", "UpdateBudget"]
