"""Checks on the probe scripts that need no Windows: PowerShell version, CLM, timeouts, error hiding,
the time budget, and every CIM property read against Microsoft's class documentation.

The bundle runs only after the bootstrap's guard (PowerShell >= 3.0, FullLanguage), so the bundle may
use 3.0 constructs and nothing newer; the guard itself must run on 2.0 and in Constrained Language Mode.
"""

import re
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell
import yaml

from bot.settings import Settings
from probes.check import STARTUP_S, budget_for
from probes.facts import SECTION_MODELS, SECTIONS
from probes.scripts import BOOTSTRAP, HOST_GUARD, SCRIPT_DIR, bundle_script, section_script, standalone_script

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
CLASSES = yaml.safe_load((Path(__file__).parent / "data" / "cim_classes.yaml").read_text(encoding="utf-8"))
DOCUMENTED = {(c["namespace"].lower(), c["class"].lower()): set(c["properties"]) for c in CLASSES}

# Constructs newer than PowerShell 3.0, with the version that brought them (PowerShell-Docs: about_Classes and
# about_Using (5.0), about_Arrays .Where()/.ForEach() (4.0), ConvertFrom-Json -AsHashtable (6.0), about_Operators
# ?? ?. && || (7.0), ForEach-Object -Parallel (7.0), Get-ItemPropertyValue (5.0), Get-FileHash (4.0); issue
# PowerShell/PowerShell#2579 for ServiceController.StartType (5.0)).
NEWER_THAN_3 = {
    r"::new\(": "5.0",
    r"^\s*class\s+\w+": "5.0",
    r"^\s*using\s+(namespace|module)\b": "5.0",
    r"\.StartType\b": "5.0",
    r"\.(Where|ForEach)\(": "4.0",
    r"-AsHashtable\b": "6.0",
    r"\?\?|\?\.": "7.0",
    r"&&|\|\|": "7.0",
    r"-Parallel\b": "7.0",
    r"\bGet-ItemPropertyValue\b": "5.0",
    r"\bGet-FileHash\b": "4.0",
}
# 3.0 constructs the 2.0 bootstrap must not reach before its guard (PowerShell-Docs about_Hash_Tables.md for
# [ordered]; ConvertTo-Json.md, Invoke-WebRequest.md, Get-Content.md -Tail, CimCmdlets: "introduced in 3.0").
THREE_ZERO = [
    r"\[ordered\]",
    r"ConvertTo-Json",
    r"ConvertFrom-Json",
    r"Get-CimInstance",
    r"Invoke-CimMethod",
    r"Invoke-WebRequest",
    r"-Tail\b",
]


