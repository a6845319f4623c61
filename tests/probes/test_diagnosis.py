"""Diagnosis is pure: facts alone give the checklist and the ranked findings."""

import copy
import struct
from typing import Any

import pytest

from bot.render.present import evidence_text, present_finding
from bot.render.verdict import check_detail, check_name, report_verdict
from knowledge.findings import Finding
from lab.scenario import CANNOT_CHECK, load_scenarios
from probes.diagnosis import diagnose
from probes.facts import Facts, SectionError, build_facts
from probes.report import CheckItem, HostReport

SCENARIOS = [s for s in load_scenarios() if s.scenario not in ("winrm-unreachable", CANNOT_CHECK)]
HEALTHY = next(s for s in SCENARIOS if s.name == "lab-healthy").sections
UPDATE = HEALTHY["software_updates"]["updates"][0]


def _facts(errors: dict[str, SectionError] | None = None, **changes: Any) -> Facts:
    state = {**copy.deepcopy(HEALTHY), **changes}
    return build_facts(state, errors, expected=False)


def _top(facts: Facts, **kwargs: Any) -> str:
    _, findings = diagnose(facts, **kwargs)
    return findings[0].id if findings else "healthy"


def _item(facts: Facts, name: str, **kwargs: Any) -> Any:
    items, _ = diagnose(facts, **kwargs)
    return next(i for i in items if check_name(i, "en") == name)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario_state_diagnoses_to_its_cause(scenario) -> None:  # type: ignore[no-untyped-def]
    """Without any connection, each scenario's facts give its own cause first (healthy: none)."""
    items, findings = diagnose(scenario.facts())
    assert (findings[0].id if findings else "healthy") == scenario.scenario
    assert items


def test_first_broken_link_ranks_first() -> None:
    """With the client broken and a scan error too, client health comes first."""
    facts = _facts(
        client_health={"ccmexec_status": "Stopped"},
        wuahandler_log={"lines": ["OnSearchComplete - Failed to end search job. Error = 0x80072ee2."]},
    )
    _, findings = diagnose(facts)
    assert [f.id for f in findings] == ["client-unhealthy", "sup-scan-timeout"]


def test_a_section_that_failed_is_reported_not_fatal() -> None:
    """A probe section that could not be read shows as an error line; the other checks still run."""
    state = {k: v for k, v in HEALTHY.items() if k != "cache"}
    facts = build_facts(state, {"cache": SectionError(kind="absent", message="Invalid class 'CacheConfig'")})
    items, findings = diagnose(facts)
    cache = next(i for i in items if check_name(i, "en") == "Cache")
    assert cache.status == "error" and "CacheConfig" in check_detail(cache, "en")
    assert findings == []
    assert "could not be read" in _verdict(items, findings)


def _winhttp_blob(proxy: str, bypass: str) -> str:
    import base64  # noqa: PLC0415

    raw = struct.pack("<III", 0x28, 5, 3) + struct.pack("<I", len(proxy)) + proxy.encode()
    raw += struct.pack("<I", len(bypass)) + bypass.encode()
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    ("bypass", "expected"),
    [("<local>", "sup-unreachable"), ("*.contoso.com", "healthy"), ("sup01.contoso.com", "healthy")],
)
def test_proxy_bypass_list(bypass: str, expected: str) -> None:
    """The WinHTTP proxy (from the registry blob) is named with the SUP test; <local> covers dotless names only."""
    status = 200 if expected == "healthy" else None
    facts = _facts(
        proxy={"winhttp_settings": _winhttp_blob("proxy:8080", bypass)},
        update_source={**HEALTHY["update_source"], "client_asmx": {"url": "u", "status": status}},
    )
    assert _top(facts) == expected
    assert "proxy:8080" in check_detail(_item(facts, "Software update point"), "en") or expected != "healthy"


def _windows(*spans: tuple[int, str, int]) -> dict[str, Any]:
    return {
        "windows": [
            {"id": str(i), "type": t, "start": s, "duration_s": d} for i, (t, s, d) in enumerate(spans)
        ]
    }


def _max_runtime(seconds: int, override: bool = False) -> dict[str, Any]:
    return {"updates": [{**UPDATE, "max_execution_s": seconds, "override_service_windows": override}]}


def test_window_as_long_as_max_runtime_is_enough() -> None:
    """A window exactly as long as the maximum run time lets the install start."""
    facts = _facts(
        maintenance_window=_windows((4, "2026-11-22T13:00:00Z", 3600)), software_updates=_max_runtime(3600)
    )
    assert _top(facts) == "healthy"


