"""Diagnosis: facts → a checklist and ranked findings, walking the chain an expert walks.

client health → management point → deployment policy → update source → scan → content →
cache → maintenance window → install. Each rule reads the facts alone (no I/O) and names a cause
ID; remedy wording comes from the knowledge entry of that ID. The first broken link ranks first.
Each check declares the sections it `requires`: when one could not be read, the check shows
"could not read: <reason>" instead of running on missing data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from knowledge.explain import explain
from knowledge.findings import Evidence, Finding, Phrase, said
from knowledge.loader import load_entries
from knowledge.stages import builtin_stages
from probes.facts import LOG_SOURCES, Facts, LogLines, ServiceWindow, SoftwareUpdate, start_name
from probes.logfilter import section_causes
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
    message: Phrase
    cause: str | None = None
    evidence: list[Phrase] = field(default_factory=list)
    confidence: float = 0.9
    log_findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    kbs: tuple[str, ...] = ()
    deployments: tuple[str, ...] = ()
    kb_dirs: tuple[Path, ...] = ()


Rule = Callable[[Facts, Context], Outcome | None]


@dataclass(frozen=True)
class Check:
    id: str
    """`check.<id>` in the message catalog names it; rendered checklists and `--json` show that name."""
    stage: int
    rule: Rule
    requires: tuple[str, ...] = ()
    owns: tuple[str, ...] = ()
    """The causes this check's rule decides from its own facts (a log line alone does not)."""
    rest_of: str | None = None
    """A log section: when the check passes, a cause the knowledge data ties to that log that no other
    check decides or reported (an operator's new entry, content-not-found in ContentTransferManager.log)
    fails it instead of going unreported."""


def _now(f: Facts) -> datetime | None:
    return f.host.now_utc if f.host else None


def _raw(text: str) -> Phrase:
    """A fact shown as read (a log line, `Name = value`): the same in every language."""
    return said("ev.raw", text=text)


_EVERY_LINE = re.compile("")
"""A log section holds only the lines its filter kept (probes/logfilter.py): each may be evidence."""


def _section_findings(
    f: Facts,
    ctx: Context,
    section: str,
    causes: Collection[str] | None = None,
    *,
    among: Callable[[str], bool] | None = None,
) -> list[Finding]:
    """What the knowledge entries find in a log section's current lines, for `causes` only.

    Current: recent, and after the last line of the log's `success` (`probes/facts.py` LOG_SOURCES).
    `causes` None: every cause the data ties to this log, the same selection its filter is built from
    (`probes/logfilter.py` section_causes, over the built-in entries and the `kb_dirs` overlay). `among`
    narrows the lines further (a rule's own pairing of lines).
    """
    logs: LogLines | None = getattr(f, section)
    if logs is None:
        return []
    source = LOG_SOURCES[section]
    success = re.compile(re.escape(source.success), re.IGNORECASE) if source.success else None
    lines = current_failures(logs.lines, failure=_EVERY_LINE, success=success, now=_now(f))
    if among is not None:
        lines = [line for line in lines if among(line)]
    if not lines:
        return []
    wanted = set(causes) if causes is not None else _log_causes(section, ctx) - _decided_elsewhere()
    result = explain("\n".join(lines), source=source.log, kb_dirs=ctx.kb_dirs)
    return [finding for finding in result.findings if finding.id in wanted]


def _decided_elsewhere() -> frozenset[str]:
    """The causes a check decides from its own facts that are not scan causes: the log-wide scan and
    memory checks leave them to that check (dual scan is read from the registry per OS build, not from
    a WindowsUpdate.log line; the cache from the update's error code)."""
    scan = {c for s in builtin_stages() if s.id == "scan" for c in s.causes}
    return OWNED - scan


def _log_causes(section: str, ctx: Context) -> set[str]:
    """The causes the knowledge data says a log section's lines point at."""
    return set(section_causes(LOG_SOURCES[section], load_entries(ctx.kb_dirs), builtin_stages()))


