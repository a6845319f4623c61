"""`cmbot collect` output, given back to explain, gets the same findings as the live check."""

import asyncio
import base64
import json
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell

from bot.cli.main import main
from lab.scenario import load_scenarios
from lab.shell import Command, run
from lab.testing import Lab
from probes.check import check_host
from probes.collected import collected_report, explain_any, is_collected
from probes.diagnosis import diagnose
from probes.scripts import bootstrap_arguments, encode_params, standalone_script
from tests._words import name

SCENARIOS = load_scenarios()
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def _collect_on(scenario_name: str, params: dict[str, object]) -> str:
    """What the lab host prints when an engineer runs the collect script there."""
    scenario = next(s for s in SCENARIOS if s.name == scenario_name)
    script = standalone_script(params)
    command = Command(command_line=" ".join(["powershell.exe", *bootstrap_arguments()]))
    command.stdin.extend(f"{encode_params(params)}\r\n{script}".encode())
    return run(command, host=scenario.name, scenario=scenario, codepage="65001").stdout


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_collect_round_trips_to_the_live_findings(full_lab: Lab, scenario) -> None:  # type: ignore[no-untyped-def]
    """For every scenario the collected output gives the live check's findings (or, where WinRM
    fails, the findings of the machine's own state)."""
    text = _collect_on(scenario.name, {"kbs": []})
    collected = collected_report(text)
    if scenario.powershell.crash and not scenario.powershell.die_before:  # blocked: no output to give back
        assert collected is None
        return
    assert collected is not None
    if scenario.scenario == "winrm-unreachable":
        expected = [f.id for f in diagnose(scenario.facts())[1]]
    else:
        live = asyncio.run(check_host(scenario.name, deadline_s=4))
        expected = [f.id for f in live.findings]
        assert [name(i) for i in collected.checks] == [
            name(i) for i in live.checks
        ] or scenario.powershell.stall_before
    assert [f.id for f in collected.findings] == expected


def test_collect_script_parses_and_carries_its_kbs_as_data() -> None:
    """The script is valid PowerShell; the KBs travel as base64 JSON, not as script text."""
    script = standalone_script({"kbs": ["KB5031356"], "budget_s": 300})
    assert not PARSER.parse(script.encode()).root_node.has_error
    assert "KB5031356" not in script
    assert encode_params({"kbs": ["KB5031356"], "budget_s": 300}) in script


def test_cli_collect_then_explain_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`cmbot collect --kb` output run on a host, saved as UTF-16 like Out-File, explains to the live answer."""
    assert main(["collect", "--kb", "KB9999999"]) == 0
    script = capsys.readouterr().out
    params = json.loads(base64.b64decode(script.split("-Parameters '")[1].split("'")[0]))
    assert params["kbs"] == ["KB9999999"]
    output = tmp_path / "out.txt"
    output.write_bytes(b"\xff\xfe" + _collect_on("lab-healthy", params).encode("utf-16-le"))
    assert main(["explain", "--file", str(output)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("LAB-HEALTHY: not-targeted")
    assert "not-targeted" in printed
    assert main(["explain", "--file", str(output), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"][0]["id"] == "not-targeted"


def test_pasted_collect_output_is_explained_as_a_check() -> None:
    """Pasted (a /cmerr text or a message) collect output is diagnosed; ordinary log text is not."""
    text = _collect_on("lab-dual-scan", {"kbs": []})
    assert is_collected(text)
    assert explain_any(text).findings[0].id == "dual-scan"
    assert not is_collected("0x80072ee2")
    assert explain_any("0x80072ee2").findings[0].id == "sup-scan-timeout"


def test_bad_collect_parameters_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """A KB or deployment ID that is not one is refused with a short message."""
    assert main(["collect", "--kb", "KB1;rm"]) == 2
    assert main(["collect", "--deployment", "$(x)"]) == 2
    assert "not a deployment ID" in capsys.readouterr().err
