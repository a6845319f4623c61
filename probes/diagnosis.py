"""Diagnosis: facts → a checklist and ranked findings, walking the chain an expert walks.

client health → management point → deployment policy → update source → scan → content →
cache → maintenance window → install. Each rule reads the facts alone (no I/O) and names a cause
ID; remedy wording comes from the knowledge entry of that ID. The first broken link ranks first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from knowledge.explain import explain, render_remedy
from knowledge.findings import Evidence, Finding, Lang
from knowledge.loader import load_entries
from probes.facts import Facts, LogLines
from probes.report import CheckItem, CheckStatus

DISK_MIN_FREE_GB = 10.0
DISK_MIN_FREE_RATIO = 0.10
WUA_FIX_KBS = ("KB3050265", "KB3065987", "KB3075851", "KB3083324", "KB3083710", "KB3102810", "KB3112343")


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
    lang: Lang = "en"


Rule = Callable[[Facts, Context], Outcome | None]


@dataclass(frozen=True)
class Check:
    name: str
    stage: int
    rule: Rule


def _client_health(f: Facts, _: Context) -> Outcome | None:
    h = f.client_health
    if h is None:
        return None
    problems = []
    if h.ccmexec_status != "Running":
        problems.append(f"CcmExec service is {h.ccmexec_status}")
    if not h.wmi_ok:
        problems.append(f"root\\ccm does not answer ({h.wmi_error or 'WMI error'})")
    if h.provisioning_mode:
        problems.append("the client is in provisioning mode")
    if problems:
        return Outcome("fail", "; ".join(problems), "client-unhealthy", problems)
    return Outcome("ok", f"CcmExec running, client {h.client_version or 'version unknown'}")


def _management_point(f: Facts, ctx: Context) -> Outcome | None:
    mp = f.mp
    if mp is None:
        return None
    logs = _log_findings(f.ccmmessaging_log, ctx, {"mp-unreachable"})
    status = mp.mplist.status
    if status == 200 and not logs:
        return Outcome("ok", f"{mp.name}: MP list answered 200")
    evidence = [f"GET {mp.mplist.url} → {status if status is not None else mp.mplist.error or 'no answer'}"]
    detail = f"{mp.name or 'management point'}: MP list " + (f"HTTP {status}" if status else "unreachable")
    if status == 200:
        detail = f"{mp.name}: CCMHTTP errors in CcmMessaging.log"
        evidence = []
    return Outcome("fail", detail, "mp-unreachable", evidence, 0.95, logs)


def _deployment_policy(f: Facts, ctx: Context) -> Outcome | None:
    d = f.deployment_policy
    if d is None:
        return None
    if not d.assignments:
        return Outcome(
            "fail",
            "no software-update assignment (CCM_UpdateCIAssignment) on the client",
            "not-targeted",
            ["CCM_UpdateCIAssignment: 0 instances"],
        )
    targeted = {kb.upper() for a in d.assignments for kb in a.updates}
    missing = [kb for kb in ctx.kbs if targeted and kb.upper() not in targeted]
    if missing:
        return Outcome(
            "fail",
            f"no assignment targets {', '.join(missing)}",
            "not-targeted",
            [f"assignments: {', '.join(a.name for a in d.assignments)}"],
            0.8,
        )
    return Outcome("ok", f"{len(d.assignments)} update assignment(s)")


def _update_source(f: Facts, ctx: Context) -> Outcome | None:
    u, proxy = f.update_source, f.proxy
    if u is None:
        return None
    status = u.client_asmx.status
    if status == 503:
        return None  # the scan rule names the 503 with its log evidence
    evidence = []
    if status != 200:
        evidence.append(f"GET {u.client_asmx.url} → {status or u.client_asmx.error or 'no answer'}")
    if proxy and proxy.winhttp_proxy and u.wu_server and not _bypassed(u.wu_server, proxy.bypass):
        evidence.append(
            f"WinHTTP proxy {proxy.winhttp_proxy} without {_host_of(u.wu_server)} in its bypass list"
        )
    if status != 200:
        return Outcome(
            "fail",
            f"{u.wu_server}: client.asmx not reachable",
            "sup-unreachable",
            evidence,
            log_findings=_log_findings(f.wuahandler_log, ctx, {"sup-unreachable"}),
        )
    return Outcome("ok", f"{u.wu_server}: client.asmx answered 200")


def _gpo(f: Facts, ctx: Context) -> Outcome | None:
    g = f.gpo
    if g is None:
        return None
    winner = g.wu_server_winning_gpo
    if winner and winner.lower() not in ("local group policy", "local policy", "ローカル グループ ポリシー"):
        server = f.update_source.wu_server if f.update_source else None
        return Outcome(
            "fail",
            f"the update-server policy is won by the domain GPO '{winner}'",
            "sup-gpo-override",
            [f"winning GPO: {winner}", f"WUServer = {server}"],
            0.95,
            _log_findings(f.wuahandler_log, ctx, {"sup-gpo-override"}),
        )
    return Outcome("ok", "update server set by local policy (ConfigMgr)")


def _wua_service(f: Facts, _: Context) -> Outcome | None:
    w = f.wua_service
    if w is None:
        return None
    if w.start_type == "Disabled":
        return Outcome(
            "fail", "wuauserv is disabled", "wua-service-disabled", [f"wuauserv StartType = {w.start_type}"]
        )
    return Outcome("ok", f"wuauserv {w.start_type.lower()}" + (", own svchost" if w.own_process else ""))


def _dual_scan(f: Facts, _: Context) -> Outcome | None:
    d, u = f.dual_scan, f.update_source
    if d is None:
        return None
    deferrals = {
        "DeferQualityUpdates": d.defer_quality_updates,
        "DeferFeatureUpdates": d.defer_feature_updates,
        "BranchReadinessLevel": d.branch_readiness_level,
    }
    set_values = [f"{k} = {v}" for k, v in deferrals.items() if v]
    if set_values and (u is None or u.use_wu_server) and d.disable_dual_scan != 1:
        return Outcome(
            "fail",
            "WUfB deferral policies with UseWUServer=1 and DisableDualScan not 1",
            "dual-scan",
            [*set_values, f"DisableDualScan = {d.disable_dual_scan}"],
            0.85,
        )
    return Outcome("ok", "no dual scan")


def _scan(f: Facts, ctx: Context) -> Outcome | None:
    causes = {"sup-scan-timeout", "sup-service-unavailable", "wsus-too-old-for-wua", "sup-unreachable"}
    found = _log_findings(f.wuahandler_log, ctx, causes)
    if (
        f.update_source
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
    return Outcome("ok", "no scan errors in WUAHandler.log") if f.wuahandler_log else None


def _scan_memory(f: Facts, ctx: Context) -> Outcome | None:
    found = _log_findings(f.windowsupdate_log, ctx, {"wua-scan-out-of-memory", "wsus-too-old-for-wua"})
    p = f.platform
    if found:
        top = found[0]
        extra = []
        if p is not None and top.id == "wua-scan-out-of-memory":
            extra.append(f"{p.os_caption or 'Windows'} {p.architecture or ''}".strip())
            fixes = [kb for kb in WUA_FIX_KBS if kb in p.installed_kbs]
            extra.append(
                "WUA fix installed: " + (", ".join(fixes) if fixes else "none of KB3050265…KB3112343")
            )
        return Outcome("fail", f"{top.id} in WindowsUpdate.log", top.id, extra, top.confidence, found)
    return Outcome("ok", "no scan memory errors in WindowsUpdate.log") if f.windowsupdate_log else None


def _update_status(f: Facts, ctx: Context) -> Outcome | None:
    u, d = f.update_status, f.deployment_policy
    if u is None:
        return None
    wanted = list(ctx.kbs) or sorted({kb for a in (d.assignments if d else []) for kb in a.updates})
    known = {s.article.upper(): s for s in u.statuses}
    undetected = [kb for kb in wanted if kb.upper() not in known]
    if undetected:
        return Outcome(
            "fail",
            f"{', '.join(undetected)} not in CCM_UpdateStatus",
            "update-not-detected",
            [f"last scan {u.last_scan:%Y-%m-%d %H:%M}" if u.last_scan else "never scanned"],
            0.8,
        )
    states = ", ".join(f"{kb} {known[kb.upper()].status}" for kb in wanted)
    return Outcome("ok", states or f"{len(u.statuses)} updates in the store")


def _content(f: Facts, ctx: Context) -> Outcome | None:
    found = _log_findings(f.content_location, ctx, {"content-location-empty"})
    if found:
        return Outcome(
            "fail",
            "empty content location for a CTM job",
            "content-location-empty",
            [],
            found[0].confidence,
            found,
        )
    return Outcome("ok", "content locations received") if f.content_location else None


def _cache(f: Facts, _: Context) -> Outcome | None:
    c = f.cache
    if c is None:
        return None
    if c.required_content_mb and c.required_content_mb > c.size_mb:
        return Outcome(
            "fail",
            f"content {c.required_content_mb} MB > cache {c.size_mb} MB",
            "cache-too-small",
            [f"ccmcache size {c.size_mb} MB", f"content to download {c.required_content_mb} MB"],
        )
    return Outcome("ok", f"cache {c.size_mb} MB")


def _disk(f: Facts, _: Context) -> Outcome | None:
    d = f.disk
    if d is None:
        return None
    if d.free_gb < DISK_MIN_FREE_GB or d.free_gb < d.size_gb * DISK_MIN_FREE_RATIO:
        return Outcome(
            "fail",
            f"{d.drive} {d.free_gb:.1f} GB free of {d.size_gb:.1f} GB",
            "disk-space-low",
            [f"{d.drive} free {d.free_gb:.1f} GB ({d.free_gb / d.size_gb:.0%})"],
            0.85,
        )
    return Outcome("ok", f"{d.drive} {d.free_gb:.0f} GB free")


def _maintenance_window(f: Facts, _: Context) -> Outcome | None:
    m = f.maintenance_window
    if m is None:
        return None
    if (
        m.windows
        and m.max_execution_minutes
        and all(w.duration_minutes < m.max_execution_minutes for w in m.windows)
    ):
        longest = max(w.duration_minutes for w in m.windows)
        return Outcome(
            "fail",
            f"longest window {longest} min < max run time {m.max_execution_minutes} min",
            "maintenance-window-too-short",
            [
                f"{len(m.windows)} window(s), longest {longest} min",
                f"MaxExecutionTime {m.max_execution_minutes} min",
            ],
        )
    if not m.windows:
        return Outcome("ok", "no maintenance windows (updates may install any time)")
    return Outcome(
        "ok", f"{len(m.windows)} window(s), longest {max(w.duration_minutes for w in m.windows)} min"
    )


def _install(f: Facts, ctx: Context) -> Outcome | None:
    found = _log_findings(f.reporting_events, ctx, {"max-runtime-exceeded"})
    if found:
        return Outcome(
            "fail",
            "installation cancelled at the maximum run time",
            "max-runtime-exceeded",
            [],
            found[0].confidence,
            found,
        )
    return Outcome("ok", "no cancelled installations") if f.reporting_events else None


def _pending_reboot(f: Facts, _: Context) -> Outcome | None:
    r = f.pending_reboot
    if r is None:
        return None
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
    Check("Client health", 0, _client_health),
    Check("Management point", 1, _management_point),
    Check("Deployment policy", 2, _deployment_policy),
    Check("Update-server policy (GPO)", 3, _gpo),
    Check("Software update point", 3, _update_source),
    Check("Windows Update service", 4, _wua_service),
    Check("Dual scan", 4, _dual_scan),
    Check("Scan (WUAHandler.log)", 4, _scan),
    Check("Scan memory (WindowsUpdate.log)", 4, _scan_memory),
    Check("Update detected", 5, _update_status),
    Check("Content location", 6, _content),
    Check("Cache", 7, _cache),
    Check("Disk", 7, _disk),
    Check("Maintenance window", 8, _maintenance_window),
    Check("Installation", 9, _install),
    Check("Pending restart", 10, _pending_reboot),
)


def _bypassed(url: str, bypass: Sequence[str]) -> bool:
    host = _host_of(url)
    rules = [raw.strip().lower() for raw in bypass]
    return any(
        rule and (host == rule or (rule.startswith("*") and host.endswith(rule[1:]))) for rule in rules
    )


def _host_of(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()


def _log_findings(lines: LogLines | None, ctx: Context, causes: set[str]) -> list[Finding]:
    if lines is None or not lines.lines:
        return []
    source = (lines.path or "").rsplit("\\", 1)[-1] or None
    result = explain("\n".join(lines.lines), lang=ctx.lang, source=source)
    return [f for f in result.findings if f.id in causes]


def diagnose(
    facts: Facts, *, kbs: Sequence[str] = (), lang: Lang = "en"
) -> tuple[list[CheckItem], list[Finding]]:
    """The checklist in chain order and the findings, first broken link first."""
    ctx = Context(kbs=tuple(k.upper() for k in kbs), lang=lang)
    kb = load_entries()
    items: list[CheckItem] = []
    ranked: list[tuple[int, int, Finding]] = []
    for order, check in enumerate(CHECKS):
        if check.name and (section_error := _section_error(facts, check)):
            items.append(CheckItem(name=check.name, status="error", detail=section_error))
            continue
        outcome = check.rule(facts, ctx)
        if outcome is None:
            continue
        items.append(CheckItem(name=check.name, status=outcome.status, detail=outcome.detail))
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


_SECTIONS_OF_CHECK: dict[str, tuple[str, ...]] = {
    "Client health": ("client_health",),
    "Management point": ("mp",),
    "Deployment policy": ("deployment_policy",),
    "Update-server policy (GPO)": ("gpo",),
    "Software update point": ("update_source",),
    "Windows Update service": ("wua_service",),
    "Update detected": ("update_status",),
    "Cache": ("cache",),
    "Disk": ("disk",),
    "Maintenance window": ("maintenance_window",),
    "Pending restart": ("pending_reboot",),
}


def _section_error(facts: Facts, check: Check) -> str | None:
    for section in _SECTIONS_OF_CHECK.get(check.name, ()):
        if section in facts.errors and getattr(facts, section) is None:
            return f"could not read: {facts.errors[section][:200]}"
    return None


def verdict_of(findings: Sequence[Finding], items: Sequence[CheckItem], lang: Lang = "en") -> str:
    if findings:
        top = findings[0]
        return f"{top.id}: {top.title}"
    failed = sum(1 for i in items if i.status == "error")
    if lang == "ja":
        return f"正常: {len(items)} 項目のチェックで問題は見つかりませんでした" + (
            f" ({failed} 項目は読めず)" if failed else ""
        )
    return f"Healthy: no problem found in {len(items)} checks" + (
        f" ({failed} could not be read)" if failed else ""
    )
