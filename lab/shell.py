"""What a lab host runs: decode the command line and stdin, answer probes from the scenario state.

Output is encoded in the shell's WINRS_CODEPAGE as Windows does, unencodable characters becoming '?'.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

CMD_MAX = 8191
PROBE_MARKER = re.compile(r"^\s*#\s*cmbot-probe:\s*([a-z0-9_]+)\s*$", re.MULTILINE)
ECHO_STDIN_MARKER = re.compile(r"#\s*cmbot-lab:\s*echo-stdin|\[Console\]::In\.ReadToEnd\(\)", re.IGNORECASE)
_ENCODED = re.compile(r"^powershell(?:\.exe)?\b.*?-e(?:nc(?:odedcommand)?)?\s+([A-Za-z0-9+/=]+)\s*$", re.I)
_WRITE_LITERAL = re.compile(r"""^\s*(?:Write-Output|Write-Host|echo)\s+(['"])(.*)\1\s*;?\s*$""", re.I)
CODEPAGES = {"437": "cp437", "65001": "utf-8", "932": "cp932", "1252": "cp1252"}


@dataclass
class Outcome:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    probe: str | None = None


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


def run(command: Command, *, host: str, state: dict[str, Any], codepage: str | None) -> Outcome:
    """Execute a command as the lab host would, from its command line and the stdin it was sent."""
    if len(command.command_line) > CMD_MAX:
        return Outcome(stderr="The command line is too long.\r\n", exit_code=1)
    stdin_text = bytes(command.stdin).decode(encoding_for(codepage), errors="replace")
    script = _decode_powershell(command.command_line)
    if script is None:
        return _run_cmd(command.command_line, host=host)
    for source in (script, stdin_text):
        if match := PROBE_MARKER.search(source):
            return _answer_probe(match.group(1), state)
    if ECHO_STDIN_MARKER.search(script):
        return Outcome(stdout=stdin_text)
    return _run_powershell(script)


def _answer_probe(name: str, state: dict[str, Any]) -> Outcome:
    if name == "bundle":
        document: Any = state
    elif name in state:
        document = state[name]
    else:
        return Outcome(
            stderr=_clixml_error(f"Probe section '{name}' is not available on this host."),
            exit_code=1,
            probe=name,
        )
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Outcome(stdout=base64.b64encode(payload).decode("ascii") + "\r\n", probe=name)


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
