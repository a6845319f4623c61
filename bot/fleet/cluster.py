"""Reports → one fleet summary: hosts grouped by cause, then by the facts they share.

Pure data in, data out (no Slack, no wording): the view turns a `FleetSummary` into a message.
Microsoft's scoping questions for update problems are what this answers at a glance: what share
of clients is affected, what the affected clients have in common (site system, SUP, DP, subnet,
OS build), and since when (see /work/shared/reference/field-causes.md §2b, [SUM-SCOPE]).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.fleet.keys import (
    CLUSTER_KEYS,
    Timeline,
    shared_fact_keys,
    timeline_of,
    unreachable_reason,
    utc_seconds,
)
from bot.render.verdict import report_verdict
from knowledge.findings import DEFAULT_LANG, Phrase
from probes.report import HostReport

ClusterKind = Literal["cause", "unreachable", "not_checked"]

LEAD_KEYS: dict[str, tuple[str, ...]] = {
    "sup-unreachable": ("sup",),
    "sup-scan-timeout": ("sup",),
    "sup-service-unavailable": ("sup",),
    "sup-gpo-override": ("sup",),
    "wsus-too-old-for-wua": ("sup", "wua_version"),
    "update-not-detected": ("sup",),
    "mp-unreachable": ("mp",),
    "content-location-empty": ("boundary_group", "subnet", "content_location"),
    "cache-too-small": ("cache_mb",),
    "wua-scan-out-of-memory": ("architecture", "os_build"),
    "client-unhealthy": ("client_version",),
}
"""The shared resource a cause is about: hosts of one cause split by its value (two SUPs → two
clusters), and it is the fact the one-line denominator names."""

_CODE = re.compile(r"\b0x[0-9A-Fa-f]{8}\b")


@dataclass(frozen=True, slots=True)
class SharedFact:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class HostRow:
    """One line of the fleet table (the CSV/JSON export)."""

    host: str
    outcome: str
    cause: str
    verdict: str
    facts: dict[str, str]
    timeline: Timeline


@dataclass(frozen=True, slots=True)
class Cluster:
    """Hosts with one cause (or one unreachable reason) and one value of the cause's resource."""

    kind: ClusterKind
    cause: str
    """A cause ID; for `unreachable` a `probes.runner` reason key; for `not_checked` `not-checked`
    (its `reason` is then why, as the check said it)."""
    title: str
    hosts: tuple[str, ...]
    reason: Phrase | None = None
    lead: SharedFact | None = None
    """The resource every host here shares (the SUP, the MP, the cache size…), when known."""
    shared: tuple[SharedFact, ...] = ()
    """Every other fact all hosts here share that the fleet's other checked hosts do not all share."""
    code: str | None = None
    since: datetime | None = None
    """Earliest time a host here logged the cause's evidence."""
    last_scan: datetime | None = None
    """Latest scan time any host here reported (the last time the chain was seen running)."""


@dataclass(frozen=True, slots=True)
class FleetSummary:
    total: int
    """Hosts asked for (more than `checked` while the check runs)."""
    checked: int
    clusters: tuple[Cluster, ...]
    healthy: tuple[str, ...]
    rows: tuple[HostRow, ...] = field(default_factory=tuple)

    @property
    def failing(self) -> int:
        return self.checked - len(self.healthy)


def _cause_of(report: HostReport) -> str:
    if report.outcome == "healthy":
        return "healthy"
    if report.outcome == "not_checked":
        return "not-checked"
    return report.findings[0].id if report.findings else "unknown"


def _row(report: HostReport) -> HostRow:
    return HostRow(
        host=report.host,
        outcome=report.outcome or "unreachable",
        cause=_cause_of(report),
        verdict=report_verdict(report, DEFAULT_LANG),  # the export table is English, like its column names
        facts=shared_fact_keys(report.facts),
        timeline=timeline_of(report),
    )


def _unanimous(rows: Sequence[HostRow]) -> dict[str, str]:
    """Keys whose value is the same, and present, on every row."""
    if not rows:
        return {}
    first = rows[0].facts
    return {k: v for k, v in first.items() if all(r.facts.get(k) == v for r in rows[1:])}


def _distinctive(shared: dict[str, str], others: Sequence[HostRow]) -> tuple[SharedFact, ...]:
    """Shared facts that tell these hosts apart: fewer than half of the fleet's other checked
    hosts have the same value (a fact every host has says nothing about this cluster)."""
    if not others:
        return ()
    return tuple(
        SharedFact(key, shared[key])
        for key in CLUSTER_KEYS
        if key in shared and sum(r.facts.get(key) == shared[key] for r in others) * 2 < len(others)
    )


