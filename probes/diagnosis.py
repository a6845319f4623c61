"""Diagnosis: facts → a checklist and ranked findings, walking the chain an expert walks.

client health → management point → deployment policy → update source → scan → content →
cache → maintenance window → install. Each rule reads the facts alone (no I/O) and names a cause
ID; remedy wording comes from the knowledge entry of that ID. The first broken link ranks first.
Each check declares the sections it `requires`: when one could not be read, the check shows
"could not read: <reason>" instead of running on missing data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from knowledge.explain import explain, render_remedy
from knowledge.findings import Evidence, Finding, Lang
from knowledge.loader import load_entries
from probes.facts import Facts, LogLines, ServiceWindow, SoftwareUpdate, start_name
from probes.loglines import current_failures, line_time
from probes.report import CheckItem, CheckStatus

DISK_MIN_FREE_GB = 10.0
DISK_MIN_FREE_RATIO = 0.10
GIB = 1024**3
WUA_FIX_KBS = ("KB3050265", "KB3065987", "KB3075851", "KB3083324", "KB3083710", "KB3102810", "KB3112343")
# ConfigMgr error codes (knowledge/codes/hresult.tsv): the cache is smaller than the content; the
# update exceeded its maximum run time.
CACHE_TOO_SMALL = 0x87D01201
MAX_RUNTIME_EXCEEDED = 0x87D0070C
# CCM_ServiceWindow.Type: 1 all deployments, 4 software updates
# (memdocs ccm_servicewindow-client-wmi-class.md).
WINDOW_ALL, WINDOW_UPDATES = 1, 4
WIN10_2004_BUILD = 19041
CCM_SECTIONS = (
    "mp",
    "deployment_policy",
    "update_source",
    "update_status",
    "software_updates",
    "cache",
    "maintenance_window",
    "pending_reboot",
)
"""The sections that read root\\ccm: a CIM timeout there is the hung-provider symptom of a broken client
(ConfigMgr Client Health repairs a client whose root/ccm does not answer)."""


@dataclass
class Outcome:
    """What one rule concluded: its checklist line and, when broken, the evidence for its cause."""

    status: CheckStatus
    detail: str
    cause: str | None = None
    evidence: list[str] = field(default_factory=list)
    confidence: float = 0.9
    log_findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    kbs: tuple[str, ...] = ()
    deployments: tuple[str, ...] = ()
    lang: Lang = "en"
    kb_dirs: tuple[Path, ...] = ()


Rule = Callable[[Facts, Context], Outcome | None]


@dataclass(frozen=True)
class Check:
    name: str
    stage: int
    rule: Rule
    requires: tuple[str, ...] = ()


def _now(f: Facts) -> datetime | None:
    return f.host.now_utc if f.host else None


def _recent(f: Facts, lines: LogLines | None, failure: str, success: str | None = None) -> list[str]:
    if lines is None:
        return []
    ok = re.compile(success, re.IGNORECASE) if success else None
    return current_failures(lines.lines, failure=re.compile(failure, re.IGNORECASE), success=ok, now=_now(f))


def _access(f: Facts, _: Context) -> Outcome | None:
    # Remote UAC filtering gives non-RID-500 local admins and other-domain admins a standard-user token
    # over WinRM (PowerShell-Docs about_Remote_Troubleshooting.md, LocalAccountTokenFilterPolicy).
    denied = sorted(name for name, e in f.errors.items() if e.kind == "denied")
    if denied:
        return Outcome(
            "fail",
            f"access denied to {', '.join(denied)}: the WinRM account needs an elevated administrator token",
            evidence=[f"{name}: {f.errors[name]}" for name in denied],
        )
    if f.host and f.host.elevated is False:
        return Outcome("warn", "the WinRM account is not an elevated administrator; some reads may be empty")
    return None


def _client_health(f: Facts, _: Context) -> Outcome | None:
    h = f.client_health
    assert h is not None
    problems = []
    if h.ccmexec_status != "Running":
        problems.append(f"CcmExec service is {h.ccmexec_status}")
    if h.ccmexec_start == 4:
        problems.append("CcmExec is disabled")
    if not h.wmi_ok:
        problems.append(f"root\\ccm does not answer ({h.wmi_error or 'WMI error'})")
    if h.in_provisioning_mode:
        problems.append("the client is in provisioning mode")
    hung = [s for s in CCM_SECTIONS if (e := f.errors.get(s)) is not None and e.kind == "timeout"]
    if hung:
        problems.append(
            f"root\\ccm does not answer within the CIM timeout ({', '.join(hung)}): a hung WMI provider"
        )
    if problems:
        return Outcome("fail", "; ".join(problems), "client-unhealthy", problems)
    return Outcome("ok", f"CcmExec running, client {h.client_version or 'version unknown'}")


def _management_point(f: Facts, ctx: Context) -> Outcome | None:
    mp = f.mp
    assert mp is not None
    if not mp.name:
        return Outcome(
            "fail",
            "no management point assigned (SMS_Authority.CurrentManagementPoint is empty): "
            "check site assignment and LocationServices.log",
            evidence=["SMS_Authority.CurrentManagementPoint: empty"],
        )
    if mp.mplist is None:
        return Outcome("skipped", f"{mp.name}: a cloud management gateway path; the MP list is not tested")
    status = mp.mplist.status
    if status == 200:
        return Outcome("ok", f"{mp.name}: MP list answered 200 ({mp.mplist.url})")
    recent = _recent(f, f.ccmmessaging_log, r"\[CCMHTTP\] ERROR")
    logs = _log_findings(recent, f.ccmmessaging_log, ctx, {"mp-unreachable"})
    evidence = [
        f"GET {mp.mplist.url} (WinHTTP) → {status if status is not None else mp.mplist.error or 'no answer'}"
    ]
    detail = f"{mp.name}: MP list " + (f"HTTP {status}" if status else "unreachable")
    return Outcome("fail", detail, "mp-unreachable", evidence, 0.95, logs)


def _status_by_id(f: Facts) -> dict[str, str]:
    """CCM_UpdateStatus UniqueId → KB article, to read the KBs an assignment's CIs stand for."""
    if f.update_status is None:
        return {}
    return {s.unique_id.lower(): s.article.upper() for s in f.update_status.statuses if s.unique_id}


