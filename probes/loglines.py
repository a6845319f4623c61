"""Log lines bounded in time: a failure counts only when it is recent and no later success followed.

CMTrace lines carry `time="HH:MM:SS.mmm+bias" date="MM-DD-YYYY"`, bias in minutes with UTC = local +
bias (AndersRodland/ConfigMgrClientHealth ConfigMgrClientHealth.ps1 `Search-CMLogFile` parses the same
fields and stops at its start time). ReportingEvents.log lines carry `YYYY-MM-DD HH:MM:SS:mmm+hhmm`;
WindowsUpdate.log (Windows 7/8) `YYYY-MM-DD<TAB>HH:MM:SS:mmm` in local time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MAX_AGE = timedelta(days=7)
"""Seed article 1 asks for errors logged "recently" (直近に); a week covers a missed weekend window."""
LOCAL_SLACK = timedelta(hours=14)
"""A local time with no offset may be up to 14 h off UTC."""

_CMTRACE = re.compile(
    r'time="(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?([+-]\d+)?"\s+date="(\d{1,2})-(\d{1,2})-(\d{4})"'
)
_REPORTING = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}):\d+([+-])(\d{2})(\d{2})")
_WINDOWSUPDATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})")


@dataclass(frozen=True)
class Stamped:
    line: str
    when: datetime | None
    exact: bool


def line_time(line: str) -> tuple[datetime | None, bool]:
    """The line's time in UTC, and whether it carried its offset."""
    if m := _CMTRACE.search(line):
        hour, minute, second, bias, month, day, year = m.groups()
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC)
        if bias is None:
            return local, False
        return local + timedelta(minutes=int(bias)), True
    if m := _REPORTING.search(line):
        y, mo, d, h, mi, s, sign, oh, om = m.groups()
        local = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=UTC)
        offset = timedelta(hours=int(oh), minutes=int(om))
        return (local - offset if sign == "+" else local + offset), True
    if m := _WINDOWSUPDATE.search(line):
        y, mo, d, h, mi, s = (int(g) for g in m.groups())
        return datetime(y, mo, d, h, mi, s, tzinfo=UTC), False
    return None, False


def current_failures(
    lines: Sequence[str], *, failure: re.Pattern[str], success: re.Pattern[str] | None, now: datetime | None
) -> list[str]:
    """Failure lines newer than MAX_AGE (when the host's clock is known) and after the last success."""
    stamped = [Stamped(line, *line_time(line)) for line in lines]
    last_success = max(
        (i for i, s in enumerate(stamped) if success is not None and success.search(s.line)), default=-1
    )
    result = []
    for i, s in enumerate(stamped):
        if i <= last_success or not failure.search(s.line):
            continue
        if now is not None and s.when is not None:
            slack = timedelta(0) if s.exact else LOCAL_SLACK
            if s.when < now - MAX_AGE - slack:
                continue
        result.append(s.line)
    return result
