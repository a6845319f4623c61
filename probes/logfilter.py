"""The log filters the probe scripts apply, built from the knowledge base when the bundle is assembled.

A log section (`probes/facts.py` LOG_SOURCES) names the log it reads; its filter is every keyword a line
the bot could want from that log must contain: a literal each entry or stage pattern for that log
requires in every match, the codes of the entries that name the log, and the section's own `keep`
and `success` lines. So a new pattern in an entry changes the filter with no `.ps1` edit, and there is
no second copy of the patterns in PowerShell. The live checks read the same selection of causes
(`section_causes`, used by `probes/diagnosis.py`).

Why keywords and not the regexes: the entries are Python `re` patterns (possessive quantifiers, `(?P<..>)`
and other syntax .NET's regex on Windows PowerShell 5.1 reads differently or not at all). A keyword is
matched as plain text, case-insensitively, by `Select-String -SimpleMatch` (PowerShell-Docs
reference/5.1/Microsoft.PowerShell.Utility/Select-String.md: -SimpleMatch "doesn't interpret the value
of the Pattern parameter as a regular expression"; -CaseSensitive "By default, matches aren't
case-sensitive"; -Pattern "If you specify more than one pattern, Select-String returns matches for each
pattern"), the same on every PowerShell. The Python matcher searches case-insensitively too
(`knowledge/matcher.py`), so a line the matcher would match contains one of its pattern's keywords.
"""

from __future__ import annotations

import base64
import importlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.loader import KnowledgeBase
from knowledge.models import Entry
from knowledge.stages import Stage
from probes.facts import LOG_SOURCES, LogSource

# The stdlib's own regex parser (the `sre_parse` module, kept as re._parser since 3.11): the parse tree
# Python's `re` compiles, so the keywords are derived from exactly what the matcher runs.
_PARSER: Any = importlib.import_module("re._parser")
_ZERO_WIDTH = {"AT", "ASSERT", "ASSERT_NOT"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}
MIN_KEYWORD = 3
"""A keyword shorter than this passes nearly every line; a pattern that yields only such is unfiltered."""

Keywords = frozenset[str]


def _better(a: Keywords | None, b: Keywords | None) -> Keywords | None:
    """The more selective of two keyword sets: longest shortest keyword, then fewer keywords."""
    if a is None or b is None:
        return a if b is None else b
    return max(a, b, key=lambda k: (min(map(len, k)), -len(k)))


def _required(items: Iterable[tuple[Any, Any]]) -> Keywords | None:
    """A set of literals one of which every match of this parsed sequence contains (lower-case)."""
    best: Keywords | None = None
    run: list[str] = []

    def close() -> None:
        nonlocal best, run
        if run:
            best = _better(best, frozenset({"".join(run).lower()}))
        run = []

    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(av))
            continue
        if name in _ZERO_WIDTH:
            continue  # an anchor or a lookaround consumes nothing: the literals around it stay adjacent
        close()
        if name == "SUBPATTERN":
            best = _better(best, _required(av[-1]))
        elif name == "ATOMIC_GROUP":
            best = _better(best, _required(av))
        elif name in _REPEATS and av[0] >= 1:
            best = _better(best, _required(av[2]))
        elif name == "BRANCH":
            alternatives = [_required(branch) for branch in av[1]]
            if all(alt is not None for alt in alternatives):
                best = _better(best, frozenset().union(*(a for a in alternatives if a is not None)))
    close()
    return best


def pattern_keywords(regex: str) -> Keywords | None:
    """Literals one of which every case-insensitive match of `regex` contains; None when there are none."""
    found = _required(_PARSER.parse(regex, 0).data)
    if found is None or min(map(len, found)) < MIN_KEYWORD:
        return None
    return found


def _names(entry: Entry, log: str) -> bool:
    """The entry lists the log in `logs` or has a pattern with `log:` it (by file name, any case)."""
    return any(path.rsplit("\\", 1)[-1].lower() == log.lower() for path in entry.logs) or any(
        (p.log or "").lower() == log.lower() for p in entry.patterns
    )


def _stages_of(log: str, kb: KnowledgeBase, stages: Sequence[Stage]) -> list[Stage]:
    """The stages one of whose causes names the log: their failure lines may be in it."""
    return [
        stage
        for stage in stages
        if any((entry := kb.get(cause)) is not None and _names(entry, log) for cause in stage.causes)
    ]