def _deployment_policy(f: Facts, ctx: Context) -> Outcome | None:
    d = f.deployment_policy
    assert d is not None
    if not d.assignments:
        return Outcome(
            "fail",
            "no software-update assignment (CCM_UpdateCIAssignment) on the client",
            "not-targeted",
            ["CCM_UpdateCIAssignment: 0 instances"],
        )
    ids = {a.id.strip("{}").lower() for a in d.assignments}
    absent = [dep for dep in ctx.deployments if dep.strip("{}").lower() not in ids]
    if absent:
        return Outcome(
            "fail",
            f"deployment {', '.join(absent)} has no assignment on the client (not in its collection?)",
            "not-targeted",
            [f"assignments: {', '.join(a.id for a in d.assignments)}"],
        )
    kb_of = _status_by_id(f)
    targeted = {kb_of[u] for a in d.assignments for u in a.targeted if u in kb_of}
    # CCM_SoftwareUpdate lists only deployed, applicable, not-installed updates (memdocs
    # ccm_softwareupdate-client-wmi-class.md), so its articles are targeted too.
    targeted |= {f"KB{u.article}".upper() for u in _updates(f) if u.article}
    installed = {
        s.article.upper()
        for s in (f.update_status.statuses if f.update_status else [])
        if s.status == "Installed"
    }
    missing = [kb for kb in ctx.kbs if kb not in targeted and kb not in installed]
    if missing:
        return Outcome(
            "fail",
            f"no assignment targets {', '.join(missing)}",
            "not-targeted",
            [f"assignments: {', '.join(a.name or a.id for a in d.assignments)}"],
            0.8,
        )
    return Outcome(
        "ok", f"{len(d.assignments)} update assignment(s), {len(targeted)} targeted update(s) known"
    )


def _server_key(url: str | None) -> str:
    """scheme://host:port of an update-server URL, lower-case, for comparing two spellings."""
    text = (url or "").strip().lower().rstrip("/")
    match = re.match(r"^(https?)://([^/:]+)(?::(\d+))?", text)
    if not match:
        return text
    scheme, host, port = match.groups()
    return f"{scheme}://{host}:{port or ('443' if scheme == 'https' else '80')}"


