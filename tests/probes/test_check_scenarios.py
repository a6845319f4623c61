"""Against the lab, every scenario host gets its own cause as the top finding; healthy gets none."""

import asyncio
import json

import pytest

from bot.render.present import present_report
from bot.render.text import report_json
from lab.scenario import CANNOT_CHECK, load_scenarios
from lab.testing import Lab
from probes.check import check_host, check_hosts
from tests._words import detail, name, verdict

CAUSE_HOSTS = [
    s for s in load_scenarios() if s.scenario not in ("healthy", "winrm-unreachable", CANNOT_CHECK)
]
HEALTHY_HOSTS = [s for s in load_scenarios() if s.scenario == "healthy"]
CANNOT_CHECK_HOSTS = [s for s in load_scenarios() if s.scenario == CANNOT_CHECK]


@pytest.mark.parametrize("scenario", CAUSE_HOSTS, ids=lambda s: s.scenario)
def test_scenario_host_gets_its_own_cause_first(full_lab: Lab, scenario) -> None:  # type: ignore[no-untyped-def]
    """The first finding names the scenario's cause, with remedy steps and links."""
    report = asyncio.run(check_host(scenario.name, deadline_s=20))
    assert report.reachable, verdict(report)
    assert report.findings, verdict(report)
    top = present_report(report, "en").findings[0]
    assert top.id == scenario.scenario
    assert verdict(report).startswith(f"{scenario.scenario}:")
    assert top.remedy and top.links
    assert any(item.status in ("fail", "warn") for item in report.checks)


@pytest.mark.parametrize("scenario", HEALTHY_HOSTS, ids=lambda s: s.name)
def test_healthy_host_has_no_finding(full_lab: Lab, scenario) -> None:  # type: ignore[no-untyped-def]
    """The healthy hosts (NTLM, HTTPS, slow with timeouts) pass every check."""
    report = asyncio.run(check_host(scenario.name, deadline_s=20))
    assert report.reachable
    assert report.findings == []
    assert verdict(report).startswith("Healthy")
    assert all(item.status in ("ok", "skipped") for item in report.checks)
    assert report.outcome == "healthy"


@pytest.mark.parametrize("scenario", CANNOT_CHECK_HOSTS, ids=lambda s: s.name)
def test_host_that_cannot_be_fully_checked_says_why(full_lab: Lab, scenario) -> None:  # type: ignore[no-untyped-def]
    """PS 2.0, CLM, access denied, a hung provider, a crashed powershell.exe: each its own answer, never WinRM."""
    report = asyncio.run(check_host(scenario.name, deadline_s=4))
    text = verdict(report) + "\n" + "\n".join(f"{name(i)}: {detail(i)}" for i in report.checks)
    assert scenario.expect and scenario.expect in text, text
    assert report.reachable
    assert report.outcome != "healthy" or "could not be read" in verdict(report)
    assert all(f.id != "winrm-unreachable" for f in report.findings)
    assert not verdict(report).startswith("winrm-unreachable")


def test_one_round_trip_bundle_and_shells_closed(full_lab: Lab) -> None:
    """A check runs one bundle command in one shell, and the shell is deleted afterwards."""
    before = full_lab.counters("lab-healthy")
    asyncio.run(check_host("lab-healthy"))
    after = full_lab.counters("lab-healthy")
    assert after["commands"] == before.get("commands", 0) + 1  # type: ignore[operator]
    assert after["probes"]["bundle"] == before["probes"].get("bundle", 0) + 1  # type: ignore[index,union-attr]
    assert full_lab.host("lab-healthy").shells_open == 0


def test_japanese_report(full_lab: Lab) -> None:
    """In Japanese the verdict and remedy come from the Japanese text of the entry."""
    report = present_report(asyncio.run(check_host("lab-dual-scan")), "ja")
    assert "デュアル スキャン" in verdict(report, "ja")
    assert any("gpupdate /force" in step for step in report.findings[0].remedy)


def test_many_hosts_at_once_and_json_shape(full_lab: Lab) -> None:
    """Many hosts check concurrently; each report's findings have the explain --json shape."""
    names = [s.name for s in CAUSE_HOSTS]
    reports = asyncio.run(check_hosts(names, deadline_s=20))
    assert [r.findings[0].id for r in reports] == [s.scenario for s in CAUSE_HOSTS]
    document = report_json(reports[0], "en")
    assert set(document["findings"][0]) >= {"id", "title", "confidence", "evidence", "remedy", "links"}


def test_asked_kb_not_targeted(full_lab: Lab) -> None:
    """Asking for a KB no assignment targets reports not-targeted for that KB."""
    report = asyncio.run(check_host("lab-healthy", kbs=["KB9999999"]))
    assert report.findings[0].id == "not-targeted"
    assert "KB9999999" in next(detail(c) for c in report.checks if name(c) == "Deployment policy")


def test_asked_deployment_not_on_the_client(full_lab: Lab) -> None:
    """A deployment unique ID with no CCM_UpdateCIAssignment on the client is not-targeted (defect 11)."""
    report = asyncio.run(check_host("lab-healthy", deployments=["{16777245-0000-0000-0000-000000000001}"]))
    assert report.findings[0].id == "not-targeted"
    ok = asyncio.run(check_host("lab-healthy", deployments=["16777245-7a3b-4c5d-9e8f-0a1b2c3d4e5f"]))
    assert ok.outcome == "healthy"


def test_cli_checks_a_group(full_lab: Lab, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """`cmbot check group:NAME` expands the group from CMBOT_GROUPS and reports every host."""
    from bot.cli.main import main  # noqa: PLC0415

    groups = tmp_path / "groups.yaml"
    groups.write_text("pilot: [lab-healthy, lab-dual-scan]\n")
    monkeypatch.setenv("CMBOT_GROUPS", str(groups))
    assert main(["check", "group:pilot", "--json"]) == 1
    reports = json.loads(capsys.readouterr().out)
    assert [r["host"] for r in reports] == ["lab-healthy", "lab-dual-scan"]
    assert main(["check", "group:nope"]) == 2
    assert "no host group named 'nope'" in capsys.readouterr().err


def test_fleet_summary_names_hosts_that_cannot_be_checked(full_lab: Lab) -> None:
    """In a many-host summary a PS 2.0 host counts as 'cannot check', not as unreachable or healthy."""
    from bot.render.blocks import check_summary_message, render_text  # noqa: PLC0415

    reports = asyncio.run(check_hosts(["lab-healthy", "lab-powershell-2"], deadline_s=10))
    text = render_text(check_summary_message(reports, "en"))
    assert "cannot check ×1" in text
    line = next(line for line in text.splitlines() if "lab-powershell-2" in line)
    assert "⛔" in line and "✅" not in line


def test_powershell_2_answer_in_japanese(full_lab: Lab) -> None:
    """The PS 2.0 answer has its Japanese wording, with the WMF 5.1 remedy."""
    report = asyncio.run(check_host("lab-powershell-2"))
    said = verdict(report, "ja")
    assert "PowerShell 2.0 (WMF 5.1 をインストールしてください)" in said
    assert "cannot check" not in said and "install" not in said