def _access(f: Facts, _: Context) -> Outcome | None:
    # Remote UAC filtering gives non-RID-500 local admins and other-domain admins a standard-user token
    # over WinRM (PowerShell-Docs about_Remote_Troubleshooting.md, LocalAccountTokenFilterPolicy).
    denied = sorted(name for name, e in f.errors.items() if e.kind == "denied")
    if denied:
        return Outcome(
            "fail",
            said("chk.access.denied", sections=", ".join(denied)),
            evidence=[_raw(f"{name}: {f.errors[name]}") for name in denied],
        )
    if f.host and f.host.elevated is False:
        return Outcome("warn", said("chk.access.not_elevated"))
    return None


def _client_health(f: Facts, _: Context) -> Outcome | None:
    h = f.client_health
    assert h is not None
    problems: list[Phrase] = []
    if h.ccmexec_status != "Running":
        problems.append(said("chk.client.ccmexec_status", status=h.ccmexec_status or "?"))
    if h.ccmexec_start == 4:
        problems.append(said("chk.client.ccmexec_disabled"))
    if not h.wmi_ok:
        problems.append(said("chk.client.wmi", error=h.wmi_error or "WMI"))
    if h.in_provisioning_mode:
        problems.append(said("chk.client.provisioning"))
    hung = [s for s in CCM_SECTIONS if (e := f.errors.get(s)) is not None and e.kind == "timeout"]
    if hung:
        problems.append(said("chk.client.hung", sections=", ".join(hung)))
    if problems:
        return Outcome("fail", _joined(problems), "client-unhealthy", problems)
    if h.client_version:
        return Outcome("ok", said("chk.client.ok", version=h.client_version))
    return Outcome("ok", said("chk.client.ok_no_version"))


def _joined(parts: Sequence[Phrase]) -> Phrase:
    """Several findings of one check as one line, `; ` between them."""
    line = parts[0]
    for part in parts[1:]:
        line = said("ev.and", first=line, then=part)
    return line


def _management_point(f: Facts, ctx: Context) -> Outcome | None:
    mp = f.mp
    assert mp is not None
    if not mp.name:
        return Outcome(
            "fail",
            said("chk.mp.none"),
            evidence=[_raw("SMS_Authority.CurrentManagementPoint: empty")],
        )
    if mp.mplist is None:
        return Outcome("skipped", said("chk.mp.cmg", mp=mp.name))
    status = mp.mplist.status
    if status == 200:
        return Outcome("ok", said("chk.mp.ok", mp=mp.name, url=mp.mplist.url or ""))
    logs = _section_findings(f, ctx, "ccmmessaging_log", {"mp-unreachable"})
    answer: str | Phrase = str(status) if status is not None else mp.mplist.error or said("chk.no_answer")
    evidence = [said("ev.get", url=mp.mplist.url or "", via="WinHTTP", answer=answer)]
    detail = (
        said("chk.mp.http", mp=mp.name, status=status) if status else said("chk.mp.unreachable", mp=mp.name)
    )
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
        return Outcome("fail", said("chk.policy.none"), "not-targeted", [_raw("CCM_UpdateCIAssignment: 0")])
    ids = {a.id.strip("{}").lower() for a in d.assignments}
    absent = [dep for dep in ctx.deployments if dep.strip("{}").lower() not in ids]
    if absent:
        return Outcome(
            "fail",
            said("chk.policy.deployment_absent", deployments=", ".join(absent)),
            "not-targeted",
            [said("ev.assignments", ids=", ".join(a.id for a in d.assignments))],
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
            said("chk.policy.kb_untargeted", kbs=", ".join(missing)),
            "not-targeted",
            [said("ev.assignments", ids=", ".join(a.name or a.id for a in d.assignments))],
            0.8,
        )
    return Outcome("ok", said("chk.policy.ok", assignments=len(d.assignments), targeted=len(targeted)))


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
    named: str | Phrase = said("chk.gpo.winner", gpo=winner) if winner else ""
    overwritten = _section_findings(f, ctx, "wuahandler_log", {"sup-gpo-override"})
    if (
        u.wu_server
        and u.ccm_content_location
        and _server_key(u.wu_server) != _server_key(u.ccm_content_location)
    ):
        # A domain GPO that sets the same server and port is supported (SupportArticles-docs
        # troubleshoot-software-update-scan-failures.md, "Group Policy overrides ..."): only a mismatch is.
        return Outcome(
            "fail",
            said("chk.gpo.differs", server=u.wu_server, source=u.ccm_content_location, winner=named),
            "sup-gpo-override",
            [
                _raw(f"WUServer = {u.wu_server}"),
                _raw(f"CCM_UpdateSource.ContentLocation = {u.ccm_content_location}"),
            ]
            + ([said("ev.winning_gpo", gpo=winner)] if winner else []),
            0.95,
            overwritten,
        )
    if overwritten:
        return Outcome(
            "fail",
            said("chk.gpo.overwritten", winner=named),
            "sup-gpo-override",
            [said("ev.winning_gpo", gpo=winner)] if winner else [],
            0.85,
            overwritten,
        )
    if not u.ccm_content_location:
        return Outcome("skipped", said("chk.gpo.no_source"))
    return Outcome("ok", said("chk.gpo.ok", winner=named))


