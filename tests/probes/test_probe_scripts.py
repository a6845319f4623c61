"""Probe scripts are fixed files that parse as PowerShell and fit the transport's limits.

tree-sitter-powershell is the parser here. Its blind spots: it rejects numeric multiplier suffixes
(`1GB`, `10MB`) that PowerShell accepts, so the scripts spell sizes out; and it parses without
resolving commands, so it cannot tell a misspelt cmdlet from a real one.
"""

import base64
import json

import pytest
import tree_sitter
import tree_sitter_powershell

from probes.facts import SECTIONS
from probes.scripts import (
    CMD_LINE_LIMIT,
    SCRIPT_DIR,
    bundle_script,
    command_line_length,
    single_section_script,
    stdin_payload,
)

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
SCRIPTS = {"bundle": bundle_script(), **{name: single_section_script(name) for name in SECTIONS}}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_parses_as_powershell(name: str) -> None:
    """Every assembled script parses without syntax errors."""
    tree = PARSER.parse(SCRIPTS[name].encode("utf-8"))
    assert not tree.root_node.has_error


def test_parser_catches_a_broken_script() -> None:
    """The parse test can fail: an unclosed block is a syntax error."""
    assert PARSER.parse(b"try { Get-Service wuauserv ").root_node.has_error


def test_every_section_has_a_script_with_a_source() -> None:
    """Each facts section has a fixed script citing the Microsoft source it reads."""
    for name in SECTIONS:
        text = (SCRIPT_DIR / "sections" / f"{name}.ps1").read_text(encoding="utf-8")
        assert text.startswith("# Source:"), name


def test_scripts_only_read() -> None:
    """No script calls a cmdlet or method that changes the machine."""
    forbidden = [
        "Set-",
        "Remove-",
        "New-Item",
        "Stop-",
        "Start-Service",
        "Restart-",
        "Invoke-WmiMethod",
        "sc config",
        "Clear-",
        "Out-File",
        "Set-Content",
        "reg add",
        "bcdedit",
    ]
    for name, text in SCRIPTS.items():
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        for word in forbidden:
            assert word.lower() not in code.lower(), (name, word)


def test_command_line_fits_and_scripts_travel_on_stdin() -> None:
    """The fixed bootstrap is far below 8191 characters; the bundle itself would not fit."""
    assert command_line_length() < 1000
    encoded = len(base64.b64encode(bundle_script().encode("utf-16-le")))
    assert encoded > CMD_LINE_LIMIT


def test_parameters_are_data_not_code() -> None:
    """Parameters go as one base64 JSON line before the script; the script text is unchanged."""
    payload = stdin_payload(bundle_script(), {"kbs": ["KB5031356"], "x": "'; Remove-Item C:\\ #"})
    first, rest = payload.split(b"\r\n", 1)
    assert json.loads(base64.b64decode(first)) == {"kbs": ["KB5031356"], "x": "'; Remove-Item C:\\ #"}
    assert rest.decode() == bundle_script()