def _gpo(f: Facts, ctx: Context) -> Outcome | None:
    u = f.update_source
    assert u is not None
    winner = f.gpo.wu_server_winning_gpo if f.gpo else None
    named = f" (winning GPO '{winner}')" if winner else ""
    overwritten = _recent(f, f.wuahandler_log, "overwritten by a higher authority")
    if (
        u.wu_server
        and u.ccm_content_location
        and _server_key(u.wu_server) != _server_key(u.ccm_content_location)
    ):
        # A domain GPO that sets the same server and port is supported (SupportArticles-docs
        # troubleshoot-software-update-scan-failures.md, "Group Policy overrides ..."): only a mismatch is.
        return Outcome(
            "fail",
            f"WUServer {u.wu_server} differs from ConfigMgr's update source {u.ccm_content_location}{named}",
            "sup-gpo-override",
            [f"WUServer = {u.wu_server}", f"CCM_UpdateSource.ContentLocation = {u.ccm_content_location}"]
            + ([f"winning GPO: {winner}"] if winner else []),
            0.95,
            _log_findings(overwritten, f.wuahandler_log, ctx, {"sup-gpo-override"}),
        )
    if overwritten:
        return Outcome(
            "fail",
            f"WUAHandler.log: policy overwritten by a higher authority{named}",
            "sup-gpo-override",
            [f"winning GPO: {winner}"] if winner else [],
            0.85,
            _log_findings(overwritten, f.wuahandler_log, ctx, {"sup-gpo-override"}),
        )
    if not u.ccm_content_location:
        return Outcome("skipped", "ConfigMgr's update source (CCM_UpdateSource) is empty; nothing to compare")
    return Outcome("ok", f"WUServer matches the ConfigMgr update source{named}")


def _update_source(f: Facts, ctx: Context) -> Outcome | None:
    u = f.update_source
    assert u is not None
    if not u.wu_server or u.client_asmx is None:
        return Outcome(
            "fail",
            "no update-source policy (WUServer is not set): check the software updates client setting, "
            "ScanAgent.log and the SUP's boundary group",
            evidence=["HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate WUServer: not set"],
        )
    status = u.client_asmx.status
    if status == 503:
        return None  # the scan rule names the 503 with its log evidence
    proxy = f.proxy.winhttp if f.proxy else None
    via = "WinHTTP direct"
    if proxy and proxy.proxy:
        via = f"WinHTTP proxy {proxy.proxy}" + (
            " (bypassed for the SUP)" if _bypassed(u.wu_server, proxy.bypass) else ""
        )
    if status == 200:
        return Outcome("ok", f"{u.wu_server}: client.asmx answered 200 via {via} (tested as the WinRM user)")
    evidence = [f"GET {u.client_asmx.url} via {via} → {status or u.client_asmx.error or 'no answer'}"]
    recent = _recent(
        f, f.wuahandler_log, r"Failed to end search job|Scan failed", r"Async searching completed"
    )
    return Outcome(
        "fail",
        f"{u.wu_server}: client.asmx not reachable",
        "sup-unreachable",
        evidence,
        log_findings=_log_findings(recent, f.wuahandler_log, ctx, {"sup-unreachable"}),
    )


def _wua_service(f: Facts, _: Context) -> Outcome | None:
    w = f.wua_service
    assert w is not None
    start = start_name(w.start)
    if w.start == 4:
        return Outcome(
            "fail", "wuauserv is disabled", "wua-service-disabled", [f"wuauserv Start = 4 ({start})"]
        )
    own = ", own svchost" if w.service_type == 16 else ""
    return Outcome("ok", f"wuauserv {w.status.lower()}, {start.lower()}{own}")


