"""Host reports built from the lab scenario files' own facts through the real diagnosis (no WinRM)."""

from __future__ import annotations

import functools

from knowledge.findings import Lang, said
from lab.scenario import load_scenarios
from probes.check import unreachable_finding
from probes.diagnosis import diagnose
from probes.facts import Facts
from probes.report import CheckItem, HostReport
from probes.runner import Unreachable


def scenario_report(stem_name: str, host: str, *, sup: str | None = None, lang: Lang = "en") -> HostReport:
    """The report a host of that lab scenario gets; `sup` moves it behind another update server."""
    report = _report(stem_name, lang)
    facts = dict(report.facts or {})
    if sup is not None:
        facts["update_source"] = {**facts["update_source"], "wu_server": sup}
    return report.model_copy(update={"host": host, "facts": facts})


@functools.cache
def _scenarios() -> dict[str, dict[str, object]]:
    return {s.name: s.state for s in load_scenarios()}


@functools.cache
def _report(stem_name: str, lang: Lang) -> HostReport:
    host = f"lab-{stem_name}"
    facts = Facts.model_validate(_scenarios()[host])
    del lang  # reports are language-free; the views word them
    items, findings = diagnose(facts)
    return HostReport(
        host=host,
        reachable=True,
        checks=items,
        findings=findings,
        facts=facts.model_dump(mode="json"),
    )


def unreachable_report(host: str, reason: str = "refused") -> HostReport:
    """What probes.check answers for a host it cannot reach for `reason`."""
    error = Unreachable(reason)
    return HostReport(
        host=host,
        reachable=False,
        reason=said(f"reason.{error.reason}", detail=""),
        checks=[CheckItem(check="winrm", status="fail", message=said(f"reason.{error.reason}", detail=""))],
        findings=[unreachable_finding(error, host)],
    )
