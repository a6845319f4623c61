"""All knowledge entries' log patterns compiled once into one multi-pattern engine.

Engines (measured in docs/BENCHMARKS.md): hyperscan scans a batch of lines in one call and
reports candidate (pattern, line) pairs, which Python `re` then confirms, so results are exactly
those of `re.search(pattern, line, re.IGNORECASE)` on every engine. `re` is the per-pattern loop
(the baseline, and the fallback when hyperscan cannot import: it measured faster than
`alternation`, one combined `re` per line as a pre-filter, which the `.*` patterns slow down).
Patterns hyperscan cannot compile are checked with `re` on every line.

A `Matcher` is immutable once built and safe to share between threads (hyperscan scratch space
is per thread). A scan's hits are collapsed (identical lines → one group with a count) and
ranked: error lines over warnings over info, then pattern confidence, then recency.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from knowledge.findings import Severity
from knowledge.logreader import LogLine
from knowledge.models import Entry
from knowledge.stages import Reasoner

EngineName = Literal["auto", "hyperscan", "alternation", "re"]

MATCH_LINE_CHARS = 8 * 1024
"""Only the first 8 KB of a line are matched; a 1 MB line costs no more than an 8 KB one."""
BATCH_LINES = 4096
BATCH_CHARS = 1024 * 1024
MAX_GROUPS_PER_CAUSE = 64
MAX_EVIDENCE = 5
EVIDENCE_CHARS = 1000

_SEVERITY_RANK: dict[Severity | None, int] = {"error": 3, "warning": 2, None: 1, "info": 0}
_VOLATILE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:[.:,]\d+)?)?"
    r"|\b\d{1,2}:\d{2}:\d{2}(?:[.:,]\d+)?"
    # possessive `\s*+` with one optional separator: linear in a run of blanks (security review V4/E3)
    r"|\b(?:thread|pid|tid)\s*+(?:[=:]\s*+)?\"?(?:0x)?[0-9a-f]++\"?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    """One entry pattern; `index` is its position in the matcher's pattern table."""

    index: int
    entry_id: str
    regex: re.Pattern[str]
    confidence: float
    stage: str | None = None
    """Set for a stage's failure-line pattern: the cause comes from the code in the line."""


class LineEngine(Protocol):
    """Finds which patterns match which lines of a batch: sorted (line index, pattern index) pairs."""

    @property
    def name(self) -> str: ...

    def match_batch(self, texts: Sequence[str]) -> list[tuple[int, int]]: ...


@dataclass(frozen=True, slots=True)
class RegexLoopEngine:
    """The baseline: every pattern searched on every line."""

    patterns: tuple[CompiledPattern, ...]
    name: str = "re"

    def match_batch(self, texts: Sequence[str]) -> list[tuple[int, int]]:
        return [
            (row, pattern.index)
            for row, text in enumerate(texts)
            for pattern in self.patterns
            if pattern.regex.search(text)
        ]


@dataclass(frozen=True, slots=True)
class AlternationEngine:
    """One combined `re` per line as a pre-filter; lines it passes are checked pattern by pattern."""

    patterns: tuple[CompiledPattern, ...]
    combined: re.Pattern[str]
    name: str = "alternation"

    @classmethod
    def build(cls, patterns: tuple[CompiledPattern, ...]) -> AlternationEngine | None:
        if not patterns:
            return None
        try:
            combined = re.compile("|".join(f"(?:{p.regex.pattern})" for p in patterns), re.IGNORECASE)
        except re.error:
            return None  # e.g. inline global flags or clashing group names; use the loop
        return cls(patterns, combined)

    def match_batch(self, texts: Sequence[str]) -> list[tuple[int, int]]:
        search = self.combined.search
        return [
            (row, pattern.index)
            for row, text in enumerate(texts)
            if search(text)
            for pattern in self.patterns
            if pattern.regex.search(text)
        ]