def test_software_update_windows_win_over_all_deployment_windows() -> None:
    """With a type-4 window present, a long type-1 window does not count for updates (defect 9)."""
    windows = _windows((1, "2026-11-22T10:00:00Z", 4 * 3600), (4, "2026-11-22T20:00:00Z", 1800))
    facts = _facts(maintenance_window=windows, software_updates=_max_runtime(3600))
    assert _top(facts) == "maintenance-window-too-short"


def test_only_task_sequence_windows_do_not_bind_updates() -> None:
    """Type-5 (task sequence) windows do not apply to updates: no window for updates means any time."""
    facts = _facts(
        maintenance_window=_windows((5, "2026-11-22T13:00:00Z", 600)), software_updates=_max_runtime(3600)
    )
    assert _top(facts) == "healthy"


def test_overlapping_windows_merge() -> None:
    """Two overlapping 40-minute windows are one 60-minute window (memdocs use-maintenance-windows.md)."""
    windows = _windows((4, "2026-11-22T13:00:00Z", 2400), (4, "2026-11-22T13:20:00Z", 2400))
    facts = _facts(maintenance_window=windows, software_updates=_max_runtime(3600))
    assert _top(facts) == "healthy"


def test_override_service_windows_ignores_windows() -> None:
    """An update deployed with OverrideServiceWindows is not bound by a short window."""
    windows = _windows((4, "2026-11-22T13:00:00Z", 600))
    assert _top(_facts(maintenance_window=windows, software_updates=_max_runtime(3600, True))) == "healthy"
    assert _top(_facts(maintenance_window=windows, software_updates=_max_runtime(3600))) == (
        "maintenance-window-too-short"
    )


def test_domain_gpo_with_the_same_sup_is_not_a_fault() -> None:
    """A domain GPO whose WUServer equals ConfigMgr's update source is supported (defect 17)."""
    facts = _facts(gpo={"wu_server_winning_gpo": "Corp WSUS", "gpo_id": "cn={1}"})
    assert _top(facts) == "healthy"
    other = {**HEALTHY["update_source"], "wu_server": "http://wsus-old:8530"}
    assert _top(_facts(gpo={"wu_server_winning_gpo": "Corp WSUS"}, update_source=other)) == "sup-gpo-override"


def test_dual_scan_by_os_version() -> None:
    """Windows 11 ignores DisableDualScan; scan-source policies of 0 keep every class on WSUS (defect 18)."""
    deferred = {**HEALTHY["dual_scan"], "defer_quality_updates": 7, "disable_dual_scan": 1}
    assert _top(_facts(dual_scan=deferred)) == "dual-scan"
    wsus = {**deferred, "source_quality": 0, "source_feature": 0, "source_driver": 0, "source_other": 0}
    assert _top(_facts(dual_scan=wsus)) == "healthy"
    win10_1909 = {**HEALTHY["platform"], "os_version": "10.0.18363"}
    assert _top(_facts(dual_scan=deferred, platform=win10_1909)) == "healthy"


CMTRACE = '<![LOG[OnSearchComplete - Failed to end search job. Error = 0x80072ee2.]LOG]!><time="03:15:00.000-540" date="{date}" component="WUAHandler" context="" type="3" thread="3000" file="x">'
SUCCESS = '<![LOG[Async searching completed.]LOG]!><time="05:15:00.000-540" date="{date}" component="WUAHandler" context="" type="1" thread="3000" file="x">'


def test_old_scan_error_is_not_current() -> None:
    """A scan error older than a week, or followed by a completed scan, is not a finding (defect 19)."""
    assert _top(_facts(wuahandler_log={"lines": [CMTRACE.format(date="11-22-2026")]})) == "sup-scan-timeout"
    assert _top(_facts(wuahandler_log={"lines": [CMTRACE.format(date="10-01-2026")]})) == "healthy"
    later = [CMTRACE.format(date="11-22-2026"), SUCCESS.format(date="11-22-2026")]
    assert _top(_facts(wuahandler_log={"lines": later})) == "healthy"


def test_windowsupdate_log_is_not_read_on_windows_10() -> None:
    """On Windows 10+ the WindowsUpdate.log check says not applicable instead of 'ok' (defect 12)."""
    item = _item(_facts(), "Scan memory (WindowsUpdate.log)")
    assert item.status == "skipped" and "not applicable" in check_detail(item, "en")


