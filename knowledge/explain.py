"""Explain codes and log text: the core of `cmbot explain`, `/cmerr` and pasted-message replies.

Input is bounded: at most MAX_INPUT_BYTES are read, lines are matched on their first 8 KB, the
scan stops at a time budget, and every such limit leaves a notice in the Explanation. Binary
input gets a notice instead of findings. A zip (a collected CCM\\Logs folder) is read member by
member within the archive limits.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from knowledge.codes import find_codes, lookup_symbol
from knowledge.findings import CodeInfo, Evidence, Explanation, Finding, Notice, said
from knowledge.loader import KnowledgeBase, load_entries
from knowledge.logreader import LogLine, decode_bytes, is_zip, looks_binary, parse_lines, read_zip
from knowledge.matcher import EVIDENCE_CHARS, MATCH_LINE_CHARS, EngineName, EvidenceGroup, Matcher
from knowledge.models import Entry
from knowledge.prefilter import PREFILTER_MIN_CHARS, RawPrefilter, candidate_lines
from knowledge.stages import Reasoner, builtin_stages

log = logging.getLogger(__name__)

MAX_INPUT_BYTES = 128 * 1024 * 1024
TIME_BUDGET_SECONDS = 15.0
MAX_CODES = 50
LOOKUP_MAX_CHARS = 300
MAX_CODE_SCAN_CHARS = 1024 * 1024
"""Codes are looked for in the whole input up to 1 MB; beyond, in its error and warning lines (up to 1 MB)."""
"""Input up to this size is a lookup (typed or pasted words), where any entry symbol names its entry."""
MAX_MESSAGES = 20_000
LOOKUP_MAX_WORDS = 8
"""A lookup is a few words: `0x80244022`, `what is 0x80070422?`, `scan fails with 0x80244007`."""
CODE_ONLY_FACTOR = 0.6
"""A bare code or symbol points at its entry with this fraction of the entry's best pattern confidence."""

_BARE_TOKEN = re.compile(r"\s*(?:0x[0-9A-Fa-f]{1,8}|[0-9A-Fa-f]{8}|-?\d{1,10}|[A-Za-z][A-Za-z0-9_]*)\s*")


@dataclass(frozen=True, slots=True)
class _Document:
    name: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Knowledge:
    """The loaded entries and their compiled matcher, built once per process."""

    base: KnowledgeBase
    matcher: Matcher
    symbols: re.Pattern[str] | None
    prefilter: RawPrefilter | None = None


def build_knowledge(base: KnowledgeBase, engine: EngineName = "auto") -> Knowledge:
    entries = list(base)
    names = sorted({symbol for entry in entries for symbol in entry.symbols}, key=len, reverse=True)
    symbols = (
        re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b", re.IGNORECASE) if names else None
    )
    matcher = Matcher(entries, engine, Reasoner(builtin_stages(), entries))
    prefilter = RawPrefilter.build([p.regex.pattern for p in matcher.patterns]) if engine != "re" else None
    return Knowledge(base, matcher, symbols, prefilter)


@functools.cache
def _cached_knowledge(kb_path: str | None) -> Knowledge:
    del kb_path  # the cache key: a changed CMBOT_KB_PATH loads again
    return build_knowledge(load_entries())


def knowledge() -> Knowledge:
    return _cached_knowledge(os.environ.get("CMBOT_KB_PATH"))


def explain(text: str | bytes, *, source: str | None = None) -> Explanation:
    """Explain pasted text (codes, symbols, log lines). `source` names the file, if any."""
    return explain_with(knowledge(), text, source=source)