def _update_source(f: Facts, ctx: Context) -> Outcome | None:
    u = f.update_source
    assert u is not None
    if not u.wu_server or u.client_asmx is None:
        return Outcome(
            "fail",
            said("chk.sup.no_policy"),
            evidence=[_raw("HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate WUServer: -")],
        )
    status = u.client_asmx.status
    if status == 503:
        return None  # the scan rule names the 503 with its log evidence
    proxy = f.proxy.winhttp if f.proxy else None
    via = said("chk.sup.direct")
    if proxy and proxy.proxy:
        key = "chk.sup.proxy_bypassed" if _bypassed(u.wu_server, proxy.bypass) else "chk.sup.proxy"
        via = said(key, proxy=proxy.proxy)
    if status == 200:
        return Outcome("ok", said("chk.sup.ok", server=u.wu_server, via=via))
    answer: str | Phrase = str(status) if status else u.client_asmx.error or said("chk.no_answer")
    evidence = [said("ev.get", url=u.client_asmx.url or "", via=via, answer=answer)]
    return Outcome(
        "fail",
        said("chk.sup.unreachable", server=u.wu_server),
        "sup-unreachable",
        evidence,
        log_findings=_section_findings(f, ctx, "wuahandler_log", {"sup-unreachable"}),
    )


def _wua_service(f: Facts, _: Context) -> Outcome | None:
    w = f.wua_service
    assert w is not None
    start = start_name(w.start)
    if w.start == 4:
        return Outcome(
            "fail", said("chk.wua.disabled"), "wua-service-disabled", [_raw(f"wuauserv Start = 4 ({start})")]
        )
    key = "chk.wua.ok_own" if w.service_type == 16 else "chk.wua.ok"
    return Outcome("ok", said(key, status=w.status, start=start))


def _dual_scan(f: Facts, _: Context) -> Outcome | None:
    d, u, p = f.dual_scan, f.update_source, f.platform
    assert d is not None
    deferrals = {
        "DeferQualityUpdates": d.defer_quality_updates,
        "DeferFeatureUpdates": d.defer_feature_updates,
        "BranchReadinessLevel": d.branch_readiness_level,
        "TargetReleaseVersion": d.target_release_version,
    }
    set_values = [_raw(f"{k} = {v}") for k, v in deferrals.items() if v]
    if not set_values or (u is not None and u.use_wu_server != 1):
        return Outcome("ok", said("chk.dual.ok"))
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
            return Outcome("ok", said("chk.dual.sources_wsus"))
        return Outcome(
            "fail",
            said("chk.dual.sources_wu", classes=", ".join(from_wu)),
            "dual-scan",
            [
                *set_values,
                *(_raw(f"SetPolicyDrivenUpdateSourceFor{n}Updates = {sources[n]}") for n in from_wu),
            ],
            0.85,
        )
    if d.disable_dual_scan != 1:
        return Outcome(
            "fail",
            said("chk.dual.not_disabled"),
            "dual-scan",
            [*set_values, _raw(f"DisableDualScan = {d.disable_dual_scan}")],
            0.85,
        )
    return Outcome("ok", said("chk.dual.disabled"))