def test_wua_fix_evidence_is_the_file_version() -> None:
    """The out-of-memory finding quotes wuaueng.dll's version, not 'none of KB…' (defect 13)."""
    scenario = next(s for s in SCENARIOS if s.scenario == "wua-scan-out-of-memory")
    _, findings = diagnose(build_facts(scenario.sections, expected=False))
    texts = [evidence_text(e, "en") for e in findings[0].evidence]
    assert any("wuaueng.dll) 7.6.7600.256" in t for t in texts)
    assert not any("none of" in t for t in texts)


def test_max_runtime_from_the_update_error_code() -> None:
    """CCM_SoftwareUpdate.ErrorCode 0x87D0070C names max-runtime-exceeded with no log line (defect 20)."""
    updates = {"updates": [{**UPDATE, "error_code": str(0x87D0070C), "evaluation_state": 13}]}
    assert _top(_facts(software_updates=updates)) == "max-runtime-exceeded"


def test_short_cancelled_install_is_not_max_runtime() -> None:
    """A 0x800704c7 cancel ten minutes after the start (a shutdown) is not the max run time."""
    scenario = next(s for s in SCENARIOS if s.scenario == "max-runtime-exceeded")
    lines = list(scenario.sections["reporting_events"]["lines"])
    lines[1] = lines[1].replace("2026-11-22 04:00:05", "2026-11-22 03:10:00")
    assert _top(_facts(reporting_events={"lines": lines})) == "healthy"


def test_cache_cause_from_the_update_error_code() -> None:
    """0x87D01201 on the update names cache-too-small though ContentSize is empty (defect 10)."""
    updates = {"updates": [{**UPDATE, "error_code": "-2016407039", "content_kb": "0"}]}
    assert _top(_facts(software_updates=updates)) == "cache-too-small"


def test_empty_management_point_is_its_own_finding() -> None:
    """No assigned MP is named as such, not as an unreachable MP (defect 14)."""
    facts = _facts(mp={"name": "", "scheme_seen": None, "mplist": None})
    item = _item(facts, "Management point")
    assert item.status == "fail" and "no management point assigned" in check_detail(item, "en")
    assert _top(facts) == "healthy"
    assert "no management point assigned" in _verdict(*diagnose(facts))


def test_cmg_management_point_is_not_tested_over_http() -> None:
    """A CMG path as the MP is not tested with the HTTP mplist URL (defect 14)."""
    facts = _facts(mp={"name": "cmg.contoso.com/CCM_Proxy_MutualAuth/72057594037927939", "mplist": None})
    assert _item(facts, "Management point").status == "skipped"


def test_no_update_source_policy_is_its_own_finding() -> None:
    """No WUServer is 'no update-source policy', not sup-unreachable (defect 29)."""
    facts = _facts(update_source={**HEALTHY["update_source"], "wu_server": "", "client_asmx": None})
    assert "no update-source policy" in check_detail(_item(facts, "Software update point"), "en")
    assert _top(facts) == "healthy"


def test_asked_kb_missing_from_store() -> None:
    """An asked KB that the deployment targets but the scan never recorded is update-not-detected."""
    updates = {"updates": [{**UPDATE, "article": "1234567"}]}
    assert _top(_facts(software_updates=updates), kbs=["KB1234567"]) == "update-not-detected"


def test_asked_kb_in_store_but_not_in_any_assignment() -> None:
    """A KB the scan knows as Missing that no assignment's CIs name is not-targeted (defect 11)."""
    status = {**HEALTHY["update_status"]}
    status["statuses"] = [
        *status["statuses"],
        {"article": "KB5099999", "unique_id": "aaaa", "status": "Missing"},
    ]
    assert _top(_facts(update_status=status), kbs=["KB5099999"]) == "not-targeted"
    assert _top(_facts(), kbs=["KB5031356"]) == "healthy"


def test_japanese_findings() -> None:
    """Findings carry the Japanese text of the entry when asked."""
    _, findings = diagnose(_facts(disk={"size_bytes": "107374182400", "free_bytes": "2147483648"}))
    assert present_finding(findings[0], "ja").title == "システム ドライブの空き容量が少ない"


def _verdict(items: list[CheckItem], findings: list[Finding]) -> str:
    """The English verdict line a reply shows for this checklist and these findings."""
    return report_verdict(HostReport(host="h", reachable=True, checks=items, findings=findings), "en")