class HyperscanEngine:
    """A hyperscan block database over a whole batch joined by newlines, confirmed with `re`."""

    name = "hyperscan"

    def __init__(
        self, hyperscan: Any, database: Any, patterns: tuple[CompiledPattern, ...], rest: RegexLoopEngine
    ):
        self._hyperscan = hyperscan
        self._database = database
        self._patterns = patterns
        self._rest = rest
        self._local = threading.local()

    @classmethod
    def build(cls, patterns: tuple[CompiledPattern, ...]) -> tuple[HyperscanEngine | None, list[str]]:
        """The engine and the notices about patterns left to `re`; None when hyperscan is unusable."""
        try:
            import hyperscan  # noqa: PLC0415 - optional accelerator; absent wheels fall back to re
        except ImportError:
            return None, ["hyperscan is not installed; matching with Python re"]
        flags = (
            hyperscan.HS_FLAG_CASELESS
            | hyperscan.HS_FLAG_UTF8
            | hyperscan.HS_FLAG_UCP
            | hyperscan.HS_FLAG_MULTILINE
        )
        accepted: list[CompiledPattern] = []
        rejected: list[CompiledPattern] = []
        notices: list[str] = []
        for pattern in patterns:
            try:
                probe = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
                probe.compile(expressions=[pattern.regex.pattern.encode()], ids=[pattern.index], flags=flags)
            except hyperscan.error as exc:
                rejected.append(pattern)
                notices.append(f"{pattern.entry_id}: pattern {pattern.regex.pattern!r} runs in re ({exc})")
            else:
                accepted.append(pattern)
        if not accepted:
            return None, notices
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(
            expressions=[p.regex.pattern.encode() for p in accepted],
            ids=[p.index for p in accepted],
            flags=flags,
        )
        table = tuple(sorted(patterns, key=lambda p: p.index))
        return cls(hyperscan, database, table, RegexLoopEngine(tuple(rejected))), notices

    def _scratch(self) -> Any:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._hyperscan.Scratch(self._database)
            self._local.scratch = scratch
        return scratch

    def match_batch(self, texts: Sequence[str]) -> list[tuple[int, int]]:
        encoded = [text.encode("utf-8", "replace") for text in texts]
        starts: list[int] = []
        position = 0
        for chunk in encoded:
            starts.append(position)
            position += len(chunk) + 1
        candidates: set[tuple[int, int]] = set()

        def on_match(pattern_id: int, _start: int, end: int, _flags: int, _context: object) -> None:
            # A match that truly lies within a line ends inside it; `end - 1` is its last byte.
            candidates.add((bisect.bisect_right(starts, end - 1) - 1, pattern_id))

        self._database.scan(b"\n".join(encoded), match_event_handler=on_match, scratch=self._scratch())
        confirmed = {
            (row, index) for row, index in candidates if self._patterns[index].regex.search(texts[row])
        }
        confirmed.update(self._rest.match_batch(texts))
        return sorted(confirmed)


@dataclass(slots=True)
class EvidenceGroup:
    """Identical lines (timestamps and thread ids aside) hit by one cause's patterns."""

    first: LogLine
    confidence: float
    count: int = 1
    last: LogLine | None = None
    literal: bool = True
    """False when only a stage's reasoning (stage + code) put the line here."""
    basis: str = ""

    @property
    def latest(self) -> LogLine:
        return self.last or self.first


@dataclass(frozen=True, slots=True)
class CauseMatch:
    """One cause with its ranked evidence (at most MAX_EVIDENCE groups) and total hit count."""

    entry_id: str
    confidence: float
    evidence: tuple[EvidenceGroup, ...]
    hits: int

    @property
    def literal(self) -> bool:
        return any(group.literal for group in self.evidence)


@dataclass(slots=True)
class ScanResult:
    causes: list[CauseMatch] = field(default_factory=list)
    lines: int = 0
    complete: bool = True
    """False when the time budget ended the scan early."""


def _time_key(stamp: datetime | None) -> float:
    if stamp is None:
        return -math.inf
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()


def evidence_rank(group: EvidenceGroup) -> tuple[bool, int, float, float, int]:
    """Literal over reasoned, error over info, specific over generic, recent over old."""
    latest = group.latest
    return (
        group.literal,
        _SEVERITY_RANK[latest.severity],
        group.confidence,
        _time_key(latest.when()),
        latest.line,
    )


def cause_rank(cause: CauseMatch) -> tuple[bool, int, float, float, int]:
    """Literal findings over reasoned ones, then severity, the cause's confidence and recency."""
    literal, severity, _, recency, line = evidence_rank(cause.evidence[0])
    return (literal, severity, cause.confidence, recency, line)


def collapse_key(text: str) -> str:
    return " ".join(_VOLATILE.sub("#", text[:MATCH_LINE_CHARS]).split())


def _match_text(line: LogLine) -> str:
    text = line.text[:MATCH_LINE_CHARS]
    return text.replace("\r", " ").replace("\n", " ") if "\n" in text or "\r" in text else text


