"""Find the lines of a large log worth parsing, with one hyperscan pass over the raw bytes.

Parsing costs microseconds per line; most lines of a real log match nothing. So a big document
is scanned raw first, and only the records holding a possible hit (or an error/warning word,
where its codes are looked for) are parsed and matched properly. A raw line contains its record's
message, so nothing the matcher would find is skipped; the matcher still confirms every hit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

from knowledge.logreader import LogLine, parse_lines

PREFILTER_MIN_CHARS = 256 * 1024
"""Smaller documents are parsed whole: the prefilter's fixed cost is not worth it there."""
_FLAG_WORDS = rb"error|warning|fail|type=\"[23]\""
_FLAG_ID = 1_000_000
_OPEN, _CLOSE = "<![LOG[", "]LOG]!>"
_MAX_RECORD_LINES = 400


class RawPrefilter:
    """One block-mode database over every pattern plus the error/warning words."""

    def __init__(self, hyperscan: Any, database: Any) -> None:
        self._hyperscan = hyperscan
        self._database = database

    @classmethod
    def build(cls, regexes: Sequence[str]) -> RawPrefilter | None:
        """None when hyperscan is missing or rejects a pattern (then every line is parsed)."""
        try:
            import hyperscan  # noqa: PLC0415 - optional accelerator
        except ImportError:
            return None
        flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_MULTILINE
        expressions = [r.encode() for r in regexes] + [_FLAG_WORDS]
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            database.compile(
                expressions=expressions,
                ids=[*range(len(regexes)), _FLAG_ID],
                flags=[flags] * len(expressions),
            )
        except hyperscan.error:
            return None
        return cls(hyperscan, database)

    def hit_lines(self, data: bytes) -> list[int]:
        """0-based numbers of the physical lines where some expression ends."""
        ends: list[int] = []
        last_line_end = -1

        def on_match(_id: int, _start: int, end: int, _flags: int, _context: object) -> None:
            nonlocal last_line_end
            if end <= last_line_end:
                return
            ends.append(end)
            newline = data.find(b"\n", end - 1)
            last_line_end = len(data) if newline < 0 else newline

        scratch = self._hyperscan.Scratch(self._database)  # one per call: callers may be threads
        self._database.scan(data, match_event_handler=on_match, scratch=scratch)
        lines: list[int] = []
        position, number = 0, 0
        for end in sorted(set(ends)):
            number += data.count(b"\n", position, end - 1)
            position = end - 1
            if not lines or lines[-1] != number:
                lines.append(number)
        return lines


def _record_range(lines: list[str], index: int) -> tuple[int, int]:
    """The physical lines [first, last] of the record holding line `index`."""
    line = lines[index]
    if _OPEN in line and _CLOSE in line:
        return index, index
    first = index
    if _OPEN not in line:
        for back in range(index - 1, max(-1, index - _MAX_RECORD_LINES), -1):
            if _CLOSE in lines[back]:
                return index, index
            if _OPEN in lines[back]:
                first = back
                break
        else:
            return index, index
    for forward in range(index, min(len(lines), first + _MAX_RECORD_LINES)):
        if _CLOSE in lines[forward]:
            return first, forward
    return index, index


def candidate_lines(prefilter: RawPrefilter, text: str, *, file: str | None) -> tuple[Iterator[LogLine], int]:
    """Parsed records of the hit lines, in order, and the count of raw lines over 8 KB."""
    physical = text.split("\n")
    long_lines = sum(1 for line in physical if len(line) > 8 * 1024)
    hits = prefilter.hit_lines(text.encode("utf-8", "replace"))

    def records() -> Iterator[LogLine]:
        done = -1
        for index in hits:
            if index <= done:
                continue
            first, last = _record_range(physical, index)
            done = last
            for parsed in parse_lines("\n".join(physical[first : last + 1]), file=file):
                yield dataclasses.replace(parsed, line=parsed.line + first)

    return records(), long_lines
