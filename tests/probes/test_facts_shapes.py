"""Windows PowerShell 5.1-shaped output degrades per section and never reads as a WinRM failure.

The shapes are what ConvertTo-Json on 3.0-5.1 writes (PowerShell-Docs reference/5.1/Microsoft.PowerShell.
Utility/ConvertTo-Json.md; PowerShell/PowerShell#11126): DateTime as "\\/Date(ms)\\/" (JSON-unescaped
"/Date(ms)/"), ETS-decorated values as {"value": ..., "DateTime": ...}, arrays as {"value": [...], "Count": n}.
"""

import base64
import copy
import json
from typing import Any

from lab.scenario import load_scenarios
from probes.check import report_from_output
from probes.facts import build_facts
from probes.output import parse_output
from tests._words import detail, name

HEALTHY = next(s for s in load_scenarios() if s.name == "lab-healthy").sections


def _bundle(sections: dict[str, Any], failures: dict[str, Any] | None = None, *, end: bool = True) -> str:
    """The stdout of a bundle run, line by line as the scripts print it."""
    lines = ["CMBOT-HOST ps=5.1.19041.4648 lang=FullLanguage"]
    for section, value in sections.items():
        data = base64.b64encode(json.dumps(value).encode()).decode()
        lines.append(f"CMBOT-SECTION {section} {data}")
    for section, value in (failures or {}).items():
        data = base64.b64encode(json.dumps(value).encode()).decode()
        lines.append(f"CMBOT-FAIL {section} {data}")
    return "\r\n".join([*lines, "CMBOT-END"] if end else lines) + "\r\n"


def _with(**changes: Any) -> dict[str, Any]:
    state = copy.deepcopy(HEALTHY)
    for key, value in changes.items():
        state[key] = {**state[key], **value}
    return state


def test_ms_date_last_scan_is_read() -> None:
    """last_scan as 5.1 writes a DateTime is a time, not a reason to drop the document (defect 1)."""
    facts = build_facts(_with(update_status={"last_scan": "/Date(1637543700000)/"}))
    assert facts.update_status is not None and facts.update_status.last_scan is not None
    assert facts.update_status.last_scan.year == 2021


def test_ets_wrapped_datetime_and_arrays_are_unwrapped() -> None:
    """{"value": "/Date()/", "DateTime": ...} and {"value": [...], "Count": n} read as their value."""
    window = {"id": "w", "type": 4, "duration_s": 7200}
    window["start"] = {"value": "/Date(1795000000000)/", "DisplayHint": 2, "DateTime": "Saturday, ..."}
    facts = build_facts(_with(maintenance_window={"windows": {"value": [window], "Count": 1}}))
    assert facts.maintenance_window is not None and facts.maintenance_window.windows[0].start is not None


def test_unrolled_single_line_is_a_list() -> None:
    """PowerShell unrolls a one-line array to a string; the log section still reads one line."""
    facts = build_facts(_with(wuahandler_log={"lines": "Scan failed with error = 0x80072ee2."}))
    assert facts.wuahandler_log is not None and len(facts.wuahandler_log.lines) == 1


def test_real_values_old_literals_rejected_are_accepted() -> None:
    """ContinuePending, an empty start value and an unknown update Status keep their sections (defect 2, 4)."""
    facts = build_facts(
        _with(
            client_health={"ccmexec_status": "ContinuePending", "ccmexec_start": ""},
            update_status={"statuses": [{"article": "KB1", "status": "Superseded"}]},
        )
    )
    assert facts.client_health is not None and facts.client_health.ccmexec_start is None
    assert facts.update_status is not None and facts.update_status.statuses[0].status == "Superseded"
    assert not facts.errors


def test_one_bad_section_costs_only_that_section() -> None:
    """A value no model accepts marks that section 'could not read' and the report is not WinRM (defect 2)."""
    output = parse_output(_bundle(_with(cache={"size_mb": "many"})))
    report = report_from_output("pc-1", output)
    assert report.reachable and report.outcome != "unreachable"
    cache = next(i for i in report.checks if name(i) == "Cache")
    assert cache.status == "error" and detail(cache).startswith("could not read cache: unexpected output")
    assert sum(1 for i in report.checks if i.status == "error") == 1


