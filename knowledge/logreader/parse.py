"""Split log text into records: CMTrace, WindowsUpdate.log (classic and ETW text), ReportingEvents.log.

Every other line is kept as plain text. A CMTrace message may span physical lines; the record
closes at `]LOG]!>`. Parsing is a generator so a large log is never held as a list of records.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from knowledge.findings import Severity

_CMTRACE_OPEN = "<![LOG["
_CMTRACE_CLOSE = "]LOG]!>"
_MAX_RECORD_LINES = 400
_MAX_RECORD_CHARS = 256 * 1024

_CMTRACE_ATTRS = re.compile(
    r'<time="(?P<time>[^"]*)"\s+date="(?P<date>[^"]*)"\s+component="(?P<component>[^"]*)"'
    r'(?:\s+context="[^"]*")?\s+type="(?P<type>\d*)"'
)
_CMTRACE_LINE = re.compile(
    r'<!\[LOG\[(?P<message>.*)\]LOG\]!><time="(?P<time>[^"]*)" date="(?P<date>[^"]*)" '
    r'component="(?P<component>[^"]*)" context="[^"]*" type="(?P<type>\d)"'
)
_CMTRACE_TIME = re.compile(r"(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?([+-]\d{1,4})?$")
_CMTRACE_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})$")
_CMTRACE_TYPES: dict[str, Severity] = {"1": "info", "2": "warning", "3": "error"}

# 2015-06-10 10:12:33:123  1234  5e8 PT  WARNING: ...
_WU_CLASSIC = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})\s+(\d{1,2}):(\d{2}):(\d{2})[:.](\d{1,3})\s+\d+\s+[0-9A-Fa-f]+\s+(\S+)\s+(.*)"
)
# 2017/10/05 10:27:33.6424521 1012  4588  Agent           WARNING: ...
_WU_ETW = re.compile(
    r"(\d{4})/(\d{2})/(\d{2})\s+(\d{1,2}):(\d{2}):(\d{2})\.(\d{1,7})\s+\d+\s+\d+\s+(\S+)\s+(.*)"
)
# {GUID}\t2015-06-10 10:12:33:123+0900\t1\t181\t...\tAutomaticUpdates\tFailure\t...
_REPORTING = re.compile(
    r"\{[0-9A-Fa-f-]{36}\}\t(\d{4})-(\d{2})-(\d{2}) (\d{1,2}):(\d{2}):(\d{2})[:.](\d{1,3})([+-]\d{4})?\t(.*)"
)
# Japanese Windows and ConfigMgr messages say エラー (error), 失敗 (failure), 警告 (warning).
_ERROR_WORDS = re.compile(
    r"\b(?:error|fail(?:ed|ure|s)?|fatal|exception)\b|_FAILED\b|エラー|失敗", re.IGNORECASE
)
_WARNING_WORDS = re.compile(r"\bwarn(?:ing)?\b|警告", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LogLine:
    """One log record. `line` is the 1-based physical line where the record starts."""

    text: str
    line: int
    file: str | None = None
    timestamp: datetime | None = None
    component: str | None = None
    severity: Severity | None = None
    cmtrace_time: tuple[str, str] | None = None
    """CMTrace (time, date) attribute text, parsed only when `when()` is asked (most lines never are)."""

    def when(self) -> datetime | None:
        """The record's time: tz-aware where the log gives an offset, naive otherwise."""
        if self.timestamp is None and self.cmtrace_time is not None:
            return _cmtrace_timestamp(*self.cmtrace_time)
        return self.timestamp


def infer_severity(text: str) -> Severity | None:
    """Severity of a line without a type field, from its words."""
    if _ERROR_WORDS.search(text):
        return "error"
    if _WARNING_WORDS.search(text):
        return "warning"
    return None


def _physical_lines(text: str) -> Iterator[tuple[int, str]]:
    number, start, size = 0, 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            end = size
        number += 1
        line = text[start:end]
        yield number, line[:-1] if line.endswith("\r") else line
        start = end + 1


def _safe_datetime(*parts: int, tz: timezone | None) -> datetime | None:
    try:
        year, month, day, hour, minute, second, micro = parts
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        return None


