"""Prometheus metrics for the bot and workers, served on `/metrics` next to `/healthz`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from bot.state.store import CausePrecision

CHECKS = Counter("cmbot_checks_total", "Host checks finished", ["outcome"])
CHECK_SECONDS = Histogram(
    "cmbot_check_seconds", "Duration of one host check", buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120)
)
FINDINGS = Counter("cmbot_findings_total", "Top findings of checks, per cause", ["cause"])
QUEUE_DEPTH = Gauge("cmbot_queue_depth", "Checks waiting in the queue")
FEEDBACK = Counter("cmbot_feedback_total", "Votes on answers received here, per cause", ["cause", "vote"])
CAUSE_VOTES = Gauge("cmbot_cause_votes", "Votes on answers naming a cause, from Redis", ["cause", "vote"])
CAUSE_PRECISION = Gauge(
    "cmbot_cause_precision", "Share of votes saying the named cause was right, from Redis", ["cause"]
)


def observe_report(outcome: str, cause: str | None, seconds: float) -> None:
    CHECKS.labels(outcome=outcome).inc()
    CHECK_SECONDS.observe(seconds)
    if cause:
        FINDINGS.labels(cause=cause).inc()


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST


def observe_feedback(cause: str, right: bool, totals: Iterable[CausePrecision]) -> None:
    """One vote counted here, and every cause's totals as the store (shared by all bots) has them."""
    FEEDBACK.labels(cause=cause, vote="right" if right else "wrong").inc()
    for row in totals:
        CAUSE_VOTES.labels(cause=row.cause, vote="right").set(row.right)
        CAUSE_VOTES.labels(cause=row.cause, vote="wrong").set(row.wrong)
        CAUSE_PRECISION.labels(cause=row.cause).set(round(row.precision, 4))