def _code(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _commands(text: str) -> list[tuple[str, str]]:
    """(command name, whole command text) for every command in the script, found by the parser."""
    found: list[tuple[str, str]] = []

    def walk(node: tree_sitter.Node) -> None:
        if node.type == "command":
            name = next((c for c in node.children if c.type == "command_name"), None)
            if name is not None and name.text is not None and node.text is not None:
                found.append((name.text.decode(), node.text.decode()))
        for child in node.children:
            walk(child)

    walk(PARSER.parse(text.encode("utf-8")).root_node)
    return found


def version_violations(text: str) -> list[str]:
    code = _code(text)
    return [
        f"{pattern} needs PowerShell {version}"
        for pattern, version in NEWER_THAN_3.items()
        if re.search(pattern, code, re.MULTILINE)
    ]


def test_bundle_uses_nothing_newer_than_the_guarded_version() -> None:
    """The assembled bundle and the collect script use only PowerShell 3.0 constructs (defect 3, 4, 28)."""
    assert version_violations(bundle_script()) == []
    assert version_violations(standalone_script({"kbs": []})) == []


def test_version_lint_can_fail() -> None:
    """The version lint catches .StartType (5.0) and ?? (7.0)."""
    assert len(version_violations("$s.StartType\n$a = $b ?? 1")) == 2


def test_guard_runs_on_powershell_2_and_in_clm() -> None:
    """Before its guard the bootstrap uses no 3.0 construct, no static .NET call, no method call, and
    only the [string] type, which Constrained Language Mode allows (about_Language_Modes.md) (defect 3, 5)."""
    before_guard = BOOTSTRAP.split("if (-not $ok)")[0]
    assert before_guard.startswith(HOST_GUARD)
    for pattern in THREE_ZERO:
        assert not re.search(pattern, before_guard), pattern
    assert "::" not in before_guard
    assert not re.search(r"\.\w+\(", before_guard)
    assert set(re.findall(r"\[(\w[\w.]*)\]", before_guard)) <= {"string"}
    standalone = standalone_script({})
    assert standalone.index(HOST_GUARD) < standalone.index("param(") < standalone.index("if ($ok)")


def test_clm_lint_can_fail() -> None:
    """A static call or a method call before the guard would be caught."""
    bad = "[Console]::In.ReadLine(); " + HOST_GUARD
    assert "::" in bad.split("if (-not $ok)")[0]


def cim_calls_without_timeout(text: str) -> list[str]:
    bad = []
    for name, command in _commands(text):
        if name.lower() in ("get-wmiobject", "gwmi") or (
            name.lower() in ("get-ciminstance", "invoke-cimmethod") and "-OperationTimeoutSec" not in command
        ):
            bad.append(command)
    return bad


def test_every_cim_call_has_a_timeout() -> None:
    """Every Get-CimInstance / Invoke-CimMethod carries -OperationTimeoutSec; no Get-WmiObject (defect 7)."""
    assert cim_calls_without_timeout(bundle_script()) == []
    assert cim_calls_without_timeout("Get-CimInstance -ClassName Win32_BIOS") != []


def silent_errors(text: str) -> list[str]:
    code = _code(text)
    hits = re.findall(r".*-ErrorAction\s+SilentlyContinue.*|.*-EA\s+0\b.*", code, re.IGNORECASE)
    hits += re.findall(r".*catch\s*\{\s*\}.*", code)
    return hits


def test_no_error_is_hidden() -> None:
    """No read hides its error: no -ErrorAction SilentlyContinue, no empty catch (defect 22)."""
    assert silent_errors(bundle_script()) == []
    assert silent_errors("$x = Get-Item a -ErrorAction SilentlyContinue\ntry { 1 } catch { }") != []


def _props_read(script: str) -> tuple[set[tuple[str, str]], set[str]]:
    """The CIM classes a section reads and the properties it reads from their instances."""
    code = _code(script)
    classes: set[tuple[str, str]] = set()
    bound: set[str] = set()
    for match in re.finditer(r"(?:\$(\w+)\s*=\s*@?\(?\s*)?Get-Cim '([^']+)' '([^']+)'", code):
        classes.add((match.group(2).lower(), match.group(3).lower()))
        if match.group(1):
            bound.add(match.group(1))
    for match in re.finditer(
        r"(?:\$(\w+)\s*=\s*)?Invoke-CimMethod -Namespace '([^']+)' -ClassName (\w+) -MethodName (\w+)", code
    ):
        classes.add((match.group(2).lower(), f"{match.group(3)}.{match.group(4)}".lower()))
        if match.group(1):
            bound.add(match.group(1))
    for match in re.finditer(r"(?:\$(\w+)\s*=\s*)?Get-OS\b", code):
        classes.add(("root/cimv2", "win32_operatingsystem"))
        if match.group(1):
            bound.add(match.group(1))
    props = set(re.findall(r"\(Get-(?:Cim '[^']+' '[^']+'[^)]*|OS)\)\.(\w+)", code))
    for var in bound:
        props |= set(re.findall(rf"\${var}(?:\[\d+\])?\.(\w+)", code))
    feeds = [rf"\${var}\s*\|" for var in bound] + [r"Get-Cim '[^']+' '[^']+'[^\n]*\|"]
    for statement in _statements(code):
        if any(re.search(feed, statement.split("\n", 1)[0]) for feed in feeds):
            props |= set(re.findall(r"\$_\.(\w+)", statement))
    return classes, props - {"Groups", "Value", "Count", "Line", "Exception"}


def _statements(code: str) -> list[str]:
    """From each line, the text up to where the brackets opened on that line close (its pipeline)."""
    lines = code.splitlines()
    result = []
    for i in range(len(lines)):
        text, depth = "", 0
        for line in lines[i:]:
            text += line + "\n"
            depth += sum(line.count(c) for c in "({[") - sum(line.count(c) for c in ")}]")
            if depth <= 0:
                break
        result.append(text)
    return result


def unknown_properties(script: str) -> list[str]:
    classes, props = _props_read(script)
    documented: set[str] = set()
    for key in classes:
        assert key in DOCUMENTED, f"{key} is not in tests/probes/data/cim_classes.yaml"
        documented |= DOCUMENTED[key]
    return sorted(p for p in props if p not in documented)


@pytest.mark.parametrize("name", SECTIONS)
def test_every_property_read_is_documented(name: str) -> None:
    """Each property a section reads from a CIM class is in that class's documentation (defect 8)."""
    assert unknown_properties(section_script(name)) == []


def test_property_table_catches_duration_on_the_policy_class() -> None:
    """The old maintenance-window read (ActualConfig CCM_ServiceWindow .Duration) fails the table."""
    old = "$w = Get-Cim 'root/ccm/Policy/Machine/ActualConfig' 'CCM_ServiceWindow'\n$w | ForEach-Object { $_.Duration }"
    assert unknown_properties(old) == ["Duration"]


@pytest.mark.parametrize("name", SECTIONS)
def test_model_keys_are_keys_the_script_writes(name: str) -> None:
    """Every key a facts model (and so a lab scenario) may hold is written by the section's script (defect 30)."""
    text = section_script(name)
    for key in SECTION_MODELS[name].model_fields:
        assert re.search(rf"\b{key}\s*=", text), f"{name}.ps1 never writes {key}"
    assert f"Out-Section '{name}'" in text and f"Out-Failure '{name}'" in text


def test_header_writes_the_host_keys() -> None:
    """The header writes each key of the `host` section."""
    header = (SCRIPT_DIR / "header.ps1").read_text(encoding="utf-8")
    for key in SECTION_MODELS["host"].model_fields:
        assert re.search(rf"\b{key}\s*=", header), key


def _waits(script: str) -> tuple[int, int]:
    code = _code(script)
    cim = len(re.findall(r"Get-Cim\b|Get-OS\b|Invoke-CimMethod\b", code))
    web = len(re.findall(r"Test-WinHttp\b", code)) * (2 if "foreach ($s in $schemes)" in code else 1)
    return cim, web


def test_worst_case_waits_fit_the_check_deadline() -> None:
    """The budget plus the longest overrun of the last section started fits the default deadline (defect 7).

    A section starts only with more than 2 s of budget left, and each wait inside it is cut to what is left
    (at least 1 s per CIM call, 4 x 250 ms per WinHTTP test), so the bundle ends within budget + overrun.
    """
    deadline = Settings.model_fields["cmbot_check_deadline"].default
    overrun = max(2 + cim + web for cim, web in (_waits(section_script(n)) for n in SECTIONS))
    assert budget_for(deadline) + overrun <= deadline - STARTUP_S + overrun
    assert budget_for(deadline) + overrun + 5 <= deadline  # 5 s to connect and start powershell.exe
    uncapped = sum(8 * cim + 20 * web for cim, web in (_waits(section_script(n)) for n in SECTIONS))
    assert uncapped > deadline  # why the budget exists: the waits alone could not fit


DATETIME_PROPERTIES = (
    "StartTime",
    "EndTime",
    "ScanTime",
    "Deadline",
    "RestartDeadline",
    "LastBootUpTime",
    "InstalledOn",
)
"""CIM datetime properties of the documented classes (tests/probes/data/cim_classes.yaml sources)."""


def unconverted_values(text: str) -> list[str]:
    """Lines where a CIM datetime or a service Status enum could reach ConvertTo-Json as such."""
    bad = []
    for line in _code(text).splitlines():
        for prop in DATETIME_PROPERTIES:
            for match in re.finditer(rf"\$\w+(?:\[\d+\])?\.{prop}\b", line):
                before = line[: match.start()]
                if re.search(r"Where-Object \{[^}]*$", before):
                    continue  # a filter test, not a value
                if not (before.rstrip().endswith(("ConvertTo-IsoTime", "(ConvertTo-IsoTime", "[datetime]"))):
                    bad.append(line.strip())
        for match in re.finditer(r"\$svc(?:\[\d+\])?\.Status\b", line):
            if not line[: match.start()].endswith("[string]"):
                bad.append(line.strip())
    return bad


def test_no_datetime_or_enum_reaches_the_json() -> None:
    """Every CIM datetime goes through ConvertTo-IsoTime and every service Status through [string] (defect 1, 2)."""
    for name in SECTIONS:
        assert unconverted_values(section_script(name)) == [], name
    assert unconverted_values("$o = [ordered]@{ t = $w.StartTime; s = $svc.Status }") != []