def _batches(lines: Iterable[LogLine], size: int) -> Iterator[list[LogLine]]:
    """Batches of at most `size` lines and about BATCH_CHARS characters, so the time budget is
    checked at least every BATCH_CHARS of matched text however long the lines (V4/E5)."""
    batch: list[LogLine] = []
    chars = 0
    for line in lines:
        batch.append(line)
        chars += min(len(line.text), MATCH_LINE_CHARS)
        if len(batch) >= size or chars >= BATCH_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


class Matcher:
    """Built once from the entries; `scan` is a pure function of its input lines."""

    def __init__(
        self, entries: Iterable[Entry], engine: EngineName = "auto", reasoner: Reasoner | None = None
    ):
        patterns: list[CompiledPattern] = []
        for entry in entries:
            for pattern in entry.patterns:
                patterns.append(
                    CompiledPattern(
                        len(patterns), entry.id, re.compile(pattern.regex, re.IGNORECASE), pattern.confidence
                    )
                )
        self.reasoner = reasoner
        for stage_id in sorted(reasoner.usable) if reasoner else ():
            for regex in reasoner.stages[stage_id].patterns:  # type: ignore[union-attr]
                compiled = re.compile(regex, re.IGNORECASE)
                patterns.append(CompiledPattern(len(patterns), f"stage:{stage_id}", compiled, 0.0, stage_id))
        self.patterns: tuple[CompiledPattern, ...] = tuple(patterns)
        notices: list[str] = []
        chosen: LineEngine | None = None
        if engine in ("auto", "hyperscan"):
            chosen, notices = HyperscanEngine.build(self.patterns)
            if chosen is None and engine == "hyperscan":
                raise RuntimeError("hyperscan engine requested but unavailable: " + "; ".join(notices))
        if chosen is None and engine == "alternation":
            chosen = AlternationEngine.build(self.patterns)
        self.engine: LineEngine = chosen or RegexLoopEngine(self.patterns)
        self.notices: tuple[str, ...] = tuple(notices)

    def match_texts(self, texts: Sequence[str]) -> list[tuple[int, int]]:
        """(line index, pattern index) pairs for raw texts; used by tests and the benchmark."""
        return self.engine.match_batch([text[:MATCH_LINE_CHARS] for text in texts])

    def scan(self, lines: Iterable[LogLine], *, deadline: float | None = None) -> ScanResult:
        """Match every line, collapse repeats and rank; stops at `deadline` (time.monotonic())."""
        result = ScanResult()
        groups: dict[str, dict[str, EvidenceGroup]] = {}
        hits: dict[str, int] = {}
        for batch in _batches(lines, BATCH_LINES):
            result.lines += len(batch)
            texts = [_match_text(line) for line in batch]
            for row, index in self.engine.match_batch(texts):
                pattern = self.patterns[index]
                if pattern.stage is None:
                    self._add(groups, hits, batch[row], pattern.entry_id, pattern.confidence)
                elif self.reasoner and (reasoned := self.reasoner.resolve(pattern.stage, texts[row])):
                    self._add(
                        groups, hits, batch[row], reasoned.cause, reasoned.confidence, basis=reasoned.basis
                    )
            if deadline is not None and time.monotonic() > deadline:
                result.complete = False
                break
        for entry_id, by_text in groups.items():
            ranked = sorted(by_text.values(), key=evidence_rank, reverse=True)[:MAX_EVIDENCE]
            literal = [group for group in by_text.values() if group.literal]
            confidence = max(group.confidence for group in literal or by_text.values())
            result.causes.append(CauseMatch(entry_id, confidence, tuple(ranked), hits[entry_id]))
        result.causes.sort(key=cause_rank, reverse=True)
        return result

    @staticmethod
    def _add(
        groups: dict[str, dict[str, EvidenceGroup]],
        hits: dict[str, int],
        line: LogLine,
        entry_id: str,
        confidence: float,
        *,
        basis: str = "",
    ) -> None:
        """Count `line` for `entry_id`; `basis` is set when a stage reasoned it (not a literal pattern)."""
        by_text = groups.setdefault(entry_id, {})
        key = collapse_key(line.text)
        group = by_text.get(key)
        literal = not basis
        if group is None:
            if len(by_text) < MAX_GROUPS_PER_CAUSE:
                by_text[key] = EvidenceGroup(line, confidence, literal=literal, basis=basis)
        else:
            if literal and not group.literal:
                group.literal, group.basis = True, ""
            if literal or not group.literal:
                group.confidence = max(group.confidence, confidence)
            if group.latest.line == line.line and group.latest.file == line.file:
                return  # a second pattern of this cause on the same line
            group.count += 1
            group.last = line
        hits[entry_id] = hits.get(entry_id, 0) + 1