def _fraction_to_micro(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


@functools.lru_cache(maxsize=64)
def _offset(minutes_east: int) -> timezone | None:
    if abs(minutes_east) >= 24 * 60:
        return None
    return timezone(timedelta(minutes=minutes_east))


def _cmtrace_timestamp(time_text: str, date_text: str) -> datetime | None:
    """`time="13:45:12.345-540"` carries the Windows bias (UTC = local + bias) in minutes."""
    time_match = _CMTRACE_TIME.match(time_text)
    date_match = _CMTRACE_DATE.match(date_text)
    if not time_match or not date_match:
        return None
    hour, minute, second, fraction, bias = time_match.groups()
    month, day, year = date_match.groups()
    tz = _offset(-int(bias)) if bias else None
    return _safe_datetime(
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        int(second),
        _fraction_to_micro(fraction),
        tz=tz,
    )


def _cmtrace_record(body: str, number: int, file: str | None) -> LogLine:
    close = body.rfind(_CMTRACE_CLOSE)
    opening = body.find(_CMTRACE_OPEN)
    message = body[opening + len(_CMTRACE_OPEN) : close]
    attrs = _CMTRACE_ATTRS.search(body, close + len(_CMTRACE_CLOSE))
    if attrs is None:
        return LogLine(message, number, file, severity=infer_severity(message))
    return LogLine(
        message,
        number,
        file,
        cmtrace_time=(attrs["time"], attrs["date"]),
        component=attrs["component"] or None,
        severity=_CMTRACE_TYPES.get(attrs["type"]) or infer_severity(message),
    )


def _windows_update_record(line: str, number: int, file: str | None) -> LogLine | None:
    head = line[:1]
    if head == "{":
        match = _REPORTING.match(line)
        if match is None:
            return None
        *parts, offset, rest = match.groups()
        tz = (
            _offset((1 if offset[0] == "+" else -1) * (int(offset[1:3]) * 60 + int(offset[3:])))
            if offset
            else None
        )
        fields = rest.split("\t")
        component = fields[6] if len(fields) > 6 else None
        year, month, day, hour, minute, second, milli = (int(p) for p in parts)
        stamp = _safe_datetime(year, month, day, hour, minute, second, milli * 1000, tz=tz)
        return LogLine(rest, number, file, stamp, component, infer_severity(rest))
    if not head.isdigit():
        return None
    match = _WU_CLASSIC.match(line) or _WU_ETW.match(line)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(p) for p in match.groups()[:6])
    fraction, component, message = match.group(7), match.group(8), match.group(9)
    micro = (
        int(fraction) * 1000
        if len(fraction) <= 3 and match.re is _WU_CLASSIC
        else _fraction_to_micro(fraction)
    )
    stamp = _safe_datetime(year, month, day, hour, minute, second, micro, tz=None)
    return LogLine(message, number, file, stamp, component, infer_severity(message))


def _plain(line: str, number: int, file: str | None) -> LogLine:
    return _windows_update_record(line, number, file) or LogLine(
        line, number, file, severity=infer_severity(line)
    )


def parse_lines(text: str, *, file: str | None = None) -> Iterator[LogLine]:
    """Yield one LogLine per record, in order. Never raises on any input."""
    pending: list[str] = []
    pending_start = 0
    pending_chars = 0
    for number, line in _physical_lines(text):
        if pending:
            pending.append(line)
            pending_chars += len(line)
            if _CMTRACE_CLOSE in line:
                yield _cmtrace_record("\n".join(pending), pending_start, file)
                pending = []
            elif len(pending) > _MAX_RECORD_LINES or pending_chars > _MAX_RECORD_CHARS:
                # An unclosed record: give its lines back as plain text rather than buffer forever.
                for offset, kept in enumerate(pending):
                    yield _plain(kept, pending_start + offset, file)
                pending = []
            continue
        fast = _CMTRACE_LINE.match(line)
        if fast is not None:  # the common single-line record, in one regex call
            message = fast["message"]
            yield LogLine(
                message,
                number,
                file,
                component=fast["component"] or None,
                severity=_CMTRACE_TYPES.get(fast["type"]) or infer_severity(message),
                cmtrace_time=(fast["time"], fast["date"]),
            )
            continue
        if _CMTRACE_OPEN in line:
            if _CMTRACE_CLOSE in line[line.find(_CMTRACE_OPEN) :]:
                yield _cmtrace_record(line, number, file)
            else:
                pending, pending_start, pending_chars = [line], number, len(line)
            continue
        if line.strip():
            yield _plain(line, number, file)
    for offset, kept in enumerate(pending):
        yield _plain(kept, pending_start + offset, file)
