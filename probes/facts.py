"""What the probe bundle returns: one section per probe, each validated on its own.

The section models carry the keys the scripts write (`probes/scripts/sections/<name>.ps1`), in the
shapes Windows PowerShell 3.0-5.1 and PowerShell 7 really serialise them; the same models validate
every lab scenario, so the lab can only answer what a real machine's bundle could. A section that
could not be read - the script failed, access was denied, it did not start before the time
budget, or its JSON did not fit the model - is absent and its `SectionError` is in `errors`.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

# PowerShell 3.0-5.1 ConvertTo-Json writes a DateTime as "\/Date(ms)\/" (JSON-unescaped: "/Date(ms)/"),
# and one carrying ETS properties as {"value": "/Date(ms)/", "DisplayHint": 2, "DateTime": "..."};
# an array can come wrapped as {"value": [...], "Count": n} (PowerShell-Docs reference/5.1/
# Microsoft.PowerShell.Utility/ConvertTo-Json.md; PowerShell/PowerShell#11126). The scripts emit ISO
# strings themselves; these shapes are still read correctly (defect 1).
_MS_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")
_WRAPPER_KEYS = ({"value", "DisplayHint", "DateTime"}, {"value", "Count"})


def unwrap_powershell(value: Any) -> Any:
    """Undo the PSObject and DateTime shapes of Windows PowerShell's ConvertTo-Json, recursively."""
    if isinstance(value, dict):
        keys = set(value)
        if "value" in keys and any(keys <= allowed for allowed in _WRAPPER_KEYS):
            return unwrap_powershell(value["value"])
        return {k: unwrap_powershell(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_powershell(v) for v in value]
    if isinstance(value, str) and (match := _MS_DATE.match(value)):
        return datetime.fromtimestamp(int(match.group(1)) / 1000, tz=UTC).isoformat()
    return value


def _empty_is_none(value: Any) -> Any:
    return None if value == "" else value


def _as_list(value: Any) -> Any:
    """PowerShell unrolls a one-element array to its element and an empty one to $null."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _as_int(value: Any) -> Any:
    """Registry DWORDs and uint64 sizes arrive as numbers or (from [string] casts) digit strings."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return value


OptStr = Annotated[str | None, BeforeValidator(_empty_is_none)]
OptInt = Annotated[int | None, BeforeValidator(_as_int)]
StrList = Annotated[list[str], BeforeValidator(_as_list)]

# ServiceControllerStatus names
# (learn.microsoft.com/dotnet/api/system.serviceprocess.servicecontrollerstatus),
# plus the scripts' own "Missing". Any other text is kept: only "Running" is healthy.
SERVICE_STATES = ("Running", "Stopped", "StartPending", "StopPending", "ContinuePending", "PausePending")
# Services\<name> Start: 0 boot, 1 system, 2 automatic, 3 manual, 4 disabled (learn.microsoft.com/
# windows-hardware/drivers/install/inf-addservice-directive, StartType).
START_NAMES = {0: "Boot", 1: "System", 2: "Automatic", 3: "Manual", 4: "Disabled"}


def start_name(start: int | None) -> str:
    return "Missing" if start is None else START_NAMES.get(start, f"Start={start}")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HostInfo(_Section):
    """Written by the header: the machine, the KBs asked for, the PowerShell that ran, the clock."""

    computer: OptStr = None
    kbs: StrList = Field(default_factory=list)
    deployments: StrList = Field(default_factory=list)
    ps_version: str | None = None
    language_mode: str | None = None
    now_utc: datetime | None = None
    elevated: bool | None = None


class ClientHealth(_Section):
    ccmexec_status: str = "Running"
    ccmexec_start: OptInt = 2
    wmi_ok: bool = True
    wmi_error: OptStr = None
    provisioning_mode: OptStr = None
    client_version: OptStr = None

    @property
    def in_provisioning_mode(self) -> bool:
        return (self.provisioning_mode or "").strip().lower() == "true"


class HttpProbe(_Section):
    url: OptStr = None
    status: OptInt = None
    error: OptStr = None
    via: Literal["winhttp"] = "winhttp"


class ManagementPoint(_Section):
    name: OptStr = None
    scheme_seen: Literal["http", "https"] | None = None
    mplist: HttpProbe | None = None


class LogLines(_Section):
    """Lines of one log that match the script's filter (failures and successes, newest last)."""

    path: OptStr = None
    exists: bool = True
    lines: StrList = Field(default_factory=list)


class WindowsUpdateLog(LogLines):
    """WindowsUpdate.log is text only before Windows 10 (`applicable`)."""

    applicable: bool = True


class Assignment(_Section):
    id: str
    name: str = ""
    update_ids: StrList = Field(default_factory=list, description="the UpdateId of each AssignedCIs entry")

    @property
    def targeted(self) -> set[str]:
        return {u.strip("{}").lower() for u in self.update_ids}


class DeploymentPolicy(_Section):
    assignments: Annotated[list[Assignment], BeforeValidator(_as_list)] = Field(default_factory=list)


class UpdateSource(_Section):
    wu_server: OptStr = None
    wu_status_server: OptStr = None
    use_wu_server: OptInt = None
    alternate_url: OptStr = None
    ccm_content_location: OptStr = None
    client_asmx: HttpProbe | None = None


class WinHttpProxy(BaseModel):
    proxy: str | None = None
    bypass: list[str] = Field(default_factory=list)


def decode_winhttp_settings(blob: bytes) -> WinHttpProxy:
    """Decode the WinHttpSettings REG_BINARY: DWORD version, counter, flags (2 = a proxy is set), then
    DWORD-length-prefixed proxy and bypass strings (stephannn/WinHttpProxySettings:WinHttpProxySettings/
    WinHttpProxySettingsLibrary/WinHttpProxySettings.cs, after XPlantefeve's decoder)."""
    try:
        _version, _counter, flags = struct.unpack_from("<III", blob, 0)
        offset = 12
        strings = []
        for _ in range(2):
            (length,) = struct.unpack_from("<I", blob, offset)
            offset += 4
            strings.append(blob[offset : offset + length].decode("ascii", errors="replace"))
            offset += length
    except struct.error:
        raise ValueError("WinHttpSettings is shorter than its header") from None
    proxy, bypass = strings
    if not flags & 2 or not proxy:
        return WinHttpProxy()
    return WinHttpProxy(proxy=proxy, bypass=[b.strip() for b in re.split(r"[;\s]+", bypass) if b.strip()])


class Proxy(_Section):
    winhttp_settings: OptStr = Field(default=None, description="base64 of the REG_BINARY value")

    @property
    def winhttp(self) -> WinHttpProxy:
        if not self.winhttp_settings:
            return WinHttpProxy()
        try:
            return decode_winhttp_settings(base64.b64decode(self.winhttp_settings, validate=True))
        except (binascii.Error, ValueError):
            return WinHttpProxy()


class GroupPolicy(_Section):
    wu_server_winning_gpo: OptStr = None
    gpo_id: OptStr = None


class DualScan(_Section):
    defer_quality_updates: OptInt = None
    defer_feature_updates: OptInt = None
    branch_readiness_level: OptInt = None
    disable_dual_scan: OptInt = None
    target_release_version: OptInt = None
    source_quality: OptInt = None
    source_feature: OptInt = None
    source_driver: OptInt = None
    source_other: OptInt = None
    use_update_class_policy_source: OptInt = None


class UpdateStatus(_Section):
    article: str
    unique_id: OptStr = None
    title: str = ""
    status: str = "Missing"


class Updates(_Section):
    last_scan: datetime | None = None
    statuses: Annotated[list[UpdateStatus], BeforeValidator(_as_list)] = Field(default_factory=list)


class SoftwareUpdate(_Section):
    article: str = ""
    update_id: OptStr = None
    evaluation_state: OptInt = None
    error_code: OptInt = None
    max_execution_s: OptInt = None
    override_service_windows: bool = False
    content_kb: OptInt = None

    @property
    def error_hex(self) -> str | None:
        return None if not self.error_code else f"0x{self.error_code & 0xFFFFFFFF:08X}"


class SoftwareUpdates(_Section):
    updates: Annotated[list[SoftwareUpdate], BeforeValidator(_as_list)] = Field(default_factory=list)


class Cache(_Section):
    size_mb: int = Field(ge=0)
    location: OptStr = None


class Disk(_Section):
    drive: str = "C:"
    size_bytes: OptInt = None
    free_bytes: OptInt = None


class ServiceWindow(_Section):
    id: str = ""
    type: int = Field(ge=0)
    start: datetime | None = None
    duration_s: int = Field(ge=0)


class MaintenanceWindows(_Section):
    windows: Annotated[list[ServiceWindow], BeforeValidator(_as_list)] = Field(default_factory=list)


class PendingReboot(_Section):
    cbs_reboot_pending: bool = False
    wu_reboot_required: bool = False
    ccm_reboot_pending: bool = False


class WuaService(_Section):
    status: str = "Running"
    start: OptInt = 3
    service_type: OptInt = None


class Platform(_Section):
    os_caption: OptStr = None
    os_version: OptStr = None
    architecture: OptStr = None
    wua_version: OptStr = None
    installed_kbs: StrList = Field(default_factory=list)

    @property
    def build(self) -> tuple[int, ...]:
        return tuple(int(p) for p in (self.os_version or "").split(".") if p.isdigit())


ErrorKind = Literal["denied", "absent", "timeout", "budget", "script", "schema", "missing"]
ERROR_TEXT: dict[str, str] = {
    "denied": "access denied",
    "absent": "not installed or not configured",
    "timeout": "no answer in time",
    "budget": "not started before the time budget ran out",
    "script": "the script failed",
    "schema": "unexpected output",
    "missing": "no output",
}


class SectionError(BaseModel):
    kind: ErrorKind
    message: str = ""

    def __str__(self) -> str:
        head = ERROR_TEXT[self.kind]
        return f"{head}: {self.message[:200]}" if self.message else head


class Facts(BaseModel):
    """The bundle's sections. Section names are the probe names the knowledge entries use.

    Each section field's one example is that section exactly as its script prints it on a healthy
    Windows 11 x64 client under Windows PowerShell 5.1 (numbers that 5.1 casts with [string] stay strings,
    empty registry values are null, no DateTime reaches ConvertTo-Json); the lab's healthy state starts
    from these (`healthy_sections`), so a new section needs no lab file edit.
    """

    model_config = ConfigDict(extra="forbid")

    schema_version: int = 2
    host: HostInfo | None = None
    client_health: ClientHealth | None = Field(
        default=None,
        examples=[
            {
                "ccmexec_status": "Running",
                "ccmexec_start": 2,
                "wmi_ok": True,
                "wmi_error": None,
                "client_version": "5.00.9128.1007",
                "provisioning_mode": "false",
            }
        ],
    )
    mp: ManagementPoint | None = Field(
        default=None,
        examples=[
            {
                "name": "mp01.contoso.com",
                "scheme_seen": None,
                "mplist": {
                    "url": "http://mp01.contoso.com/sms_mp/.sms_aut?mplist",
                    "status": 200,
                    "error": None,
                    "via": "winhttp",
                },
            }
        ],
    )
    ccmmessaging_log: LogLines | None = Field(
        default=None,
        examples=[{"path": "C:\\Windows\\CCM\\Logs\\CcmMessaging.log", "exists": True, "lines": []}],
    )
    deployment_policy: DeploymentPolicy | None = Field(
        default=None,
        examples=[
            {
                "assignments": [
                    {
                        "id": "{16777245-7A3B-4C5D-9E8F-0A1B2C3D4E5F}",
                        "name": "Windows 11 Cumulative Updates 2026-11 - Required",
                        "update_ids": ["0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"],
                    }
                ]
            }
        ],
    )
    update_source: UpdateSource | None = Field(
        default=None,
        examples=[
            {
                "wu_server": "http://sup01.contoso.com:8530",
                "wu_status_server": "http://sup01.contoso.com:8530",
                "use_wu_server": 1,
                "alternate_url": "http://localhost:8005",
                "ccm_content_location": "http://sup01.contoso.com:8530",
                "client_asmx": {
                    "url": "http://sup01.contoso.com:8530/ClientWebService/client.asmx",
                    "status": 200,
                    "error": None,
                    "via": "winhttp",
                },
            }
        ],
    )
    # WinHttpSettings of "netsh winhttp reset proxy": version 0x28, flags 1 (direct), empty strings.
    proxy: Proxy | None = Field(default=None, examples=[{"winhttp_settings": "KAAAAAEAAAABAAAAAAAAAAAAAAA="}])
    gpo: GroupPolicy | None = Field(
        default=None, examples=[{"wu_server_winning_gpo": "Local Group Policy", "gpo_id": "LocalGPO"}]
    )
    dual_scan: DualScan | None = Field(
        default=None,
        examples=[
            {
                "defer_quality_updates": None,
                "defer_feature_updates": None,
                "branch_readiness_level": None,
                "disable_dual_scan": 1,
                "target_release_version": None,
                "source_quality": None,
                "source_feature": None,
                "source_driver": None,
                "source_other": None,
                "use_update_class_policy_source": None,
            }
        ],
    )
    update_status: Updates | None = Field(
        default=None,
        examples=[
            {
                "last_scan": "2026-11-22T01:15:00.0000000Z",
                "statuses": [
                    {
                        "article": "KB5031356",
                        "unique_id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                        "title": "2026-11 Cumulative Update for Windows 11 (KB5031356)",
                        "status": "Missing",
                    },
                    {
                        "article": "KB5030219",
                        "unique_id": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
                        "title": "2026-10 Cumulative Update for Windows 11 (KB5030219)",
                        "status": "Installed",
                    },
                ],
            }
        ],
    )
    software_updates: SoftwareUpdates | None = Field(
        default=None,
        examples=[
            {
                "updates": [
                    {
                        "article": "5031356",
                        "update_id": "Site_8C0A3B4D-1E2F-4A5B-9C8D-7E6F5A4B3C2D/"
                        "SUM_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                        "evaluation_state": 14,
                        "error_code": "0",
                        "max_execution_s": 3600,
                        "override_service_windows": False,
                        "content_kb": "0",
                    }
                ]
            }
        ],
    )
    wuahandler_log: LogLines | None = Field(
        default=None,
        examples=[
            {
                "path": "C:\\Windows\\CCM\\Logs\\WUAHandler.log",
                "exists": True,
                "lines": [
                    "<![LOG[Async searching completed.]LOG]!>"
                    '<time="10:15:13.000-540" date="11-22-2026" component="WUAHandler" context="" type="1" '
                    'thread="3000" file="cwuahandler.cpp:2889">'
                ],
            }
        ],
    )
    content_location: LogLines | None = Field(
        default=None,
        examples=[
            {"path": "C:\\Windows\\CCM\\Logs\\ContentTransferManager.log", "exists": True, "lines": []}
        ],
    )
    cache: Cache | None = Field(
        default=None, examples=[{"size_mb": 20480, "location": "C:\\Windows\\ccmcache"}]
    )
    disk: Disk | None = Field(
        default=None, examples=[{"drive": "C:", "size_bytes": "255331086336", "free_bytes": "120689012736"}]
    )
    maintenance_window: MaintenanceWindows | None = Field(
        default=None,
        examples=[
            {
                "windows": [
                    {
                        "id": "{A1B2C3D4-0000-1111-2222-333344445555}",
                        "type": 4,
                        "start": "2026-11-22T13:00:00.0000000Z",
                        "duration_s": 14400,
                    }
                ]
            }
        ],
    )
    reporting_events: LogLines | None = Field(
        default=None,
        examples=[
            {"path": "C:\\Windows\\SoftwareDistribution\\ReportingEvents.log", "exists": True, "lines": []}
        ],
    )
    pending_reboot: PendingReboot | None = Field(
        default=None,
        examples=[{"cbs_reboot_pending": False, "wu_reboot_required": False, "ccm_reboot_pending": False}],
    )
    wua_service: WuaService | None = Field(
        default=None, examples=[{"status": "Running", "start": 3, "service_type": 32}]
    )
    platform: Platform | None = Field(
        default=None,
        examples=[
            {
                "os_caption": "Microsoft Windows 11 Enterprise",
                "os_version": "10.0.22631",
                "architecture": "AMD64",
                "wua_version": "1101.2406.24032.0",
                "installed_kbs": [],
            }
        ],
    )
    windowsupdate_log: WindowsUpdateLog | None = Field(
        default=None,
        examples=[
            {"path": "C:\\Windows\\WindowsUpdate.log", "exists": True, "applicable": False, "lines": []}
        ],
    )
    errors: dict[str, SectionError] = Field(default_factory=dict)


@dataclass(frozen=True)
class LogSource:
    """Which log a log section's script reads, and the lines its checks need besides the causes'.

    The filter itself is built from the knowledge base when the bundle is assembled
    (`probes/logfilter.py`): every line an entry or stage pattern for `log` could match passes it.
    """

    file: str
    """The path under `under`; its last part is the log name entries write in `patterns[].log`."""
    under: Literal["ccm_logs", "windir"] = "ccm_logs"
    tail: int = 4000
    """Lines read from the end of the file (`Get-Content -Tail`)."""
    last: int = 40
    """Matching lines kept, newest last (`Select-Object -Last`)."""
    keep: tuple[str, ...] = ()
    """Lines a check reads that no cause's pattern matches (plain text, kept by the filter)."""
    success: str | None = None
    """The plain-text line that supersedes earlier failures in this log (kept by the filter): a failure
    before the last such line is not current (`probes/diagnosis.py` reads only the lines after it)."""

    @property
    def log(self) -> str:
        return self.file.rsplit("\\", 1)[-1]


LOG_SOURCES: dict[str, LogSource] = {
    # Seed article 1: CcmMessaging.log "[CCMHTTP] ERROR: URL=..., Text=<symbol>" lines.
    "ccmmessaging_log": LogSource("CcmMessaging.log"),
    # A later "Async searching completed." (the scan is complete) supersedes earlier scan failures
    # (SupportArticles-docs track-software-update-compliance-assessment.md).
    "wuahandler_log": LogSource("WUAHandler.log", success="Async searching completed"),
    "content_location": LogSource("ContentTransferManager.log"),
    # ReportingEvents.log pairs a failure with its start by update ID to time the run (seed article 1):
    # the start lines match no cause's pattern, so the section keeps them.
    "reporting_events": LogSource(
        "SoftwareDistribution\\ReportingEvents.log",
        "windir",
        keep=("AGENT_INSTALLING_STARTED", "AGENT_INSTALLING_SUCCEEDED"),
    ),
    # Text only before Windows 10 (WindowsUpdateLog `applicable`); verbose, so a longer tail, fewer lines.
    "windowsupdate_log": LogSource("WindowsUpdate.log", "windir", tail=20000, last=20),
}
"""The log sections, by section name (each also a `LogLines` field of Facts)."""


SECTION_MODELS: dict[str, type[BaseModel]] = {
    name: next(
        a
        for a in getattr(field.annotation, "__args__", ())
        if isinstance(a, type) and issubclass(a, BaseModel)
    )
    for name, field in Facts.model_fields.items()
    if name not in ("schema_version", "errors")
}
SECTIONS: tuple[str, ...] = tuple(n for n in SECTION_MODELS if n != "host")
"""The script sections, in bundle order (`host` is written by the header itself)."""


def healthy_sections() -> dict[str, Any]:
    """Every script section's healthy example (the `examples` of its Facts field), by section name."""
    found: dict[str, Any] = {}
    for name in SECTIONS:
        examples = Facts.model_fields[name].examples
        if not examples:
            raise ValueError(
                f"probes/facts.py: field {name}: give the section's healthy output in examples=[...]"
            )
        found[name] = copy.deepcopy(examples[0])
    return found


def schema_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "section"
    return f"{where}: {first['msg']} (got {str(first.get('input'))[:60]!r})"


def build_facts(
    sections: dict[str, Any], errors: dict[str, SectionError] | None = None, *, expected: bool = True
) -> Facts:
    """Validate each section on its own: one bad value costs that section, never the document.

    `expected`: a section absent from the output (and not in `errors`) is recorded as `missing`,
    because every bundle writes every section (or its failure) before `CMBOT-END`.
    """
    errors = dict(errors or {})
    valid: dict[str, Any] = {}
    for name, model in SECTION_MODELS.items():
        if name in sections:
            try:
                valid[name] = model.model_validate(unwrap_powershell(sections[name]))
            except ValidationError as exc:
                errors[name] = SectionError(kind="schema", message=schema_error(exc))
        elif expected and name not in errors and name != "host":
            errors[name] = SectionError(kind="missing")
    unknown = sorted(set(sections) - set(SECTION_MODELS))
    for name in unknown:
        errors[name] = SectionError(kind="schema", message="a section this version does not know")
    return Facts(**valid, errors=errors)