def _dual_scan(f: Facts, _: Context) -> Outcome | None:
    d, u, p = f.dual_scan, f.update_source, f.platform
    assert d is not None
    deferrals = {
        "DeferQualityUpdates": d.defer_quality_updates,
        "DeferFeatureUpdates": d.defer_feature_updates,
        "BranchReadinessLevel": d.branch_readiness_level,
        "TargetReleaseVersion": d.target_release_version,
    }
    set_values = [f"{k} = {v}" for k, v in deferrals.items() if v]
    if not set_values or (u is not None and u.use_wu_server != 1):
        return Outcome("ok", "no dual scan")
    build = p.build if p else ()
    if len(build) >= 3 and build[0] == 10 and build[2] >= WIN10_2004_BUILD:
        # Windows 10 2004+ and 11: with WSUS and deferrals, every update class whose scan-source policy
        # is not 0 (WSUS) comes from Windows Update; DisableDualScan is not supported on Windows 11
        # (MicrosoftDocs/windows-itpro-docs windows/deployment/update/wufb-wsus.md).
        sources = {
            "Quality": d.source_quality,
            "Feature": d.source_feature,
            "Driver": d.source_driver,
            "Other": d.source_other,
        }
        from_wu = [name for name, value in sources.items() if value != 0]
        if not from_wu:
            return Outcome("ok", "scan source policies send every update class to WSUS")
        return Outcome(
            "fail",
            f"deferral policies with WSUS: {', '.join(from_wu)} updates scan against Windows Update",
            "dual-scan",
            [*set_values, *(f"SetPolicyDrivenUpdateSourceFor{n}Updates = {sources[n]}" for n in from_wu)],
            0.85,
        )
    if d.disable_dual_scan != 1:
        return Outcome(
            "fail",
            "WUfB deferral policies with UseWUServer=1 and DisableDualScan not 1",
            "dual-scan",
            [*set_values, f"DisableDualScan = {d.disable_dual_scan}"],
            0.85,
        )
    return Outcome("ok", "no dual scan (DisableDualScan = 1)")


_SCAN_FAILURE = r"Failed to end search job|Scan failed"
_SCAN_SUCCESS = r"Async searching completed"


def _scan(f: Facts, ctx: Context) -> Outcome | None:
    causes = {"sup-scan-timeout", "sup-service-unavailable", "wsus-too-old-for-wua", "sup-unreachable"}
    recent = _recent(f, f.wuahandler_log, _SCAN_FAILURE, _SCAN_SUCCESS)
    found = _log_findings(recent, f.wuahandler_log, ctx, causes)
    if (
        f.update_source
        and f.update_source.client_asmx
        and f.update_source.client_asmx.status == 503
        and not any(x.id == "sup-service-unavailable" for x in found)
    ):
        return Outcome(
            "fail",
            "the SUP answers HTTP 503",
            "sup-service-unavailable",
            [f"GET {f.update_source.client_asmx.url} → 503"],
        )
    if found:
        top = found[0]
        return Outcome("fail", f"scan errors in WUAHandler.log ({top.id})", top.id, [], top.confidence, found)
    logs = f.wuahandler_log
    if logs is not None and not logs.exists:
        return Outcome("warn", "WUAHandler.log does not exist: the software updates agent has not run")
    return Outcome("ok", "no recent scan errors in WUAHandler.log")


def _scan_memory(f: Facts, ctx: Context) -> Outcome | None:
    logs = f.windowsupdate_log
    assert logs is not None
    if not logs.applicable:
        return Outcome("skipped", "not applicable: WindowsUpdate.log is an ETW stub on Windows 10 and later")
    recent = _recent(f, logs, r"GetUpdateMetadata2 failed|0x800B0001|8007000E")
    found = _log_findings(recent, logs, ctx, {"wua-scan-out-of-memory", "wsus-too-old-for-wua"})
    p = f.platform
    if found:
        top = found[0]
        extra = []
        if p is not None and top.id == "wua-scan-out-of-memory":
            extra.append(f"{p.os_caption or 'Windows'} {p.architecture or ''}".strip())
            extra.append(f"Windows Update Agent (wuaueng.dll) {p.wua_version or 'version unknown'}")
            fixes = [kb for kb in WUA_FIX_KBS if kb in p.installed_kbs]
            if fixes:
                extra.append("2015 WUA fix listed: " + ", ".join(fixes))
        return Outcome("fail", f"{top.id} in WindowsUpdate.log", top.id, extra, top.confidence, found)
    return Outcome("ok", "no recent scan memory errors in WindowsUpdate.log")


