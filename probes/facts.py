"""What the probe bundle returns: one section per probe, each optional.

The same model validates the `state` of every lab scenario, so the lab answers exactly what a
real machine's bundle would. A section the script could not read is absent, and its error is
in `errors`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ServiceState = Literal["Running", "Stopped", "Missing", "StartPending", "StopPending", "Paused"]
StartType = Literal["Automatic", "Manual", "Disabled", "Boot", "System", "Missing"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClientHealth(_Section):
    ccmexec_status: ServiceState = "Running"
    ccmexec_start_type: StartType = "Automatic"
    wmi_ok: bool = True
    wmi_error: str | None = None
    provisioning_mode: bool = False
    client_version: str | None = None
    site_code: str | None = None


class HttpProbe(_Section):
    url: str | None = None
    status: int | None = None
    error: str | None = None


class ManagementPoint(_Section):
    name: str | None = None
    mplist: HttpProbe = Field(default_factory=HttpProbe)


class LogLines(_Section):
    """Recent lines of one log that match the script's filter (newest last)."""

    path: str | None = None
    lines: list[str] = Field(default_factory=list)


class Assignment(_Section):
    id: str
    name: str
    updates: list[str] = Field(default_factory=list, description="KB articles the assignment targets")


class DeploymentPolicy(_Section):
    assignments: list[Assignment] = Field(default_factory=list)


class UpdateSource(_Section):
    wu_server: str | None = None
    wu_status_server: str | None = None
    use_wu_server: bool | None = None
    alternate_url: str | None = None
    ccm_content_location: str | None = None
    client_asmx: HttpProbe = Field(default_factory=HttpProbe)


class Proxy(_Section):
    winhttp_proxy: str | None = None
    bypass: list[str] = Field(default_factory=list)


class GroupPolicy(_Section):
    wu_server_winning_gpo: str | None = None


class DualScan(_Section):
    defer_quality_updates: int | None = None
    defer_feature_updates: int | None = None
    branch_readiness_level: int | None = None
    disable_dual_scan: int | None = None


class UpdateStatus(_Section):
    article: str
    title: str = ""
    status: Literal["Missing", "Installed", "NotRequired", "Unknown"] = "Missing"


class Updates(_Section):
    last_scan: datetime | None = None
    statuses: list[UpdateStatus] = Field(default_factory=list)


class Cache(_Section):
    size_mb: int = Field(ge=0)
    free_mb: int | None = Field(default=None, ge=0)
    required_content_mb: int | None = Field(default=None, ge=0)


class Disk(_Section):
    drive: str = "C:"
    size_gb: float = Field(gt=0)
    free_gb: float = Field(ge=0)


class ServiceWindow(_Section):
    name: str = ""
    duration_minutes: int = Field(ge=0)


class MaintenanceWindows(_Section):
    max_execution_minutes: int | None = Field(default=None, ge=0)
    windows: list[ServiceWindow] = Field(default_factory=list)


class PendingReboot(_Section):
    cbs_reboot_pending: bool = False
    wu_reboot_required: bool = False
    ccm_reboot_pending: bool = False


class WuaService(_Section):
    status: ServiceState = "Running"
    start_type: StartType = "Manual"
    own_process: bool = False


class Platform(_Section):
    os_caption: str | None = None
    os_version: str | None = None
    architecture: Literal["x86", "x64", "arm64"] | None = None
    wua_version: str | None = None
    installed_kbs: list[str] = Field(default_factory=list)


class Facts(BaseModel):
    """The bundle's JSON document. Section names are the probe names the knowledge entries use."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = 1
    client_health: ClientHealth | None = None
    mp: ManagementPoint | None = None
    ccmmessaging_log: LogLines | None = None
    deployment_policy: DeploymentPolicy | None = None
    update_source: UpdateSource | None = None
    proxy: Proxy | None = None
    gpo: GroupPolicy | None = None
    dual_scan: DualScan | None = None
    update_status: Updates | None = None
    wuahandler_log: LogLines | None = None
    content_location: LogLines | None = None
    cache: Cache | None = None
    disk: Disk | None = None
    maintenance_window: MaintenanceWindows | None = None
    reporting_events: LogLines | None = None
    pending_reboot: PendingReboot | None = None
    wua_service: WuaService | None = None
    platform: Platform | None = None
    windowsupdate_log: LogLines | None = None
    errors: dict[str, str] = Field(default_factory=dict)


SECTIONS: tuple[str, ...] = tuple(n for n in Facts.model_fields if n not in ("schema_version", "errors"))
