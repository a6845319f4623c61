"""The live checks that read log sections take their patterns, causes and success line from the data.

A cause read from a log is a knowledge entry (built-in or in a `kb_dirs` overlay) and a lab scenario:
no Python. `probes/diagnosis.py` holds no copy of a log line.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.render.verdict import check_detail, check_name
from knowledge.explain import explain
from knowledge.loader import BUILTIN_DIR, load_entries
from knowledge.stages import builtin_stages
from lab.scenario import load_scenarios
from probes import diagnosis
from probes.diagnosis import diagnose
from probes.facts import LOG_SOURCES, Facts, build_facts
from probes.logfilter import build_filter, section_causes

SCENARIOS = {s.name: s for s in load_scenarios()}
HEALTHY = SCENARIOS["lab-healthy"].sections


def _facts(**changes: Any) -> Facts:
    return build_facts({**copy.deepcopy(HEALTHY), **changes}, expected=False)


def _cmtrace(text: str, time: str = "03:15:00.000-540", component: str = "WUAHandler") -> str:
    return (
        f'<![LOG[{text}]LOG]!><time="{time}" date="11-22-2026" component="{component}" context="" '
        'type="3" thread="3000" file="x.cpp:1">'
    )


def _overlay_entry(directory: Path, cause: str, regex: str, log: str, match: str) -> Path:
    """A team's entry, shaped like the built-in ones, whose one pattern names `log`."""
    text = {
        "title": f"Test cause {cause}",
        "cause": "A cause only a team's own knowledge directory knows.",
        "symptoms": [f"{log} shows the line."],
        "remedy": [{"text": "Do the team's fix."}],
    }
    entry = {
        "id": cause,
        "category": "sup",
        "severity": "error",
        "en": text,
        "ja": text,
        "links": [{"url": "https://learn.microsoft.com/en-us/mem/configmgr/", "title": "ConfigMgr docs"}],
        "logs": [f"C:\\Windows\\{log}"],
        "patterns": [{"regex": regex, "confidence": 0.9, "log": log}],
        "examples": {"match": [match]},
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{cause}.yaml"
    path.write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    return directory


def test_an_overlay_cause_on_windowsupdate_log_is_reported(tmp_path: Path) -> None:
    """An entry only in kb_dirs whose pattern names WindowsUpdate.log is the memory check's finding."""
    line = "2026-11-22\t03:12:33:123\t 900\t a1c\tAgent\tWARNING: Contoso agent shim refused the search"
    kb = _overlay_entry(
        tmp_path, "contoso-shim-refused", r"Contoso agent shim refused", "WindowsUpdate.log", line
    )
    facts = _facts(windowsupdate_log={"applicable": True, "lines": [line]})
    items, findings = diagnose(facts, kb_dirs=[kb])
    memory = next(i for i in items if check_name(i, "en") == "Scan memory (WindowsUpdate.log)")
    assert memory.status == "fail" and memory.cause == "contoso-shim-refused"
    assert findings[0].id == "contoso-shim-refused"
    assert any("Contoso agent shim refused" in e.text for e in findings[0].evidence)
    # Without the overlay the same facts are healthy: the cause is in the data, not in Python.
    assert diagnose(facts)[1] == []


def test_an_overlay_cause_on_wuahandler_log_is_reported(tmp_path: Path) -> None:
    """An entry only in kb_dirs whose pattern names WUAHandler.log is the scan check's finding."""
    line = _cmtrace("Contoso update source handshake rejected by the agent.")
    kb = _overlay_entry(
        tmp_path, "contoso-handshake", r"Contoso update source handshake", "WUAHandler.log", line
    )
    items, findings = diagnose(_facts(wuahandler_log={"lines": [line]}), kb_dirs=[kb])
    scan = next(i for i in items if check_name(i, "en") == "Scan (WUAHandler.log)")
    assert scan.status == "fail" and scan.cause == "contoso-handshake"
    assert [f.id for f in findings] == ["contoso-handshake"]


def test_an_overlay_pattern_for_a_one_cause_check_counts(tmp_path: Path) -> None:
    """A team's own mp-unreachable (overriding the built-in by id) with a new CcmMessaging.log pattern: the
    MP check quotes that line."""
    raw = yaml.safe_load((BUILTIN_DIR / "mp-unreachable.yaml").read_text(encoding="utf-8"))
    raw["patterns"].append({"regex": "Contoso relay refused the MP request", "log": "CcmMessaging.log"})
    tmp_path.joinpath("mp-unreachable.yaml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    scenario = SCENARIOS["lab-mp-unreachable"].sections
    line = _cmtrace("Contoso relay refused the MP request", "09:12:44.123-540", "CcmMessaging")
    facts = build_facts({**copy.deepcopy(scenario), "ccmmessaging_log": {"lines": [line]}}, expected=False)
    _, findings = diagnose(facts, kb_dirs=[tmp_path])
    assert findings[0].id == "mp-unreachable"
    assert any("Contoso relay refused" in e.text for e in findings[0].evidence)
    _, built_in = diagnose(facts)
    assert not any("Contoso relay refused" in e.text for e in built_in[0].evidence)


FAILURE = _cmtrace("OnSearchComplete - Failed to end search job. Error = 0x80072ee2.")


def test_the_success_line_comes_from_log_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan failure followed by the log's `success` line is not current; the line is LOG_SOURCES' own."""
    source = LOG_SOURCES["wuahandler_log"]
    assert source.success == "Async searching completed"
    done = _cmtrace(f"{source.success}.", "05:15:00.000-540")
    assert diagnose(_facts(wuahandler_log={"lines": [FAILURE]}))[1][0].id == "sup-scan-timeout"
    assert diagnose(_facts(wuahandler_log={"lines": [FAILURE, done]}))[1] == []
    # Another success line in LOG_SOURCES: that one supersedes the failure, the old text no longer does.
    other = dataclasses.replace(source, success="Contoso scan finished")
    monkeypatch.setitem(LOG_SOURCES, "wuahandler_log", other)
    assert diagnose(_facts(wuahandler_log={"lines": [FAILURE, done]}))[1][0].id == "sup-scan-timeout"
    finished = _cmtrace("Contoso scan finished.", "05:15:00.000-540")
    assert diagnose(_facts(wuahandler_log={"lines": [FAILURE, finished]}))[1] == []


def test_the_filter_keeps_the_success_line() -> None:
    """The bundle's WUAHandler.log filter passes the success line, so the checks can see it."""
    source = LOG_SOURCES["wuahandler_log"]
    assert source.success is not None
    keywords = build_filter(source, load_entries(), builtin_stages()).keywords
    assert keywords is not None and source.success.lower() in keywords
    assert source.success not in source.keep


def test_the_general_log_checks_report_every_cause_the_data_ties_to_the_log() -> None:
    """The scan and memory checks keep every cause an entry or stage ties to their log (the filter's
    selection): a WUAHandler.log cause outside the scan stage (content-hash-mismatch) is reported."""
    kb, stages = load_entries(), builtin_stages()
    scan = {c for s in stages if s.id == "scan" for c in s.causes}
    for name in ("wuahandler_log", "windowsupdate_log"):
        assert scan <= set(section_causes(LOG_SOURCES[name], kb, stages))
    line = _cmtrace("Failed to download updates to the WUAgent datastore. Error = 0x80246002.")
    items, findings = diagnose(_facts(wuahandler_log={"lines": [line]}))
    assert (
        next(i for i in items if check_name(i, "en") == "Scan (WUAHandler.log)").cause
        == "content-hash-mismatch"
    )
    assert findings[0].id == "content-hash-mismatch"


LOG_RULES = (
    "_management_point",
    "_gpo",
    "_update_source",
    "_scan",
    "_scan_memory",
    "_content",
    "_cache",
    "_install",
)
RESTATED = (
    r"\[CCMHTTP\] ERROR",
    "[CCMHTTP]",
    "overwritten by a higher authority",
    "Failed to end search job",
    "Scan failed",
    "Async searching completed",
    "GetUpdateMetadata2",
    "0x800B0001",
    "8007000E",
    "empty location update",
    "0x87d01201",
)


def _module() -> ast.Module:
    return ast.parse(Path(diagnosis.__file__).read_text(encoding="utf-8"))


def test_diagnosis_restates_no_log_line() -> None:
    """No string in probes/diagnosis.py spells an entry's log text or the success line."""
    strings = [
        n.value for n in ast.walk(_module()) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    for text in RESTATED:
        assert not [s for s in strings if text.lower() in s.lower()], text
    assert not hasattr(diagnosis, "_SCAN_SUCCESS")


def test_log_rules_read_logs_only_through_the_shared_helper() -> None:
    """Each log rule calls `_section_findings` and neither matches regexes nor filters lines itself."""
    functions = {n.name: n for n in ast.walk(_module()) if isinstance(n, ast.FunctionDef)}
    for name in LOG_RULES:
        called = {
            (c.func.id if isinstance(c.func, ast.Name) else ast.unparse(c.func))
            for c in ast.walk(functions[name])
            if isinstance(c, ast.Call)
        }
        assert "_section_findings" in called, name
        assert not {c for c in called if c.startswith("re.")} | ({"current_failures", "explain"} & called), (
            name
        )


@pytest.mark.parametrize(
    ("section", "log", "check"),
    [
        ("ccmmessaging_log", "CcmMessaging.log", "mp"),
        ("content_location", "ContentTransferManager.log", "content"),
        ("reporting_events", "ReportingEvents.log", "install"),
    ],
)
def test_a_passed_check_reports_another_cause_its_log_shows(
    tmp_path: Path, section: str, log: str, check: str
) -> None:
    """The one-cause checks (MP, content, install) pass on their own facts, but a cause the data ties
    to their log that no check decides fails them: an overlay entry needs no Python here either."""
    line = _cmtrace("Contoso relay refused the request", component="Contoso")
    kb = _overlay_entry(tmp_path, "contoso-relay-refused", r"Contoso relay refused", log, line)
    facts = _facts(**{section: {**copy.deepcopy(HEALTHY[section]), "lines": [line]}})
    assert next(i for i in diagnose(facts)[0] if i.check == check).status == "ok"
    items, findings = diagnose(facts, kb_dirs=[kb])
    item = next(i for i in items if i.check == check)
    assert item.status == "fail" and item.cause == "contoso-relay-refused"
    assert findings[0].id == "contoso-relay-refused"
    assert log in check_detail(item, "en") and log in check_detail(item, "ja")


def test_the_log_wide_checks_leave_a_cause_a_fact_check_decides() -> None:
    """Dual scan is decided from the registry per OS build (the dual-scan check): a WindowsUpdate.log
    line the dual-scan entry's pattern matches does not make the memory check report it."""
    line = "2026-11-22\t03:12:33:123\t 900\t a1c\tAgent\t  * IsDefaultAUService = 1"
    facts = _facts(windowsupdate_log={"applicable": True, "lines": [line]})
    assert "dual-scan" in {f.id for f in explain(line, source="WindowsUpdate.log").findings}
    items, findings = diagnose(facts)
    memory = next(i for i in items if check_name(i, "en") == "Scan memory (WindowsUpdate.log)")
    assert memory.status == "ok" and "dual-scan" not in {f.id for f in findings}
