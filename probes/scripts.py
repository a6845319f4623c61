"""The probe scripts: fixed files in `probes/scripts/`, assembled into one bundle or one per section.

Nothing here takes user text. The bundle travels on stdin behind a short fixed bootstrap, so the
~8 KB command-line limit cannot bite, and parameters travel as one line of base64 JSON before it.
The bootstrap first prints a `CMBOT-HOST` line and stops on PowerShell < 3.0 or a language mode
other than FullLanguage, using only what both allow (docs/PROBES.md "PowerShell versions").
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from knowledge.loader import KnowledgeBase, load_entries
from knowledge.stages import builtin_stages
from probes.facts import SECTIONS
from probes.logfilter import encode_filters, log_filters

SCRIPT_DIR = Path(__file__).with_name("scripts")
CMD_LINE_LIMIT = 8191
MIN_POWERSHELL = 3

# `$PSVersionTable` exists from 2.0, and property reads, string concatenation and `exit` work in
# Constrained Language Mode; `[Console]` and `[scriptblock]::Create` do not, so they come after the
# guard (PowerShell-Docs about_Language_Modes.md; wmf-overview.md for the in-box versions).
HOST_GUARD = (
    "$v = $PSVersionTable.PSVersion; $m = [string]$ExecutionContext.SessionState.LanguageMode; "
    "'CMBOT-HOST ps=' + $v + ' lang=' + $m; "
    f"$ok = ($v.Major -ge {MIN_POWERSHELL}) -and ($m -eq 'FullLanguage')"
)
BOOTSTRAP = (
    f"{HOST_GUARD}; if (-not $ok) {{ exit 0 }}; "
    "$in = [Console]::In; $p = $in.ReadLine(); $s = $in.ReadToEnd(); "
    "& ([scriptblock]::Create($s)) -Parameters $p"
)


def _read(relative: str) -> str:
    return (SCRIPT_DIR / relative).read_text(encoding="utf-8")


@functools.cache
def section_script(name: str) -> str:
    if name not in SECTIONS:
        raise KeyError(f"no probe section named {name!r}")
    return _read(f"sections/{name}.ps1")


def _guarded(name: str) -> str:
    """A section that starts only while the time budget lasts, and says so when it does not."""
    return f"if (Test-Budget) {{\n{section_script(name)}}} else {{ Out-Skipped '{name}' }}\n"


def log_sources_line(kb: KnowledgeBase) -> str:
    """`$LogSources`: each log section's file and filter, built from `kb` (fixed repo data, no user text),
    as base64 JSON in a single-quoted literal (probes/logfilter.py encode_filters says why that is safe)."""
    blob = encode_filters(log_filters(kb, builtin_stages()))
    return (
        "# Each log section's file and filter, built from the knowledge base (probes/logfilter.py).\n"
        "$LogSources = ConvertFrom-Json "
        f"([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('{blob}')))\n"
    )


@functools.cache
def _filters_for(kb_dirs: tuple[Path, ...]) -> str:
    return log_sources_line(load_entries(kb_dirs))


def _head(kb: KnowledgeBase | None, kb_dirs: Sequence[Path] = ()) -> str:
    sources = log_sources_line(kb) if kb is not None else _filters_for(tuple(kb_dirs))
    return _read("header.ps1") + sources


def bundle_script(kb: KnowledgeBase | None = None, kb_dirs: Sequence[Path] = ()) -> str:
    """All sections in one script: one PowerShell start and one round trip per host.

    The log filters come from `kb` (default: the built-in entries plus those in `kb_dirs`, the
    settings' CMBOT_KB_PATH).
    """
    body = "".join(_guarded(name) for name in SECTIONS)
    return f"{_head(kb, kb_dirs)}# cmbot-probe: bundle\n{body}{_read('footer.ps1')}"


def single_section_script(name: str) -> str:
    """One section alone (the naive baseline the benchmark compares against)."""
    return f"{_head(None)}# cmbot-probe: {name}\n{_guarded(name)}{_read('footer.ps1')}"


def encode_params(params: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(params, separators=(",", ":")).encode("utf-8")).decode("ascii")


def standalone_script(params: dict[str, Any]) -> str:
    """The bundle as one script an engineer runs on the client (or pushes with Run Scripts).

    It prints the same lines the live check reads; its parameters are base64 JSON data, so no
    user text becomes script text. It never calls `exit`, so pasting it into a console is safe.
    """
    bundle = bundle_script()
    return (
        "# cmbot collect: read-only ConfigMgr software-update checks. Run in an elevated Windows\n"
        "# PowerShell on the client; paste or upload the whole output (cmbot explain --file, /cmerr).\n"
        f"{HOST_GUARD}\n"
        f"$cmbotChecks = {{\n{bundle}}}\n"
        f"if ($ok) {{ & $cmbotChecks -Parameters '{encode_params(params)}' }}\n"
    )


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
    return f"{encode_params(params)}\r\n{script}".encode()