def _update_status(f: Facts, ctx: Context) -> Outcome | None:
    u, d = f.update_status, f.deployment_policy
    assert u is not None
    store_ids = {s.unique_id.lower() for s in u.statuses if s.unique_id}
    known = {s.article.upper(): s for s in u.statuses}
    undetected = [kb for kb in ctx.kbs if kb not in known]
    if not ctx.kbs and d is not None:
        undetected = sorted({uid for a in d.assignments for uid in a.targeted if uid not in store_ids})
    if undetected:
        return Outcome(
            "fail",
            f"{', '.join(undetected[:5])} not in CCM_UpdateStatus (the scan did not report it)",
            "update-not-detected",
            [f"last scan {u.last_scan:%Y-%m-%d %H:%M} UTC" if u.last_scan else "never scanned"],
            0.8,
        )
    states = ", ".join(f"{kb} {known[kb].status}" for kb in ctx.kbs)
    return Outcome("ok", states or f"{len(u.statuses)} updates in the store")


def _content(f: Facts, ctx: Context) -> Outcome | None:
    recent = _recent(f, f.content_location, "empty location update")
    found = _log_findings(recent, f.content_location, ctx, {"content-location-empty"})
    if found:
        return Outcome(
            "fail",
            "empty content location for a CTM job",
            "content-location-empty",
            [],
            found[0].confidence,
            found,
        )
    return Outcome("ok", "content locations received")


def _updates(f: Facts) -> list[SoftwareUpdate]:
    return f.software_updates.updates if f.software_updates else []


def _cache(f: Facts, _: Context) -> Outcome | None:
    c = f.cache
    assert c is not None
    failed = [
        u for u in _updates(f) if u.error_code is not None and u.error_code & 0xFFFFFFFF == CACHE_TOO_SMALL
    ]
    lines = _recent(f, f.content_location, "0x87d01201")
    if failed or lines:
        # The update's own error (CCM_SoftwareUpdate.ErrorCode) names the cause; ContentSize is empty
        # until the content is downloaded (memdocs ccm_softwareupdate-client-wmi-class.md; defect 10).
        evidence = [f"ccmcache maximum {c.size_mb} MB" + (f" at {c.location}" if c.location else "")]
        evidence += [
            f"KB{u.article}: ErrorCode 0x87D01201 (the cache is smaller than the content)" for u in failed
        ]
        evidence += lines[-2:]
        return Outcome("fail", f"content larger than the {c.size_mb} MB cache", "cache-too-small", evidence)
    unread = " (update errors not read)" if f.software_updates is None else ""
    return Outcome("ok", f"cache {c.size_mb} MB{unread}")


def _disk(f: Facts, _: Context) -> Outcome | None:
    d = f.disk
    assert d is not None
    if not d.size_bytes or d.free_bytes is None:
        return Outcome("skipped", f"{d.drive}: Win32_LogicalDisk gave no size")
    size, free = d.size_bytes / GIB, d.free_bytes / GIB
    if free < DISK_MIN_FREE_GB or free < size * DISK_MIN_FREE_RATIO:
        return Outcome(
            "fail",
            f"{d.drive} {free:.1f} GB free of {size:.1f} GB",
            "disk-space-low",
            [f"{d.drive} free {free:.1f} GB ({free / size:.0%})"],
            0.85,
        )
    return Outcome("ok", f"{d.drive} {free:.0f} GB free")


