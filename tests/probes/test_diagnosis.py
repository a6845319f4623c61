"""Diagnosis is pure: facts alone give the checklist and the ranked findings."""

import pytest

from lab.scenario import load_scenarios
from probes.diagnosis import diagnose, verdict_of
from probes.facts import Facts

SCENARIOS = [s for s in load_scenarios() if s.scenario != "winrm-unreachable"]
HEALTHY = next(s for s in SCENARIOS if s.name == "lab-healthy").state


def _facts(**changes: object) -> Facts:
    state = {**HEALTHY, **changes}
    return Facts.model_validate(state)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario_state_diagnoses_to_its_cause(scenario) -> None:  # type: ignore[no-untyped-def]
    """Without any connection, each scenario's facts give its own cause first (healthy: none)."""
    items, findings = diagnose(Facts.model_validate(scenario.state))
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
    state["errors"] = {"cache": "Invalid class 'CacheConfig'"}
    items, findings = diagnose(Facts.model_validate(state))
    cache = next(i for i in items if i.name == "Cache")
    assert cache.status == "error" and "CacheConfig" in cache.detail
    assert findings == []
    assert "could not be read" in verdict_of(findings, items)


@pytest.mark.parametrize(
    ("bypass", "expected"),
    [(["<local>"], "sup-unreachable"), (["*.contoso.com"], None), (["sup01.contoso.com"], None)],
)
def test_proxy_bypass_list(bypass: list[str], expected: str | None) -> None:
    """A proxy that does not bypass the SUP is named when client.asmx fails."""
    facts = _facts(
        proxy={"winhttp_proxy": "proxy:8080", "bypass": bypass},
        update_source={
            **HEALTHY["update_source"],
            "client_asmx": {"status": 200 if expected is None else None},
        },
    )
    _, findings = diagnose(facts)
    assert (findings[0].id if findings else None) == expected


def test_window_as_long_as_max_runtime_is_enough() -> None:
    """A window exactly as long as the maximum run time lets the install start."""
    facts = _facts(maintenance_window={"max_execution_minutes": 60, "windows": [{"duration_minutes": 60}]})
    assert diagnose(facts)[1] == []


def test_asked_kb_missing_from_store() -> None:
    """An asked KB that the deployment targets but the scan never recorded is update-not-detected."""
    deployment = {"assignments": [{"id": "a", "name": "n", "updates": ["KB1234567"]}]}
    facts = _facts(deployment_policy=deployment)
    _, findings = diagnose(facts, kbs=["KB1234567"])
    assert findings[0].id == "update-not-detected"


def test_japanese_findings() -> None:
    """Findings carry the Japanese text of the entry when asked."""
    _, findings = diagnose(_facts(disk={"size_gb": 100, "free_gb": 2}), lang="ja")
    assert findings[0].title == "システム ドライブの空き容量が少ない"
