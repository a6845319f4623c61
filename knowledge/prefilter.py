"""Find the lines of a large log worth parsing, with one hyperscan pass over the raw bytes.

Parsing costs microseconds per line; most lines of a real log match nothing. So a big document
is scanned raw first, and only the records holding a possible hit (or an error/warning word,
where its codes are looked for) are parsed and matched properly. A raw line contains its record's
message, so nothing the matcher would find is skipped; the matcher still confirms every hit.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from knowledge.logreader import LogLine, parse_lines

PREFILTER_MIN_CHARS = 256 * 1024
"""Smaller documents are parsed whole: the prefilter's fixed cost is not worth it there."""
_FLAG_WORDS = rb"error|warning|fail|type=\"[23]\""
_FLAG_ID = 1_000_000
_OPEN, _CLOSE = "<![LOG[", "]LOG]!>"
_MAX_RECORD_LINES = 400
_LONG_LINE = 8 * 1024


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


class Candidates:
    """The parsed records of a large document's hit lines, streamed.

    The document is walked line by line (never split into a list: a 100 MB log would be half a
    million strings, security review E12); only the last _MAX_RECORD_LINES lines are kept, to find
    the start of a multi-line CMTrace record. `long_lines` counts the raw lines over 8 KB seen so
    far; read it after the records are consumed.
    """

    def __init__(self, prefilter: RawPrefilter, text: str, *, file: str | None) -> None:
        self._text = text
        self._file = file
        self._hits = prefilter.hit_lines(text.encode("utf-8", "replace"))
        self.long_lines = 0

    def _physical(self) -> Iterator[str]:
        text, start, size = self._text, 0, len(self._text)
        while start <= size:
            end = text.find("\n", start)
            if end < 0:
                end = size
            line = text[start:end]
            if len(line) > _LONG_LINE:
                self.long_lines += 1
            yield line
            start = end + 1

    def records(self) -> Iterator[LogLine]:
        hits = iter(self._hits)
        target = next(hits, None)
        recent: deque[str] = deque(maxlen=_MAX_RECORD_LINES)
        lines = self._physical()
        index = -1
        for line in lines:
            index += 1
            if target is None:
                for _ in lines:  # count the long lines of the rest
                    pass
                return
            if index < target:
                recent.append(line)
                continue
            first, block = _record_block(line, recent, lines)
            recent.extend(block[first:])
            for parsed in parse_lines("\n".join(block), file=self._file):
                yield dataclasses.replace(parsed, line=parsed.line + index - first)
            index += len(block) - 1 - first
            while target is not None and target <= index:
                target = next(hits, None)


def _record_block(line: str, recent: deque[str], rest: Iterator[str]) -> tuple[int, list[str]]:
    """The physical lines of the record holding `line`: (how many precede it, the lines).

    Lines after `line` are taken from `rest` (so the caller's walk skips them).
    """
    if _OPEN in line and _CLOSE in line:
        return 0, [line]
    before: list[str] = []
    if _OPEN not in line:
        for back in reversed(recent):
            if _CLOSE in back:
                return 0, [line]
            before.append(back)
            if _OPEN in back:
                break
        else:
            return 0, [line]
        before.reverse()
    block = [*before, line]
    if _CLOSE in line:
        return len(before), block
    for forward in rest:
        block.append(forward)
        if _CLOSE in forward or len(block) >= _MAX_RECORD_LINES:
            break
    return len(before), block


def candidate_lines(prefilter: RawPrefilter, text: str, *, file: str | None) -> Candidates:
    """The streamed candidate records of `text`; see Candidates."""
    return Candidates(prefilter, text, file=file)
