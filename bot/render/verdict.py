"""The first line of every check answer, worded from the report's data: the top cause, else the
first failed check, else healthy; or why the host was not checked."""

from __future__ import annotations

from bot.render.i18n import phrase, say
from bot.render.present import present_finding
from knowledge.findings import Lang
from probes.report import CheckItem, HostReport

MARKS = {"ok": "✅", "warn": "⚠️", "fail": "❌", "error": "❔", "skipped": "➖"}
OUTCOME_MARKS = {"healthy": "✅", "findings": "❌", "unreachable": "❔", "not_checked": "⛔"}
WINRM_REASONS = frozenset(
    f"reason.{kind}"
    for kind in (
        "dns",
        "refused",
        "auth",
        "tls",
        "timeout",
        "hang",
        "dropped",
        "protocol",
        "script",
        "config",
    )
)


def mark(report: HostReport) -> str:
    """The one mark per host outcome (an unreachable host is never ✅)."""
    return OUTCOME_MARKS[report.outcome or "unreachable"]


def check_name(item: CheckItem, lang: Lang) -> str:
    return say(lang, f"check.{item.check}")


def check_detail(item: CheckItem, lang: Lang) -> str:
    return phrase(lang, item.message)


def check_line(item: CheckItem, lang: Lang) -> str:
    """`✅ Client health: CcmExec running, client 5.00.9128.1000` in `lang`."""
    return f"{MARKS[item.status]} {check_name(item, lang)}: {check_detail(item, lang)}"


def reason_text(report: HostReport, lang: Lang) -> str:
    return phrase(lang, report.reason) if report.reason else say(lang, "verdict.no_reason")


def report_verdict(report: HostReport, lang: Lang) -> str:
    if report.outcome == "not_checked":
        key = "verdict.cannot_check" if report.reachable else "verdict.not_checked"
        return say(lang, key, reason=reason_text(report, lang))[:300]
    if not report.reachable:
        if report.reason is not None and report.reason.key in WINRM_REASONS:
            return say(lang, "verdict.unreachable", reason=reason_text(report, lang))
        return reason_text(report, lang)[:300]
    if report.findings:
        top = present_finding(report.findings[0], lang)
        return say(lang, "verdict.finding", id=top.id, title=top.title or top.id)
    failed = [i for i in report.checks if i.status == "fail"]
    if failed:
        first = failed[0]
        return say(
            lang, "verdict.failed_check", check=check_name(first, lang), detail=check_detail(first, lang)
        )[:300]
    unread = sum(1 for i in report.checks if i.status == "error")
    if unread:
        return say(lang, "verdict.healthy_unread", count=len(report.checks), unread=unread)
    return say(lang, "verdict.healthy", count=len(report.checks))
