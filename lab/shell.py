"""What a lab host runs: decode the command line and stdin, answer probes from the scenario state.

A probe is answered line by line as the bundle prints it (`probes/output.py`): the bootstrap's
`CMBOT-HOST` line first - and nothing more on PowerShell < 3.0 or outside FullLanguage, where the
bootstrap stops - then one line per section in script order, and `CMBOT-END`. Output is encoded in
the shell's WINRS_CODEPAGE as Windows does, unencodable characters becoming '?'.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from probes.facts import SECTIONS
from probes.logfilter import decode_filters
from probes.scripts import MIN_POWERSHELL

if TYPE_CHECKING:
    from lab.scenario import Scenario

CMD_MAX = 8191
PROBE_MARKER = re.compile(r"^\s*#\s*cmbot-probe:\s*([a-z0-9_]+)\s*$", re.MULTILINE)
ECHO_STDIN_MARKER = re.compile(r"#\s*cmbot-lab:\s*echo-stdin|\[Console\]::In\.ReadToEnd\(\)", re.IGNORECASE)
_ENCODED = re.compile(r"^powershell(?:\.exe)?\b.*?-e(?:nc(?:odedcommand)?)?\s+([A-Za-z0-9+/=]+)\s*$", re.I)
_WRITE_LITERAL = re.compile(r"""^\s*(?:Write-Output|Write-Host|echo)\s+(['"])(.*)\1\s*;?\s*$""", re.I)
# The bundle's `$LogSources` line (probes/scripts.py log_sources_line): the lab reads the filters from the
# script it was sent, as PowerShell does, so it keeps exactly the log lines that script would.
_LOG_SOURCES = re.compile(r"\$LogSources = ConvertFrom-Json .*?FromBase64String\('([A-Za-z0-9+/=]*)'\)")
CODEPAGES = {"437": "cp437", "65001": "utf-8", "932": "cp932", "1252": "cp1252"}


@dataclass
class Outcome:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    probe: str | None = None
    stall: bool = False
    """The output so far is sent, then the command never ends (a hung WMI provider)."""


@dataclass
class Command:
    command_line: str
    stdin: bytearray = field(default_factory=bytearray)
    stdin_done: bool = False
    started: bool = False
    timeouts_sent: int = 0
    pending: list[tuple[str, bytes]] = field(default_factory=list)
    exit_code: int = 0
    probe: str | None = None
    stall: bool = False


def encoding_for(codepage: str | None) -> str:
    return CODEPAGES.get((codepage or "437").strip(), "cp437")


def encode_output(text: str, codepage: str | None) -> bytes:
    return text.encode(encoding_for(codepage), errors="replace")


def _clixml_error(message: str) -> str:
    safe = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        "#< CLIXML\r\n"
        '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
        f'<S S="Error">{safe}_x000D__x000A_</S></Objs>'
    )


def _decode_powershell(command_line: str) -> str | None:
    match = _ENCODED.match(command_line.strip())
    if not match:
        return None
    try:
        return base64.b64decode(match.group(1), validate=True).decode("utf-16-le", errors="replace")
    except (binascii.Error, ValueError):
        return None


def run(command: Command, *, host: str, scenario: Scenario, codepage: str | None) -> Outcome:
    """Execute a command as the lab host would, from its command line and the stdin it was sent."""
    if len(command.command_line) > CMD_MAX:
        return Outcome(stderr="The command line is too long.\r\n", exit_code=1)
    stdin_text = bytes(command.stdin).decode(encoding_for(codepage), errors="replace")
    script = _decode_powershell(command.command_line)
    if script is None:
        return _run_cmd(command.command_line, host=host)
    for source in (script, stdin_text):
        if match := PROBE_MARKER.search(source):
            return answer_probe(match.group(1), scenario, _params(stdin_text), _log_sources(source))
    if ECHO_STDIN_MARKER.search(script):
        return Outcome(stdout=stdin_text)
    return _run_powershell(script)


def _line(kind: str, name: str, value: Any) -> str:
    payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return f"{kind} {name} {base64.b64encode(payload).decode('ascii')}\r\n"


_PARAMS_ARG = re.compile(r"-Parameters '([A-Za-z0-9+/=]*)'")


def _params(stdin_text: str) -> dict[str, Any]:
    """The bundle's parameters: the first stdin line (live check) or the collect script's -Parameters."""
    first = stdin_text.split("\n", 1)[0].strip()
    match = _PARAMS_ARG.search(stdin_text)
    for candidate in (first, match.group(1) if match else ""):
        try:
            value = json.loads(base64.b64decode(candidate, validate=True))
        except (binascii.Error, ValueError):
            continue
        if isinstance(value, dict):
            return value
    return {}


def _log_sources(script: str) -> dict[str, dict[str, Any]] | None:
    match = _LOG_SOURCES.search(script)
    if match is None:
        return None
    try:
        return decode_filters(match.group(1))
    except (binascii.Error, ValueError):
        return None


def answer_probe(
    name: str,
    scenario: Scenario,
    params: dict[str, Any] | None = None,
    log_sources: dict[str, dict[str, Any]] | None = None,
) -> Outcome:
    """Print what the bundle (or one section's script) prints on this host's PowerShell.

    `log_sources`: the log filters the script carries; each log section keeps what they pass.
    """
    ps = scenario.powershell
    if ps.crash and ps.die_before is None:
        return Outcome(stderr=_clixml_error(ps.crash), exit_code=1, probe=name)
    head = "\ufeff" if ps.stdout_bom else ""
    head += "".join(f"{line}\r\n" for line in ps.warning_lines)
    head += f"CMBOT-HOST ps={ps.version} lang={ps.language_mode}\r\n"
    if int(ps.version.split(".")[0]) < MIN_POWERSHELL or ps.language_mode != "FullLanguage":
        return Outcome(stdout=head, probe=name)
    if name != "bundle" and name not in SECTIONS:
        return Outcome(
            stdout=head, stderr=_clixml_error(f"no probe section {name!r}"), exit_code=1, probe=name
        )
    sections, failures = scenario.emitted(log_sources), scenario.failures
    out = [head]
    host = {"computer": scenario.name.upper(), **sections.get("host", {})}
    host.update(ps_version=ps.version, language_mode=ps.language_mode)
    for key in ("kbs", "deployments"):
        host[key] = [str(v) for v in (params or {}).get(key) or []]
    out.append(_line("CMBOT-SECTION", "host", host))
    for section in SECTIONS if name == "bundle" else (name,):
        if section == ps.stall_before:
            return Outcome(stdout="".join(out), probe=name, stall=True)
        if section == ps.die_before:
            error = _clixml_error(ps.crash or f"the bundle stopped before {section}")
            return Outcome(stdout="".join(out), stderr=error, exit_code=1, probe=name)
        if section in failures:
            out.append(_line("CMBOT-FAIL", section, failures[section].model_dump()))
        elif section in sections:
            out.append(_line("CMBOT-SECTION", section, sections[section]))
    out.append("CMBOT-END\r\n")
    return Outcome(stdout="".join(out), probe=name)


def _run_cmd(command_line: str, *, host: str) -> Outcome:
    words = command_line.strip().split(None, 1)
    verb = words[0].lower() if words else ""
    rest = words[1] if len(words) > 1 else ""
    if verb == "echo":
        return Outcome(stdout=f"{rest}\r\n")
    if verb == "hostname":
        return Outcome(stdout=f"{host.upper()}\r\n")
    if verb == "ipconfig":
        return Outcome(
            stdout="\r\nWindows IP Configuration\r\n\r\nEthernet adapter Ethernet:\r\n\r\n"
            "   IPv4 Address. . . . . . . . . . . : 127.0.0.1\r\n"
        )
    if verb == "exit":
        return Outcome(exit_code=int(rest) if rest.strip().isdigit() else 0)
    return Outcome(
        stderr=f"'{verb}' is not recognized as an internal or external command,\r\n"
        "operable program or batch file.\r\n",
        exit_code=1,
    )


def _run_powershell(script: str) -> Outcome:
    lines = [line for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]
    out: list[str] = []
    for line in lines:
        if line.strip().startswith("$ProgressPreference"):
            continue
        match = _WRITE_LITERAL.match(line)
        if match is None:
            word = line.strip().split()[0]
            return Outcome(
                stdout="".join(out),
                stderr=_clixml_error(
                    f"{word} : The term '{word}' is not recognized as the name of a cmdlet, function, "
                    "script file, or operable program."
                ),
                exit_code=1,
            )
        out.append(match.group(2) + "\r\n")
    return Outcome(stdout="".join(out))