def _code(reports: Sequence[HostReport]) -> str | None:
    counts: Counter[str] = Counter()
    for report in reports:
        finding = report.findings[0] if report.findings else None
        texts = [e.text for e in finding.evidence] if finding else []
        codes = {m.group(0).upper().replace("0X", "0x") for t in texts for m in _CODE.finditer(t)}
        counts.update(codes)
    return counts.most_common(1)[0][0] if counts else None


def _earliest(times: Sequence[datetime | None]) -> datetime | None:
    present = [t for t in times if t is not None]
    return min(present, key=utc_seconds, default=None)


def _latest(times: Sequence[datetime | None]) -> datetime | None:
    present = [t for t in times if t is not None]
    return max(present, key=utc_seconds, default=None)


def _cause_clusters(
    cause: str, members: Sequence[tuple[HostReport, HostRow]], checked_rows: Sequence[HostRow]
) -> list[Cluster]:
    lead_key = next((k for k in LEAD_KEYS.get(cause, ()) if any(k in row.facts for _, row in members)), None)
    buckets: dict[str | None, list[tuple[HostReport, HostRow]]] = {}
    for pair in members:
        buckets.setdefault(pair[1].facts.get(lead_key) if lead_key else None, []).append(pair)
    clusters = []
    for value, bucket in buckets.items():
        rows = [row for _, row in bucket]
        names = {row.host for row in rows}
        others = [r for r in checked_rows if r.host not in names]
        shared = _unanimous(rows)
        lead = SharedFact(lead_key, value) if lead_key and value is not None else None
        distinct = (
            tuple(f for f in _distinctive(shared, others) if not lead or f.key != lead.key)
            if len(rows) > 1
            else ()
        )
        reports = [report for report, _ in bucket]
        clusters.append(
            Cluster(
                kind="cause",
                cause=cause,
                title=cause,
                hosts=tuple(row.host for row in rows),
                lead=lead,
                shared=distinct,
                code=_code(reports),
                since=_earliest([row.timeline.first_error for row in rows]),
                last_scan=_latest([row.timeline.last_scan for row in rows]),
            )
        )
    return clusters


def summarize(reports: Sequence[HostReport], total: int | None = None) -> FleetSummary:
    """Cluster the reports: biggest cluster first, unreachable hosts by reason after the causes."""
    return _summarize([(report, _row(report)) for report in reports], total)


class FleetTally:
    """Reports added as hosts finish, each read once: a streaming summary re-clusters the rows
    already read instead of reading every report's facts again at each progress edit."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._pairs: list[tuple[HostReport, HostRow]] = []

    def add(self, report: HostReport) -> None:
        self._pairs.append((report, _row(report)))

    def summary(self, order: Sequence[str] = ()) -> FleetSummary:
        """The summary so far; `order` (host names) sorts the table as the request listed them."""
        pairs = self._pairs
        if order:
            position = {host: index for index, host in enumerate(order)}
            pairs = sorted(pairs, key=lambda pair: position.get(pair[0].host, len(position)))
        return _summarize(pairs, self.total)


def _summarize(pairs: Sequence[tuple[HostReport, HostRow]], total: int | None) -> FleetSummary:
    reports = [report for report, _ in pairs]
    checked_rows = [row for report, row in pairs if report.reachable]
    by_cause: dict[str, list[tuple[HostReport, HostRow]]] = {}
    by_reason: dict[str, list[HostRow]] = {}
    not_checked: dict[str, tuple[Phrase | None, list[HostRow]]] = {}
    healthy: list[str] = []
    for report, row in pairs:
        if report.outcome == "healthy":
            healthy.append(report.host)
        elif report.outcome == "not_checked":
            why = report.reason.model_dump_json() if report.reason else ""
            not_checked.setdefault(why, (report.reason, []))[1].append(row)
        elif report.outcome == "unreachable":
            by_reason.setdefault(unreachable_reason(report), []).append(row)
        else:
            by_cause.setdefault(row.cause, []).append((report, row))
    causes = [c for cause, members in by_cause.items() for c in _cause_clusters(cause, members, checked_rows)]
    causes.sort(key=lambda c: (-len(c.hosts), c.cause))
    unreachable = [
        Cluster(kind="unreachable", cause=reason, title=reason, hosts=tuple(r.host for r in rows))
        for reason, rows in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    unreachable.extend(
        Cluster(
            kind="not_checked", cause="not-checked", title="", reason=why, hosts=tuple(r.host for r in rows)
        )
        for _, (why, rows) in sorted(not_checked.items(), key=lambda kv: (-len(kv[1][1]), kv[0]))
    )
    return FleetSummary(
        total=total if total is not None else len(reports),
        checked=len(reports),
        clusters=(*causes, *unreachable),
        healthy=tuple(healthy),
        rows=tuple(row for _, row in pairs),
    )


__all__ = ["LEAD_KEYS", "Cluster", "FleetSummary", "FleetTally", "HostRow", "SharedFact", "summarize"]
