"""Windows-like answers for errors and faults; every shell is closed after a run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import winrm
import winrm.exceptions
import yaml
from winrm.protocol import Protocol

from lab.scenario import SCENARIO_DIR, ScenarioError, load_scenario_file, load_scenarios
from lab.testing import Lab
from probes.facts import SECTIONS, Facts, build_facts, healthy_sections
from probes.inventory import load_inventory


def _basic(lab: Lab) -> winrm.Session:
    host = lab.inventory.get("t-basic")
    assert host is not None and host.password is not None
    return winrm.Session(
        host.endpoint, auth=(host.username or "", host.password.get_secret_value()), transport="basic"
    )


def test_unknown_cmd_command_is_a_windows_error(lab: Lab) -> None:
    """An unknown cmd command answers like cmd.exe, with exit code 1."""
    result = _basic(lab).run_cmd("frobnicate")
    assert result.status_code == 1
    assert b"is not recognized as an internal or external command" in result.std_err


def test_unknown_powershell_command_is_a_clixml_error(lab: Lab) -> None:
    """An unknown cmdlet gives a CLIXML error record that pywinrm turns into text."""
    result = _basic(lab).run_ps("Get-Frobnicator -Now")
    assert result.status_code == 1
    assert b"is not recognized as the name of a cmdlet" in result.std_err


def test_command_line_too_long(lab: Lab) -> None:
    """A command line over 8191 characters fails as cmd.exe does."""
    result = _basic(lab).run_cmd("echo " + "x" * 9000)
    assert result.status_code == 1
    assert result.std_err == b"The command line is too long.\r\n"


def test_unknown_shell_is_invalid_selectors(lab: Lab) -> None:
    """A command for a shell that does not exist gets the w:InvalidSelectors fault (HTTP 500)."""
    host = lab.inventory.get("t-basic")
    assert host is not None and host.password is not None
    protocol = Protocol(
        host.endpoint, transport="basic", username=host.username, password=host.password.get_secret_value()
    )
    with pytest.raises(winrm.exceptions.WSManFaultError) as info:
        protocol.run_command("00000000-0000-0000-0000-000000000000", "echo", ["x"])
    assert info.value.wsman_fault_code == 2150858843
    assert info.value.code == 500


def test_every_shell_is_closed_after_runs(lab: Lab) -> None:
    """After successful and failing runs, shells created equal shells deleted and none stay open."""
    session = _basic(lab)
    session.run_cmd("echo one")
    session.run_cmd("frobnicate")
    session.run_ps("Write-Output 'two'")
    counters = lab.counters("t-basic")
    assert counters["shells_created"] == counters["shells_deleted"]
    assert lab.host("t-basic").shells_open == 0


def test_scenario_errors_name_file_and_field(tmp_path: Path) -> None:
    """A broken scenario file is refused with its path and the field at fault."""
    path = tmp_path / "bad.yaml"
    path.write_text("name: lab-bad\nscenario: no-such-cause\nfaults: {latency_ms: -1}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert "field scenario" in message and "field faults.latency_ms" in message


def test_extends_merges_state(tmp_path: Path) -> None:
    """A scenario extending another starts from its state and overrides only what it names."""
    (tmp_path / "base.yaml").write_text(
        "name: lab-base\nscenario: healthy\nstate: {disk: {size_bytes: '100', free_bytes: '50'}}\n"
    )
    (tmp_path / "low.yaml").write_text(
        "name: lab-low\nscenario: disk-space-low\nextends: base\nstate: {disk: {free_bytes: '1'}}\n"
    )
    low = load_scenario_file(tmp_path / "low.yaml")
    assert low.state["disk"] == {"drive": "C:", "size_bytes": "100", "free_bytes": "1"}
    assert low.state["cache"] == healthy_sections()["cache"]


def test_healthy_state_comes_from_the_section_models() -> None:
    """lab-healthy's sections are the facts models' healthy examples: a new section needs no scenario edit."""
    healthy = next(s for s in load_scenarios() if s.name == "lab-healthy")
    for name in SECTIONS:
        assert healthy.state[name] == Facts.model_fields[name].examples[0], name  # type: ignore[index]
    assert set(yaml.safe_load((SCENARIO_DIR / "healthy.yaml").read_text(encoding="utf-8"))["state"]) == {
        "host"
    }


def test_a_section_without_a_healthy_example_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """A section field with no example fails the lab's load with the field and the fix."""
    monkeypatch.setattr(Facts.model_fields["disk"], "examples", None)
    with pytest.raises(ValueError, match=r"field disk: give the section's healthy output in examples"):
        healthy_sections()


def test_every_shipped_scenario_state_is_valid_facts() -> None:
    """Each scenario in lab/scenarios declares a machine state the facts model accepts, section by section."""
    for scenario in load_scenarios():
        facts = build_facts(scenario.sections, expected=False)
        assert not facts.errors, (scenario.name, facts.errors)


def test_cmbot_lab_writes_a_working_inventory(tmp_path: Path) -> None:
    """`cmbot lab --inventory` starts every host, writes the inventory, serves, and stops on SIGTERM."""
    inventory = tmp_path / "inventory.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "lab", "--inventory", str(inventory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert "lab hosts started" in first
        hosts = load_inventory(inventory).hosts
        assert {h.scenario for h in hosts} >= {"healthy", "sup-scan-timeout", "winrm-unreachable"}
        healthy = next(h for h in hosts if h.name == "lab-healthy")
        assert healthy.password is not None
        result = winrm.Session(
            healthy.endpoint,
            auth=(healthy.username or "", healthy.password.get_secret_value()),
            transport="ntlm",
        ).run_cmd("hostname")
        assert result.std_out == b"LAB-HEALTHY\r\n"
    finally:
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