def update_windows(windows: Sequence[ServiceWindow]) -> list[tuple[datetime, datetime]]:
    """The windows software updates may use, overlapping ones merged into one.

    Types 1 and 4 only; when a type-4 window exists the client ignores type-1 windows for updates,
    and overlapping windows count as one (memdocs configmgr/core/clients/manage/collections/
    use-maintenance-windows.md).
    """
    usable = [w for w in windows if w.type in (WINDOW_ALL, WINDOW_UPDATES) and w.start is not None]
    if any(w.type == WINDOW_UPDATES for w in usable):
        usable = [w for w in usable if w.type == WINDOW_UPDATES]
    spans = sorted((w.start, w.start + timedelta(seconds=w.duration_s)) for w in usable if w.start)
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _maintenance_window(f: Facts, _: Context) -> Outcome | None:
    m = f.maintenance_window
    assert m is not None
    spans = update_windows(m.windows)
    if not spans:
        return Outcome("ok", "no maintenance window for software updates (updates may install any time)")
    longest = max(end - start for start, end in spans)
    longest_min = int(longest.total_seconds() // 60)
    bound = [u for u in _updates(f) if not u.override_service_windows and u.max_execution_s]
    too_long = [u for u in bound if timedelta(seconds=u.max_execution_s or 0) > longest]
    if too_long:
        worst = max(too_long, key=lambda u: u.max_execution_s or 0)
        worst_min = (worst.max_execution_s or 0) // 60
        return Outcome(
            "fail",
            f"longest window {longest_min} min < max run time {worst_min} min (KB{worst.article})",
            "maintenance-window-too-short",
            [
                f"{len(spans)} software-update window(s) after merging, longest {longest_min} min",
                *(
                    f"KB{u.article} MaxExecutionTime {(u.max_execution_s or 0) // 60} min"
                    for u in too_long[:3]
                ),
            ],
        )
    return Outcome("ok", f"{len(spans)} window(s), longest {longest_min} min")


_GUID = re.compile(r"\{[0-9A-Fa-f-]{36}\}")


def _bare_id(update_id: str | None) -> str:
    """The update GUID of `Site_…/SUM_<GUID>` or `{GUID}`, lower-case."""
    return (update_id or "").rsplit("SUM_", 1)[-1].strip("{}").lower()


def _timed_cancellations(f: Facts) -> list[str]:
    """FAILED 0x800704c7 lines whose STARTED line (same update ID) is at least the max run time before."""
    logs = f.reporting_events
    if logs is None:
        return []
    max_by_id = {_bare_id(u.update_id): u.max_execution_s for u in _updates(f) if u.update_id}
    started: dict[str, datetime] = {}
    result = []
    for line in logs.lines:
        ids = [g.strip("{}").lower() for g in _GUID.findall(line)]
        update = ids[1] if len(ids) > 1 else None
        when, _exact = line_time(line)
        if update is None or when is None:
            continue
        if "AGENT_INSTALLING_STARTED" in line:
            started[update] = when
        elif "AGENT_INSTALLING_FAILED" in line and "800704c7" in line.lower() and update in started:
            limit = max_by_id.get(update)
            took = when - started[update]
            if limit is None or took >= timedelta(seconds=limit):
                result.append(line)
    return result


def _install(f: Facts, ctx: Context) -> Outcome | None:
    exceeded = [
        u
        for u in _updates(f)
        if u.error_code is not None and u.error_code & 0xFFFFFFFF == MAX_RUNTIME_EXCEEDED
    ]
    timed = [line for line in _timed_cancellations(f) if line in _recent(f, f.reporting_events, "FAILED")]
    found = _log_findings(timed, f.reporting_events, ctx, {"max-runtime-exceeded"})
    if exceeded or found:
        evidence = [f"KB{u.article}: ErrorCode 0x87D0070C (exceeded the maximum run time)" for u in exceeded]
        confidence = 0.95 if exceeded else found[0].confidence
        return Outcome(
            "fail",
            "installation cancelled at the maximum run time",
            "max-runtime-exceeded",
            evidence,
            confidence,
            found,
        )
    return Outcome("ok", "no cancelled installations")


def _pending_reboot(f: Facts, _: Context) -> Outcome | None:
    r = f.pending_reboot
    assert r is not None
    flags = [
        name
        for name, on in (
            ("CBS RebootPending", r.cbs_reboot_pending),
            ("WU RebootRequired", r.wu_reboot_required),
            ("ConfigMgr reboot pending", r.ccm_reboot_pending),
        )
        if on
    ]
    if flags:
        return Outcome("warn", "restart pending", "pending-reboot", flags, 0.8)
    return Outcome("ok", "no restart pending")


CHECKS: tuple[Check, ...] = (
    Check("Read access", 0, _access),
    Check("Client health", 0, _client_health, ("client_health",)),
    Check("Management point", 1, _management_point, ("mp",)),
    Check("Deployment policy", 2, _deployment_policy, ("deployment_policy",)),
    Check("Update-server policy (GPO)", 3, _gpo, ("update_source",)),
    Check("Software update point", 3, _update_source, ("update_source",)),
    Check("Windows Update service", 4, _wua_service, ("wua_service",)),
    Check("Dual scan", 4, _dual_scan, ("dual_scan",)),
    Check("Scan (WUAHandler.log)", 4, _scan, ("wuahandler_log",)),
    Check("Scan memory (WindowsUpdate.log)", 4, _scan_memory, ("windowsupdate_log",)),
    Check("Update detected", 5, _update_status, ("update_status",)),
    Check("Content location", 6, _content, ("content_location",)),
    Check("Cache", 7, _cache, ("cache",)),
    Check("Disk", 7, _disk, ("disk",)),
    Check("Maintenance window", 8, _maintenance_window, ("maintenance_window", "software_updates")),
    Check("Installation", 9, _install, ("reporting_events",)),
    Check("Pending restart", 10, _pending_reboot, ("pending_reboot",)),
)


def _bypassed(url: str, bypass: Sequence[str]) -> bool:
    host = _host_of(url)
    rules = [raw.strip().lower() for raw in bypass]
    local = "." not in host
    return any(
        rule
        and (
            host == rule
            or (rule == "<local>" and local)
            or (rule.startswith("*") and host.endswith(rule[1:]))
        )
        for rule in rules
    )


def _host_of(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()


def _log_findings(
    lines: Sequence[str], logs: LogLines | None, ctx: Context, causes: set[str]
) -> list[Finding]:
    if not lines:
        return []
    source = ((logs.path if logs else None) or "").rsplit("\\", 1)[-1] or None
    result = explain("\n".join(lines), lang=ctx.lang, source=source, kb_dirs=ctx.kb_dirs)
    return [f for f in result.findings if f.id in causes]


def missing_sections(facts: Facts, check: Check) -> str | None:
    """Why a check cannot run: the first required section that could not be read."""
    for section in check.requires:
        if getattr(facts, section) is None:
            error = facts.errors.get(section)
            return f"could not read {section}: {error or 'no data'}"
    return None


def diagnose(
    facts: Facts,
    *,
    kbs: Sequence[str] = (),
    deployments: Sequence[str] = (),
    lang: Lang = "en",
    kb_dirs: Sequence[Path] = (),
) -> tuple[list[CheckItem], list[Finding]]:
    """The checklist in chain order and the findings, first broken link first (`kb_dirs`: the
    knowledge-entry directories overlaid on the built-in ones)."""
    ctx = Context(
        kbs=tuple(k.upper() for k in kbs), deployments=tuple(deployments), lang=lang, kb_dirs=tuple(kb_dirs)
    )
    kb = load_entries(kb_dirs)
    items: list[CheckItem] = []
    ranked: list[tuple[int, int, Finding]] = []
    for order, check in enumerate(CHECKS):
        if reason := missing_sections(facts, check):
            items.append(CheckItem(name=check.name, status="error", detail=reason))
            continue
        outcome = check.rule(facts, ctx)
        if outcome is None:
            continue
        detail = outcome.detail
        if outcome.cause is None and outcome.evidence and outcome.status == "fail":
            detail = f"{detail} [{'; '.join(outcome.evidence)[:300]}]"
        items.append(CheckItem(name=check.name, status=outcome.status, detail=detail))
        entry = kb.get(outcome.cause) if outcome.cause else None
        if entry is None:
            continue
        evidence = [Evidence(text=line, file="live check") for line in outcome.evidence]
        for found in outcome.log_findings:
            if found.id == entry.id:
                evidence.extend(found.evidence)
        text = entry.text(lang)
        links = sorted(entry.links, key=lambda link: link.lang != lang)
        finding = Finding(
            id=entry.id,
            title=text.title,
            confidence=round(outcome.confidence, 2),
            summary=text.cause,
            evidence=evidence,
            remedy=render_remedy(entry, lang),
            links=[link.url for link in links],
        )
        severity = 0 if outcome.status == "fail" else 1
        ranked.append((severity, check.stage * 100 + order, finding))
    ranked.sort(key=lambda item: (item[0], item[1]))
    seen: set[str] = set()
    findings = []
    for _, _, finding in ranked:
        if finding.id not in seen:
            seen.add(finding.id)
            findings.append(finding)
    return items, findings


def verdict_of(findings: Sequence[Finding], items: Sequence[CheckItem], lang: Lang = "en") -> str:
    if findings:
        top = findings[0]
        return f"{top.id}: {top.title}"
    failed = [i for i in items if i.status == "fail"]
    unread = sum(1 for i in items if i.status == "error")
    if failed:
        first = failed[0]
        return f"{first.name}: {first.detail}"[:300]
    if lang == "ja":
        return f"正常: {len(items)} 項目のチェックで問題は見つかりませんでした" + (
            f" ({unread} 項目は読めず)" if unread else ""
        )
    return f"Healthy: no problem found in {len(items)} checks" + (
        f" ({unread} could not be read)" if unread else ""
    )