def _scan(f: Facts, ctx: Context) -> Outcome | None:
    # Every cause the entries and stages tie to WUAHandler.log, from the lines after the last completed scan.
    found = _section_findings(f, ctx, "wuahandler_log")
    if (
        f.update_source
        and f.update_source.client_asmx
        and f.update_source.client_asmx.status == 503
        and not any(x.id == "sup-service-unavailable" for x in found)
    ):
        return Outcome(
            "fail",
            said("chk.scan.http503"),
            "sup-service-unavailable",
            [_raw(f"GET {f.update_source.client_asmx.url} → 503")],
        )
    if found:
        top = found[0]
        return Outcome("fail", said("chk.scan.errors", cause=top.id), top.id, [], top.confidence, found)
    logs = f.wuahandler_log
    if logs is not None and not logs.exists:
        return Outcome("warn", said("chk.scan.no_log"))
    return Outcome("ok", said("chk.scan.ok"))


def _scan_memory(f: Facts, ctx: Context) -> Outcome | None:
    logs = f.windowsupdate_log
    assert logs is not None
    if not logs.applicable:
        return Outcome("skipped", said("chk.memory.not_applicable"))
    found = _section_findings(f, ctx, "windowsupdate_log")
    p = f.platform
    if found:
        top = found[0]
        extra: list[Phrase] = []
        if p is not None and top.id == "wua-scan-out-of-memory":
            extra.append(_raw(f"{p.os_caption or 'Windows'} {p.architecture or ''}".strip()))
            extra.append(said("ev.wua_version", version=p.wua_version or "?"))
            fixes = [kb for kb in WUA_FIX_KBS if kb in p.installed_kbs]
            if fixes:
                extra.append(said("ev.wua_fixes", kbs=", ".join(fixes)))
        return Outcome("fail", said("chk.memory.errors", cause=top.id), top.id, extra, top.confidence, found)
    return Outcome("ok", said("chk.memory.ok"))


def _update_status(f: Facts, ctx: Context) -> Outcome | None:
    u, d = f.update_status, f.deployment_policy
    assert u is not None
    store_ids = {s.unique_id.lower() for s in u.statuses if s.unique_id}
    known = {s.article.upper(): s for s in u.statuses}
    undetected = [kb for kb in ctx.kbs if kb not in known]
    if not ctx.kbs and d is not None:
        undetected = sorted({uid for a in d.assignments for uid in a.targeted if uid not in store_ids})
    if undetected:
        last = (
            said("ev.last_scan", when=f"{u.last_scan:%Y-%m-%d %H:%M}")
            if u.last_scan
            else said("ev.never_scanned")
        )
        return Outcome(
            "fail",
            said("chk.detected.missing", kbs=", ".join(undetected[:5])),
            "update-not-detected",
            [last],
            0.8,
        )
    states = ", ".join(f"{kb} {known[kb].status}" for kb in ctx.kbs)
    if states:
        return Outcome("ok", _raw(states))
    return Outcome("ok", said("chk.detected.ok", count=len(u.statuses)))


def _content(f: Facts, ctx: Context) -> Outcome | None:
    found = _section_findings(f, ctx, "content_location", {"content-location-empty"})
    if found:
        return Outcome(
            "fail",
            said("chk.content.empty"),
            "content-location-empty",
            [],
            found[0].confidence,
            found,
        )
    return Outcome("ok", said("chk.content.ok"))


def _updates(f: Facts) -> list[SoftwareUpdate]:
    return f.software_updates.updates if f.software_updates else []


def _cache(f: Facts, ctx: Context) -> Outcome | None:
    c = f.cache
    assert c is not None
    failed = [
        u for u in _updates(f) if u.error_code is not None and u.error_code & 0xFFFFFFFF == CACHE_TOO_SMALL
    ]
    found = _section_findings(f, ctx, "content_location", {"cache-too-small"})
    if failed or found:
        # The update's own error (CCM_SoftwareUpdate.ErrorCode) names the cause; ContentSize is empty
        # until the content is downloaded (memdocs ccm_softwareupdate-client-wmi-class.md; defect 10).
        evidence = [said("ev.cache_size", mb=c.size_mb or 0, location=c.location or "-")]
        evidence += [said("ev.cache_error", kb=f"KB{u.article}") for u in failed]
        small = said("chk.cache.small", mb=c.size_mb or 0)
        return Outcome("fail", small, "cache-too-small", evidence, log_findings=found)
    key = "chk.cache.ok_unread" if f.software_updates is None else "chk.cache.ok"
    return Outcome("ok", said(key, mb=c.size_mb or 0))