def explain_file(path: Path) -> Explanation:
    """Explain a log file or a zip of a CCM\\Logs folder. OSError (missing, unreadable) propagates."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if not is_zip(head):
            head += handle.read(MAX_INPUT_BYTES + 1 - len(head))
    if is_zip(head):
        archive = read_zip(path)
        notices = list(archive.notices)
        documents = _documents_from_members(((m.name, m.data) for m in archive.members), notices)
        return _explain_documents(knowledge(), documents, notices)
    return explain_with(knowledge(), head, source=path.name)


def explain_with(kb: Knowledge, text: str | bytes, *, source: str | None = None) -> Explanation:
    """`explain` against a given knowledge base and matcher (tests use both matcher engines)."""
    notices: list[Notice] = []
    if isinstance(text, bytes) and is_zip(text):
        archive = read_zip(text)  # already in memory; the archive limits bound what it expands to
        notices.extend(archive.notices)
        documents = _documents_from_members(((m.name, m.data) for m in archive.members), notices)
    elif isinstance(text, bytes):
        documents = _documents_from_members([(source, text)], notices)
    else:
        documents = [_Document(source, _normalized(_capped_text(text, source, notices)))]
    return _explain_documents(kb, documents, notices)


def _normalized(text: str) -> str:
    """Full-width digits, letters and punctuation (`０ｘ８０２４４０２２`, `：`) as their ASCII forms.

    NFKC only where the text is not ASCII already (the common case costs one scan).
    """
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _named(key: str, name: str | None, **params: str | int | float) -> Notice:
    """A notice about one input: `name` is the file name, or "the input" for typed or pasted text."""
    return said(key, name=name or said("notice.the_input"), **params)


def _truncated_notice(name: str | None) -> Notice:
    return _named("notice.truncated", name, limit=MAX_INPUT_BYTES // 2**20)


def _capped_text(text: str, name: str | None, notices: list[Notice]) -> str:
    if len(text) > MAX_INPUT_BYTES:
        notices.append(_truncated_notice(name))
        return text[:MAX_INPUT_BYTES]
    return text


def _cut_bytes(data: bytes) -> bytes:
    """The first MAX_INPUT_BYTES, ended at a line break so no character is cut in half."""
    end = data.rfind(b"\n", 0, MAX_INPUT_BYTES)
    if end < 0:
        return data[:MAX_INPUT_BYTES]
    end += 1
    if data[end : end + 1] == b"\0":  # UTF-16 LE: keep the newline's second byte
        end += 1
    return data[:end]


def _documents_from_members(
    members: Iterable[tuple[str | None, bytes]], notices: list[Notice]
) -> list[_Document]:
    documents: list[_Document] = []
    for name, member_data in members:
        data = member_data
        if len(data) > MAX_INPUT_BYTES:
            notices.append(_truncated_notice(name))
            data = _cut_bytes(data)
        if looks_binary(data):
            notices.append(_named("notice.binary", name))
            continue
        decoded = decode_bytes(data)
        if decoded.replaced:
            notices.append(_named("notice.replaced", name))
        documents.append(_Document(name, _normalized(decoded.text)))
    return documents


class _LineFilter:
    """Watches lines on their way to the matcher.

    Counts lines the matcher sees only the start of; holds back bare codes and symbols (a line that
    is nothing but `0x80244022` is a lookup, not log evidence: it reaches its entry through the
    code tables with the lower code-only confidence); and keeps the text of error and warning
    lines, where a large log's codes are looked for.
    """

    def __init__(self) -> None:
        self.long_lines = 0
        self.raw_long_lines = 0
        self.flagged: list[str] = []
        self._flagged_chars = 0
        self.messages: list[str] = []
        """Each record's message (no CMTrace attributes): where a small input's codes are looked for."""

    def watch(self, lines: Iterable[LogLine]) -> Iterator[LogLine]:
        for line in lines:
            text = line.text
            if len(self.messages) < MAX_MESSAGES:
                self.messages.append(text[:MATCH_LINE_CHARS])
            if len(text) > MATCH_LINE_CHARS:
                self.long_lines += 1
                text = text[:MATCH_LINE_CHARS]
            elif len(text) < 80 and _BARE_TOKEN.fullmatch(text) and _is_code_token(text):
                continue
            if line.severity in ("error", "warning") and self._flagged_chars < MAX_CODE_SCAN_CHARS:
                self.flagged.append(text)
                self._flagged_chars += len(text)
            yield line


def _is_code_token(text: str) -> bool:
    """A number, or a symbol our code tables name: a lookup, not log evidence.

    Other identifiers alone on a line (`WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CA`) are evidence.
    """
    token = text.strip()
    return (
        not token[:1].isalpha()
        or re.fullmatch(r"[0-9A-Fa-f]{8}", token) is not None
        or (lookup_symbol(token) is not None)
    )


def _lines_of(kb: Knowledge, document: _Document, counter: _LineFilter) -> Iterator[LogLine]:
    """All records of a small document; only the prefilter's candidate records of a large one."""
    if kb.prefilter is None or len(document.text) < PREFILTER_MIN_CHARS:
        yield from parse_lines(document.text, file=document.name)
        return
    candidates = candidate_lines(kb.prefilter, document.text, file=document.name)
    yield from candidates.records()
    counter.raw_long_lines += candidates.long_lines


def _explain_documents(kb: Knowledge, documents: list[_Document], notices: list[Notice]) -> Explanation:
    if not any(document.text.strip() for document in documents):
        if not notices:
            notices.append(said("notice.empty"))
        return Explanation(notices=notices)
    counter = _LineFilter()
    lines = (line for document in documents for line in _lines_of(kb, document, counter))
    scan = kb.matcher.scan(counter.watch(lines), deadline=time.monotonic() + TIME_BUDGET_SECONDS)
    if counter.long_lines or counter.raw_long_lines:
        count = max(counter.long_lines, counter.raw_long_lines)
        notices.append(said("notice.long_lines", count=count))
    if not scan.complete:
        notices.append(said("notice.budget", lines=scan.lines, seconds=round(TIME_BUDGET_SECONDS)))
    findings = [
        _finding(
            entry,
            cause.confidence,
            [_evidence(group) for group in cause.evidence],
            reasoning="" if cause.literal else cause.evidence[0].basis,
        )
        for cause in scan.causes
        if (entry := kb.base.get(cause.entry_id)) is not None
    ]
    lookup = _is_lookup(documents)
    symbols = _symbols(kb, documents) if lookup else []
    size = sum(len(document.text) for document in documents)
    parsed_whole = kb.prefilter is None or all(len(d.text) < PREFILTER_MIN_CHARS for d in documents)
    if size <= MAX_CODE_SCAN_CHARS and parsed_whole and len(counter.messages) < MAX_MESSAGES:
        code_texts = counter.messages  # the messages alone: no time or thread attributes to search
    elif size <= MAX_CODE_SCAN_CHARS:
        code_texts = [document.text for document in documents]
    else:
        code_texts = ["\n".join(counter.flagged)]
    codes = _codes(kb, code_texts, symbols)
    found = {finding.id for finding in findings}
    for entry, evidence in _entries_named_by_codes(kb, codes, symbols, lookup=lookup):
        if entry.id not in found:
            found.add(entry.id)
            findings.append(_finding(entry, _code_only_confidence(entry), [evidence]))
    return Explanation(findings=findings, codes=codes, notices=notices)