def section_causes(source: LogSource, kb: KnowledgeBase, stages: Sequence[Stage]) -> list[str]:
    """The causes this log section's lines can point at, the same selection its filter is built from.

    Every entry that names the file (`logs`, or a pattern's `log:`), and each cause a failure line of a
    stage in that log can resolve to (the stage's causes, its families' causes and its own cause).
    """
    found = [entry.id for entry in kb if _names(entry, source.log)]
    for stage in _stages_of(source.log, kb, stages):
        found.extend([*stage.causes, *(family.cause for family in stage.families), stage.cause])
    return list(dict.fromkeys(found))


def section_patterns(source: LogSource, kb: KnowledgeBase, stages: Sequence[Stage]) -> list[str]:
    """The regexes whose lines this log section must let through.

    An entry's pattern with `log:` this file, or with no `log:` in an entry whose `logs` list the file; the
    failure-line patterns of each stage one of whose causes names the file (the stage's code decides the
    cause, so its lines may point at any cause of that stage).
    """
    log = source.log
    regexes = [
        p.regex
        for entry in kb
        for p in entry.patterns
        if (p.log or "").lower() == log.lower() or (p.log is None and _names(entry, log))
    ]
    for stage in _stages_of(log, kb, stages):
        regexes.extend(stage.patterns)
    return regexes


def section_codes(source: LogSource, kb: KnowledgeBase) -> list[str]:
    """The codes of the entries that name this log, as the 8 hex digits every spelling of them contains."""
    return [code[2:].lower() for entry in kb if _names(entry, source.log) for code in entry.codes]


@dataclass(frozen=True)
class LogFilter:
    """What one log section's script reads: where, how much, and which lines (None: every line)."""

    source: LogSource
    keywords: tuple[str, ...] | None

    def as_data(self) -> dict[str, Any]:
        s = self.source
        return {"under": s.under, "file": s.file, "tail": s.tail, "last": s.last, "keywords": self.keywords}


def build_filter(source: LogSource, kb: KnowledgeBase, stages: Sequence[Stage]) -> LogFilter:
    words: set[str] = {k.lower() for k in (*source.keep, *([source.success] if source.success else []))}
    for regex in section_patterns(source, kb, stages):
        found = pattern_keywords(regex)
        if found is None:
            return LogFilter(source, None)  # a pattern with no literal: filtering could drop its lines
        words |= found
    words.update(section_codes(source, kb))
    # A keyword that contains another is redundant: any line holding it holds the shorter one.
    kept = sorted(w for w in words if not any(o != w and o in w for o in words))
    return LogFilter(source, tuple(kept))


def log_filters(kb: KnowledgeBase, stages: Sequence[Stage]) -> dict[str, LogFilter]:
    return {name: build_filter(source, kb, stages) for name, source in LOG_SOURCES.items()}


def encode_filters(filters: dict[str, LogFilter]) -> str:
    """Base64 of UTF-8 JSON: only [A-Za-z0-9+/=], so it sits in a single-quoted PowerShell literal verbatim
    (PowerShell-Docs about_Quoting_Rules.md: a single-quoted string is verbatim; its only specials are the
    quote marks, ' and the ‘ ’ smart quotes, which base64 cannot contain), and its non-ASCII keywords
    survive stdin's console code page."""
    data = {name: f.as_data() for name, f in filters.items()}
    return base64.b64encode(json.dumps(data, ensure_ascii=False).encode("utf-8")).decode("ascii")


def decode_filters(blob: str) -> dict[str, dict[str, Any]]:
    value = json.loads(base64.b64decode(blob, validate=True).decode("utf-8"))
    return value if isinstance(value, dict) else {}


def passes(line: str, keywords: Sequence[str] | None) -> bool:
    """`Select-String -SimpleMatch` on one line: it holds one keyword, case-insensitively."""
    if keywords is None:
        return True
    lowered = line.lower()
    return any(k.lower() in lowered for k in keywords)


def kept_lines(lines: Sequence[str], spec: dict[str, Any]) -> list[str]:
    """What `Get-LogLines` prints for a log whose lines are `lines`: the tail, filtered, the last N."""
    tail, last = int(spec["tail"]), int(spec["last"])
    keywords = spec.get("keywords")
    return [line for line in lines[-tail:] if passes(line, keywords)][-last:]
