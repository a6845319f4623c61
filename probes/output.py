"""Read what the bundle printed: marker lines among whatever else the host wrote.

stdout may start with a UTF-8 BOM and carry WARNING or profile lines (defect 6); only lines that
start with a `CMBOT-` marker count. Each section arrives on its own line as it finishes, so output
cut at a deadline still holds every section that ran (docs/PROBES.md "Output protocol").
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from probes.facts import SectionError

BOM = "\ufeff"
_HOST = re.compile(r"^CMBOT-HOST ps=(?P<ps>\S*) lang=(?P<lang>\S*)\s*$")
_SECTION = re.compile(
    r"^CMBOT-(?P<kind>SECTION|FAIL) (?P<name>[a-z0-9_]{1,40}) (?P<data>[A-Za-z0-9+/=]*)\s*$"
)
_CLIXML_STRING = re.compile(r'<S S="Error">(.*?)</S>', re.DOTALL)
_CLIXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")

# CIM NativeErrorCode names (learn.microsoft.com/dotnet/api/microsoft.management.infrastructure.
# nativeerrorcode) and .NET exception types that mean "you may not read this" or "this is not there".
_DENIED_NATIVE = {"AccessDenied"}
_ABSENT_NATIVE = {"InvalidNamespace", "InvalidClass", "NotFound", "NotSupported"}
_DENIED_TYPES = ("UnauthorizedAccessException", "SecurityException")
_TIMEOUT = re.compile(r"timed? ?out|timeout", re.IGNORECASE)
# 0x80070005 E_ACCESSDENIED, 0x80041003 WBEM_E_ACCESS_DENIED (learn.microsoft.com/windows/win32/wmisdk/
# wmi-error-constants); 0x8004100E WBEM_E_INVALID_NAMESPACE, 0x80041010 WBEM_E_INVALID_CLASS.
_DENIED_HRESULT = {-2147024891, -2147217405}
_ABSENT_HRESULT = {-2147217394, -2147217392}


@dataclass
class HostLine:
    ps_version: str
    language_mode: str

    @property
    def major(self) -> int:
        head = self.ps_version.split(".", 1)[0]
        return int(head) if head.isdigit() else 0


@dataclass
class BundleOutput:
    host: HostLine | None = None
    sections: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, SectionError] = field(default_factory=dict)
    finished: bool = False
    other_lines: list[str] = field(default_factory=list)

    @property
    def has_markers(self) -> bool:
        return self.host is not None or bool(self.sections) or bool(self.errors) or self.finished


def decode_stdout(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def classify_failure(failure: dict[str, Any]) -> SectionError:
    """Tell access denied from not installed from a timeout, from the exception the script caught."""
    exception = str(failure.get("exception") or "")
    native = str(failure.get("native") or "")
    message = str(failure.get("message") or "").strip()
    try:
        hresult = int(str(failure.get("hresult") or "0"))
    except ValueError:
        hresult = 0
    if exception == "cmbot.Budget":
        return SectionError(kind="budget", message=message)
    if native in _DENIED_NATIVE or exception.endswith(_DENIED_TYPES) or hresult in _DENIED_HRESULT:
        return SectionError(kind="denied", message=message)
    if native in _ABSENT_NATIVE or hresult in _ABSENT_HRESULT:
        return SectionError(kind="absent", message=message)
    if _TIMEOUT.search(message) or exception.endswith("TimeoutException"):
        return SectionError(kind="timeout", message=message)
    return SectionError(kind="script", message=message)


def _payload(data: str) -> Any:
    return json.loads(base64.b64decode(data, validate=True).decode("utf-8"))


def parse_output(text: str) -> BundleOutput:
    """Collect the marker lines; anything else (a BOM, WARNING lines, a banner) is kept aside."""
    out = BundleOutput()
    for raw in text.splitlines():
        line = raw.replace(BOM, "").strip()
        if not line:
            continue
        if line == "CMBOT-END":
            out.finished = True
        elif match := _HOST.match(line):
            out.host = HostLine(match["ps"], match["lang"])
        elif match := _SECTION.match(line):
            name = match["name"]
            try:
                value = _payload(match["data"])
            except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):  # V6: deep JSON
                out.errors[name] = SectionError(
                    kind="schema", message="the section's line was cut or garbled"
                )
                continue
            if match["kind"] == "SECTION":
                out.sections[name] = value
            else:
                out.errors[name] = classify_failure(value if isinstance(value, dict) else {})
        else:
            out.other_lines.append(line[:300])
    return out


def decode_clixml(stderr: str) -> str:
    """The error text of a `#< CLIXML` stderr stream, or the text itself when it is plain."""
    if not stderr.lstrip().startswith("#< CLIXML"):
        return stderr.strip()
    parts = [
        _CLIXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), s) for s in _CLIXML_STRING.findall(stderr)
    ]
    return html.unescape("".join(parts)).strip()
