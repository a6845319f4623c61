"""The probe scripts: fixed files in `probes/scripts/`, assembled into one bundle or one per section.

Nothing here takes user text. The bundle travels on stdin behind a short fixed bootstrap, so the
~8 KB command-line limit cannot bite, and parameters travel as one line of base64 JSON before it.
"""

from __future__ import annotations

import base64
import functools
import json
from pathlib import Path
from typing import Any

from probes.facts import SECTIONS

SCRIPT_DIR = Path(__file__).with_name("scripts")
CMD_LINE_LIMIT = 8191

# Reads the parameter line, then the script, from stdin and runs the script with the parameters.
BOOTSTRAP = (
    "$in = [Console]::In; $p = $in.ReadLine(); $s = $in.ReadToEnd(); "
    "& ([scriptblock]::Create($s)) -ParamsB64 $p"
)


def _read(relative: str) -> str:
    return (SCRIPT_DIR / relative).read_text(encoding="utf-8")


@functools.cache
def section_script(name: str) -> str:
    if name not in SECTIONS:
        raise KeyError(f"no probe section named {name!r}")
    return _read(f"sections/{name}.ps1")


@functools.cache
def bundle_script() -> str:
    """All sections in one script: one PowerShell start and one round trip per host."""
    body = "\n".join(section_script(name) for name in SECTIONS)
    return f"{_read('header.ps1')}# cmbot-probe: bundle\n{body}\n{_read('footer.ps1')}"


@functools.cache
def single_section_script(name: str) -> str:
    """One section alone (the naive baseline the benchmark compares against)."""
    footer = (
        f"$json = $r.{name} | ConvertTo-Json -Depth 6 -Compress\n"
        "[Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json))\n"
    )
    return f"{_read('header.ps1')}# cmbot-probe: {name}\n{section_script(name)}\n{footer}"


def encoded_command(script: str) -> str:
    return base64.b64encode(script.encode("utf-16-le")).decode("ascii")


def bootstrap_arguments() -> list[str]:
    return [
        "-NoProfile",
        "-NonInteractive",
        "-ExecutionPolicy",
        "Bypass",
        "-EncodedCommand",
        encoded_command(BOOTSTRAP),
    ]


def command_line_length() -> int:
    return len(" ".join(["powershell.exe", *bootstrap_arguments()]))


def stdin_payload(script: str, params: dict[str, Any]) -> bytes:
    """First line: parameters as base64 JSON (data, never code); then the script itself."""
    encoded = base64.b64encode(json.dumps(params, separators=(",", ":")).encode("utf-8")).decode("ascii")
    return f"{encoded}\r\n{script}".encode()