def test_access_denied_is_a_finding_not_health() -> None:
    """A denied namespace shows 'access denied' on the checks that need it and fails Read access (defect 22)."""
    state = {k: v for k, v in HEALTHY.items() if k != "maintenance_window"}
    denied = {"exception": "Microsoft.Management.Infrastructure.CimException", "native": "AccessDenied"}
    report = report_from_output(
        "pc-1", parse_output(_bundle(state, {"maintenance_window": {**denied, "message": "Access denied"}}))
    )
    window = next(i for i in report.checks if name(i) == "Maintenance window")
    assert window.status == "error" and "access denied" in detail(window)
    assert next(i for i in report.checks if name(i) == "Read access").status == "fail"
    assert report.outcome == "findings"


def test_invalid_class_is_not_access_denied() -> None:
    """InvalidNamespace/InvalidClass read as 'not installed', not as denied."""
    state = {k: v for k, v in HEALTHY.items() if k != "cache"}
    failure = {
        "exception": "Microsoft.Management.Infrastructure.CimException",
        "native": "InvalidClass",
        "message": "Invalid class",
    }
    report = report_from_output("pc-1", parse_output(_bundle(state, {"cache": failure})))
    assert "not installed" in detail(next(i for i in report.checks if name(i) == "Cache"))
    assert all(name(i) != "Read access" for i in report.checks)


def test_a_check_names_the_section_it_requires() -> None:
    """Maintenance window needs software_updates: without it the check says so (architecture review 2.3)."""
    state = {k: v for k, v in HEALTHY.items() if k != "software_updates"}
    report = report_from_output("pc-1", parse_output(_bundle(state)))
    window = next(i for i in report.checks if name(i) == "Maintenance window")
    assert window.status == "error" and "software_updates" in detail(window)


def test_cut_output_keeps_what_ran() -> None:
    """Output cut before CMBOT-END keeps the sections that ran and names the others (defect 7)."""
    first = dict(list(HEALTHY.items())[:5])
    report = report_from_output("pc-1", parse_output(_bundle(first, end=False)))
    client = next(i for i in report.checks if name(i) == "Client health")
    disk = next(i for i in report.checks if name(i) == "Disk")
    assert client.status == "ok"
    assert disk.status == "error" and "deadline" in detail(disk)


JAPANESE_NETSH = "現在の WinHTTP プロキシ設定:\r\n    プロキシ サーバー: proxy.example.com:8080\r\n    バイパス一覧: <local>"


def test_winhttp_proxy_is_read_from_the_registry_on_japanese_windows() -> None:
    """netsh's localized text defeats an English regex; the WinHttpSettings blob is the same in every language (defect 16)."""
    import re  # noqa: PLC0415
    import struct  # noqa: PLC0415

    from probes.facts import decode_winhttp_settings  # noqa: PLC0415

    assert re.search(r"Proxy Server\(s\)\s*:\s*(\S+)", JAPANESE_NETSH) is None  # what proxy.ps1 used to do
    proxy, bypass = b"proxy.example.com:8080", b"<local>"
    blob = (
        struct.pack("<III", 0x28, 7, 3)
        + struct.pack("<I", len(proxy))
        + proxy
        + struct.pack("<I", len(bypass))
        + bypass
    )
    decoded = decode_winhttp_settings(blob)
    assert decoded.proxy == "proxy.example.com:8080" and decoded.bypass == ["<local>"]
    direct = decode_winhttp_settings(struct.pack("<IIIII", 0x28, 1, 1, 0, 0))
    assert direct.proxy is None and direct.bypass == []


def test_empty_parameters_ask_for_no_kb() -> None:
    """With no KBs, the update_status filter keeps every row: @($null).Count is 1 (defect 24)."""
    from probes.scripts import section_script  # noqa: PLC0415

    text = section_script("update_status")
    assert "@($P.kbs | Where-Object { $_ })" in text
    assert "@($P.kbs)" not in text
