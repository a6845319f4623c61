"""One outcome per host, derived in one place, and every view marks it the same way."""

from __future__ import annotations

from bot.render.blocks import check_progress_message, check_summary_message, render_text
from knowledge.findings import Finding, said
from probes.report import HostReport


def _reports() -> list[HostReport]:
    return [
        HostReport(host="pc-1", reachable=False, reason=said("reason.credential", detail="none for pc-1")),
        HostReport(host="pc-2", reachable=True),
        HostReport(host="pc-3", reachable=True, findings=[Finding(id="dual-scan", confidence=0.9)]),
        HostReport(host="pc-4", reachable=False, outcome="not_checked", reason=said("reason.failed")),
    ]


def test_outcome_is_derived_once() -> None:
    """Unreachable, healthy, findings and not-checked hosts each get their own outcome."""
    assert [r.outcome for r in _reports()] == ["unreachable", "healthy", "findings", "not_checked"]


def test_unreachable_host_is_never_marked_healthy() -> None:
    """The architecture review's bug: an unreachable host without findings showed ✅."""
    for message in (
        check_summary_message(_reports(), "en"),
        check_progress_message(["a"] * 4, _reports(), "en"),
    ):
        text = render_text(message)
        line = next(line for line in text.splitlines() if "pc-1" in line)
        assert "✅" not in line
        assert "✅" in next(line for line in text.splitlines() if "pc-2" in line)