def _symbols(kb: Knowledge, documents: list[_Document]) -> list[str]:
    """The knowledge base's symbolic names in a lookup, in order, once each.

    Only a lookup (a few words typed or pasted) is searched for entry symbols; in longer text an
    error symbol (`ERROR_WINHTTP_TIMEOUT`, `CCM_E_...`) is found by find_codes as the code it names,
    and a log full of `CcmExec` or `ccmcache` is not evidence.
    """
    if kb.symbols is None:
        return []
    found = (match.group(0) for document in documents for match in kb.symbols.finditer(document.text))
    return list(dict.fromkeys(found))[:MAX_CODES]


def _causes_of(kb: Knowledge, info: CodeInfo) -> list[str]:
    """Entries listing the code; a symbol without a number (CCM_E_...) goes by its name."""
    if info.code.startswith("0x"):
        entries = kb.base.by_code(info.code) + kb.base.by_context_code(info.code)
    else:
        entries = kb.base.by_symbol(info.code)
    return list(dict.fromkeys(entry.id for entry in entries))


def _codes(kb: Knowledge, texts: list[str], symbols: list[str]) -> list[CodeInfo]:
    """Decoded codes in order of appearance, each with the causes whose entries list it. The
    meaning is the tables' English; `bot.render.present` looks it up again in the reader's language."""
    seen: dict[str, CodeInfo] = {}
    for text in texts:
        for info in find_codes(text, limit=MAX_CODES):
            seen.setdefault(info.code, info)
    for name in symbols:
        named = lookup_symbol(name)
        if named is not None:
            seen.setdefault(named.code, named)
    return [
        info.model_copy(update={"causes": _causes_of(kb, info)}) for info in list(seen.values())[:MAX_CODES]
    ]


def _is_lookup(documents: list[_Document]) -> bool:
    """One short line typed or pasted to look something up (not a log, table or paragraph)."""
    if len(documents) != 1:
        return False
    text = documents[0].text.strip()
    return (
        len(text) <= LOOKUP_MAX_CHARS
        and "\n" not in text
        and "|" not in text  # a table row explains a code; it does not report a failure
        and len(text.split()) <= LOOKUP_MAX_WORDS
    )


def _entries_named_by_codes(
    kb: Knowledge, codes: list[CodeInfo], symbols: list[str], *, lookup: bool
) -> Iterator[tuple[Entry, Evidence]]:
    """Entries a typed symbol names first (the author linked that name on purpose), then by code.

    A symbol names its entry only in a lookup; in longer text an error symbol counts through its
    code. An entry's `context_codes` (codes other features share) count only in a lookup; in a log
    they reach the entry through a stage's failure line instead.
    """
    if lookup:
        for name in symbols:
            for entry in kb.base.by_symbol(name):
                yield entry, Evidence(text=name)
    for info in codes:
        if not info.code.startswith("0x"):
            continue
        entries = kb.base.by_code(info.code) + (kb.base.by_context_code(info.code) if lookup else ())
        for entry in entries:
            yield entry, Evidence(text=f"{info.code} {info.name}" if info.name else info.code)


def _code_only_confidence(entry: Entry) -> float:
    best = max((pattern.confidence for pattern in entry.patterns), default=0.8)
    return round(best * CODE_ONLY_FACTOR, 2)


def _evidence(group: EvidenceGroup) -> Evidence:
    first, last = group.first, group.latest
    text = first.text if len(first.text) <= EVIDENCE_CHARS else first.text[:EVIDENCE_CHARS] + "…"
    return Evidence(
        text=text,
        line=first.line,
        file=first.file,
        timestamp=first.when(),
        component=first.component,
        severity=first.severity,
        count=group.count,
        last_timestamp=last.when() if group.count > 1 else None,
        last_line=last.line if group.count > 1 else None,
    )


def _finding(entry: Entry, confidence: float, evidence: list[Evidence], *, reasoning: str = "") -> Finding:
    """The cause, its confidence and evidence: data only (words come from `bot.render.present`)."""
    return Finding(id=entry.id, confidence=confidence, reasoning=reasoning, evidence=evidence)
