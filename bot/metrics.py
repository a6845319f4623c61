"""Prometheus metrics for the bot and workers, served on `/metrics` next to `/healthz`."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

CHECKS = Counter("cmbot_checks_total", "Host checks finished", ["outcome"])
CHECK_SECONDS = Histogram(
    "cmbot_check_seconds", "Duration of one host check", buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120)
)
FINDINGS = Counter("cmbot_findings_total", "Top findings of checks, per cause", ["cause"])
QUEUE_DEPTH = Gauge("cmbot_queue_depth", "Checks waiting in the queue")


def observe_report(outcome: str, cause: str | None, seconds: float) -> None:
    CHECKS.labels(outcome=outcome).inc()
    CHECK_SECONDS.observe(seconds)
    if cause:
        FINDINGS.labels(cause=cause).inc()


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