def _disk(f: Facts, _: Context) -> Outcome | None:
    d = f.disk
    assert d is not None
    if not d.size_bytes or d.free_bytes is None:
        return Outcome("skipped", said("chk.disk.no_size", drive=d.drive))
    size, free = d.size_bytes / GIB, d.free_bytes / GIB
    if free < DISK_MIN_FREE_GB or free < size * DISK_MIN_FREE_RATIO:
        return Outcome(
            "fail",
            said("chk.disk.low", drive=d.drive, free=f"{free:.1f}", size=f"{size:.1f}"),
            "disk-space-low",
            [said("ev.disk_free", drive=d.drive, free=f"{free:.1f}", ratio=f"{free / size:.0%}")],
            0.85,
        )
    return Outcome("ok", said("chk.disk.ok", drive=d.drive, free=f"{free:.0f}"))


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
        return Outcome("ok", said("chk.window.none"))
    longest = max(end - start for start, end in spans)
    longest_min = int(longest.total_seconds() // 60)
    bound = [u for u in _updates(f) if not u.override_service_windows and u.max_execution_s]
    too_long = [u for u in bound if timedelta(seconds=u.max_execution_s or 0) > longest]
    if too_long:
        worst = max(too_long, key=lambda u: u.max_execution_s or 0)
        worst_min = (worst.max_execution_s or 0) // 60
        return Outcome(
            "fail",
            said("chk.window.short", longest=longest_min, runtime=worst_min, kb=f"KB{worst.article}"),
            "maintenance-window-too-short",
            [
                said("ev.windows", count=len(spans), longest=longest_min),
                *(
                    said("ev.max_runtime", kb=f"KB{u.article}", minutes=(u.max_execution_s or 0) // 60)
                    for u in too_long[:3]
                ),
            ],
        )
    return Outcome("ok", said("chk.window.ok", count=len(spans), longest=longest_min))


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
    timed = set(_timed_cancellations(f))
    found = _section_findings(f, ctx, "reporting_events", {"max-runtime-exceeded"}, among=timed.__contains__)
    if exceeded or found:
        evidence = [said("ev.runtime_error", kb=f"KB{u.article}") for u in exceeded]
        confidence = 0.95 if exceeded else found[0].confidence
        return Outcome(
            "fail",
            said("chk.install.cancelled"),
            "max-runtime-exceeded",
            evidence,
            confidence,
            found,
        )
    return Outcome("ok", said("chk.install.ok"))


def _pending_reboot(f: Facts, _: Context) -> Outcome | None:
    r = f.pending_reboot
    assert r is not None
    flags = [
        _raw(name)
        for name, on in (
            ("CBS RebootPending", r.cbs_reboot_pending),
            ("WU RebootRequired", r.wu_reboot_required),
            ("CCM RebootPending", r.ccm_reboot_pending),
        )
        if on
    ]
    if flags:
        return Outcome("warn", said("chk.reboot.pending"), "pending-reboot", flags, 0.8)
    return Outcome("ok", said("chk.reboot.ok"))


CHECKS: tuple[Check, ...] = (
    Check("access", 0, _access),
    Check("client", 0, _client_health, ("client_health",)),
    Check("mp", 1, _management_point, ("mp",), ("mp-unreachable",), "ccmmessaging_log"),
    Check("policy", 2, _deployment_policy, ("deployment_policy",)),
    Check("gpo", 3, _gpo, ("update_source",), ("sup-gpo-override",)),
    Check("sup", 3, _update_source, ("update_source",), ("sup-unreachable",)),
    Check("wua", 4, _wua_service, ("wua_service",)),
    Check("dual", 4, _dual_scan, ("dual_scan",), ("dual-scan",)),
    Check("scan", 4, _scan, ("wuahandler_log",)),
    Check("memory", 4, _scan_memory, ("windowsupdate_log",)),
    Check("detected", 5, _update_status, ("update_status",)),
    Check("content", 6, _content, ("content_location",), ("content-location-empty",), "content_location"),
    Check("cache", 7, _cache, ("cache",), ("cache-too-small",)),
    Check("disk", 7, _disk, ("disk",)),
    Check("window", 8, _maintenance_window, ("maintenance_window", "software_updates")),
    Check("install", 9, _install, ("reporting_events",), ("max-runtime-exceeded",), "reporting_events"),
    Check("reboot", 10, _pending_reboot, ("pending_reboot",)),
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


def missing_sections(facts: Facts, check: Check) -> Phrase | None:
    """Why a check cannot run: the first required section that could not be read."""
    for section in check.requires:
        if getattr(facts, section) is None:
            error = facts.errors.get(section)
            why: str | Phrase = str(error) if error else said("chk.no_data")
            return said("chk.unread", section=section, why=why)
    return None


OWNED = frozenset(cause for check in CHECKS for cause in check.owns)


def _rest_of_logs(
    facts: Facts,
    ctx: Context,
    passed: Sequence[tuple[int, int, Check]],
    items: list[CheckItem],
    ranked: list[tuple[int, int, Finding]],
) -> None:
    """Fail a passed check whose `rest_of` log shows a cause no check decides or reported: its item
    names the cause, its finding ranks at the check's stage."""
    reported = {finding.id for _, _, finding in ranked} | OWNED
    for index, order, check in passed:
        assert check.rest_of is not None
        found = [x for x in _section_findings(facts, ctx, check.rest_of) if x.id not in reported]
        if not found:
            continue
        top = found[0]
        log = LOG_SOURCES[check.rest_of].log
        items[index] = CheckItem(
            check=check.id, status="fail", message=said("chk.log.errors", log=log, cause=top.id), cause=top.id
        )
        ranked.append((0, check.stage * 100 + order, top))
        reported.add(top.id)


def diagnose(
    facts: Facts, *, kbs: Sequence[str] = (), deployments: Sequence[str] = (), kb_dirs: Sequence[Path] = ()
) -> tuple[list[CheckItem], list[Finding]]:
    """The checklist in chain order and the findings, first broken link first: data only
    (`kb_dirs`: the knowledge-entry directories overlaid on the built-in ones)."""
    ctx = Context(kbs=tuple(k.upper() for k in kbs), deployments=tuple(deployments), kb_dirs=tuple(kb_dirs))
    kb = load_entries(kb_dirs)
    items: list[CheckItem] = []
    ranked: list[tuple[int, int, Finding]] = []
    passed: list[tuple[int, int, Check]] = []
    for order, check in enumerate(CHECKS):
        if reason := missing_sections(facts, check):
            items.append(CheckItem(check=check.id, status="error", message=reason))
            continue
        outcome = check.rule(facts, ctx)
        if outcome is None:
            continue
        message = outcome.message
        if outcome.cause is None and outcome.evidence and outcome.status == "fail":
            message = said("chk.with_evidence", detail=message, evidence=_joined(outcome.evidence))
        items.append(CheckItem(check=check.id, status=outcome.status, message=message, cause=outcome.cause))
        if outcome.status == "ok" and check.rest_of:
            passed.append((len(items) - 1, order, check))
        entry = kb.get(outcome.cause) if outcome.cause else None
        if entry is None:
            continue
        evidence = [Evidence(fact=fact) for fact in outcome.evidence]
        for found in outcome.log_findings:
            if found.id == entry.id:
                evidence.extend(found.evidence)
        finding = Finding(id=entry.id, confidence=round(outcome.confidence, 2), evidence=evidence)
        severity = 0 if outcome.status == "fail" else 1
        ranked.append((severity, check.stage * 100 + order, finding))
    _rest_of_logs(facts, ctx, passed, items, ranked)
    ranked.sort(key=lambda item: (item[0], item[1]))
    seen: set[str] = set()
    findings = []
    for _, _, finding in ranked:
        if finding.id not in seen:
            seen.add(finding.id)
            findings.append(finding)
    return items, findings
