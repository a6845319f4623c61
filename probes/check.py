"""Run the remote checks on hosts and diagnose them.

One bundle script per host (one PowerShell start, one WinRS command), at most one check per host
at a time, many hosts at once. Every failure becomes a short, specific answer in the report.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import re
import socket
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from knowledge.findings import Evidence, Finding, Phrase, Refused, said
from probes.config import ProbeConfig
from probes.credentials import Credential, CredentialError, NotTrusted, credential_for, kerberos_ready
from probes.diagnosis import diagnose
from probes.facts import SECTIONS as SECTION_NAMES
from probes.facts import SectionError, build_facts
from probes.inventory import InventoryError, InventoryHost, inventory_at
from probes.output import BundleOutput
from probes.report import CheckItem, HostReport
from probes.runner import Unreachable, run_probe
from probes.scripts import MIN_POWERSHELL, bundle_script
from probes.targets import BadHostName, url_host, validate_host

MAX_PARALLEL_HOSTS = 16
KB_PATTERN = re.compile(r"^(?:KB)?(\d{6,8})$", re.IGNORECASE)
DEPLOYMENT_PATTERN = re.compile(
    r"^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?$"
)
STARTUP_S = 12.0
"""What the check deadline keeps for connecting, starting PowerShell and reading the last lines;
the rest is the bundle's own time budget (docs/PROBES.md "Time budget")."""
log = logging.getLogger("cmbot.check")
_host_locks: dict[str, asyncio.Lock] = {}
_pool: concurrent.futures.ThreadPoolExecutor | None = None
DEFAULT_CONFIG = ProbeConfig()


class NoLogon(CredentialError):
    """Neither Kerberos (no ticket or keytab) nor NTLM (not allowed for the credential) can log in."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__(f"no Kerberos ticket or keytab, and {source}_ALLOW_NTLM is not set")


class BadKb(Refused):
    """A KB parameter that is not KB + 6 to 8 digits."""


def normalize_kbs(kbs: Sequence[str]) -> list[str]:
    result = []
    for raw in kbs:
        match = KB_PATTERN.match(raw.strip())
        if not match:
            raise BadKb(said("refuse.kb", text=raw[:40]))
        result.append(f"KB{match.group(1)}")
    return result


class BadDeployment(Refused):
    """A deployment parameter that is not a deployment unique ID (a GUID)."""


def normalize_deployments(deployments: Sequence[str]) -> list[str]:
    result = []
    for raw in deployments:
        match = DEPLOYMENT_PATTERN.match(raw.strip())
        if not match:
            raise BadDeployment(said("refuse.deployment", text=raw[:40]))
        result.append("{" + match.group(1).upper() + "}")
    return result


def budget_for(deadline_s: float) -> int:
    return max(5, int(deadline_s - STARTUP_S))


def _inventory_entry(host: str, config: ProbeConfig) -> InventoryHost | None:
    try:
        inventory = inventory_at(config.inventory)
    except InventoryError as exc:
        raise Unreachable("protocol", str(exc)) from None
    return inventory.get(host) if inventory else None


def _endpoint_for(host: str, entry: InventoryHost | None, credential: Credential, port: int) -> InventoryHost:
    """The inventory entry, or an endpoint on :5985 for a host a credential's scope covers: Kerberos
    when the bot has a ticket or keytab, else NTLM where that credential allows it."""
    if entry is not None:
        if "auth" not in entry.model_fields_set and entry.auth == "ntlm" and kerberos_ready():
            return entry.model_copy(update={"auth": "kerberos"})  # no auth written: Kerberos first
        return entry
    if kerberos_ready():
        auth = "kerberos"
    elif credential.allow_ntlm and credential.username and credential.password is not None:
        auth = "ntlm"
    else:
        raise NoLogon(credential.source)
    endpoint = f"http://{url_host(host)}:{port}/wsman"  # 5985 unless configured (probes/config.py)
    return InventoryHost(name=host, endpoint=endpoint, auth=auth, kerberos_host=host)


def _resolve(endpoint: str) -> None:
    """Fail fast on names that cannot resolve; RFC 6761 names under .invalid never do."""
    name = urlsplit(endpoint).hostname or ""
    if name.endswith(".invalid") or name == "invalid":
        raise Unreachable("dns", name)
    try:
        socket.getaddrinfo(name, None)
    except (socket.gaierror, UnicodeError):
        raise Unreachable("dns", name) from None


def _lock(host: str) -> asyncio.Lock:
    """One check per normalized name at a time (`127.1` and `0x7f000001` share `127.0.0.1`'s)."""
    return _host_locks.setdefault(host, asyncio.Lock())


def _winrm_pool() -> concurrent.futures.ThreadPoolExecutor:
    """WinRM I/O has its own bounded threads, never the loop's default executor (which explain
    uses): a slow host can hold at most one of these, and only until its deadline (V6)."""
    global _pool  # noqa: PLW0603 - one process-wide bound on concurrent WinRM sessions
    if _pool is None:
        _pool = concurrent.futures.ThreadPoolExecutor(MAX_PARALLEL_HOSTS, thread_name_prefix="cmbot-winrm")
    return _pool


def unreachable_finding(reason: Unreachable, host: str) -> Finding:
    """`winrm-unreachable` with the reason as its evidence; worded at the top like every finding."""
    return Finding(
        id="winrm-unreachable", confidence=0.99, evidence=[Evidence(fact=_reason(reason), file="winrm")]
    )


def _reason(reason: Unreachable) -> Phrase:
    """`reason.<kind>` in the catalog, with the client library's detail (as it said it) after it."""
    return said(f"reason.{reason.reason}", detail=f": {reason.detail}" if reason.detail else "")


def _check_sync(
    host: str, kbs: list[str], deployments: list[str], deadline_s: float, *, config: ProbeConfig
) -> HostReport:
    start = time.monotonic()
    try:
        known = _inventory_entry(host, config)
        credential = credential_for(host, known, config.credentials)
        entry = _endpoint_for(host, known, credential, config.winrm_port)
        _resolve(entry.endpoint)
        params = {"kbs": kbs, "budget_s": budget_for(deadline_s)}
        result = run_probe(
            entry, credential, bundle_script(kb_dirs=config.kb_dirs), params, deadline_s=deadline_s
        )
    except CredentialError as exc:
        why = (
            said("reason.no_logon", setting=f"{exc.source}_ALLOW_NTLM")
            if isinstance(exc, NoLogon)
            else said("reason.credential", detail=str(exc))
        )
        return HostReport(
            host=host,
            reachable=False,
            reason=why,
            duration_s=time.monotonic() - start,
        )
    except Unreachable as reason:
        if reason.reason == "script":
            # WinRM worked; PowerShell did not start the bootstrap. Not a WinRM fault.
            return cannot_check_report(host, said("cannot.probe_start", detail=reason.detail), start)
        return _unreachable_report(host, reason, start)
    report = report_from_output(
        host, result.document, kbs=kbs, deployments=deployments, stderr=result.stderr, kb_dirs=config.kb_dirs
    )
    return report.model_copy(
        update={"duration_s": round(time.monotonic() - start, 3), "scenario": entry.scenario}
    )


def cannot_check_report(host: str, why: Phrase, start: float | None = None) -> HostReport:
    """The host answered but the checks could not run there: never healthy, never a WinRM fault."""
    return HostReport(
        host=host,
        reachable=True,
        reason=why,
        checks=[CheckItem(check="powershell", status="error", message=why)],
        duration_s=round(time.monotonic() - start, 3) if start is not None else 0.0,
        outcome="not_checked",
    )


def _powershell_blocker(output: BundleOutput) -> Phrase | None:
    host = output.host
    if host is None:
        return None
    if host.major < MIN_POWERSHELL:
        # Windows 7 SP1 / 2008 R2 ship WMF 2.0 (PowerShell-Docs windows-powershell/wmf-overview.md).
        version = ".".join(host.ps_version.split(".")[:2]) or "2.0"
        return said("cannot.old_powershell", version=version)
    if host.language_mode != "FullLanguage":
        # about_Language_Modes.md: method calls on non-core types are refused outside FullLanguage.
        return said("cannot.language_mode", mode=host.language_mode)
    return None


def report_from_output(
    host: str,
    output: BundleOutput,
    *,
    kbs: Sequence[str] = (),
    deployments: Sequence[str] = (),
    stderr: str = "",
    kb_dirs: Sequence[Path] = (),
) -> HostReport:
    """Facts, checklist and verdict from what the bundle printed (live, or pasted from `cmbot collect`)."""
    if blocker := _powershell_blocker(output):
        return cannot_check_report(host, blocker)
    errors = dict(output.errors)
    if not output.finished:
        why = f"the bundle stopped: {stderr[:200]}" if stderr else "the check deadline passed before it ran"
        for name in SECTION_NAMES:
            if name not in output.sections and name not in errors:
                errors[name] = SectionError(kind="missing", message=why)
    facts = build_facts(output.sections, errors)
    items, findings = diagnose(facts, kbs=kbs, deployments=deployments, kb_dirs=kb_dirs)
    failed = any(i.status == "fail" for i in items)
    return HostReport(
        host=host,
        reachable=True,
        checks=items,
        findings=findings,
        facts=_with_powershell(facts.model_dump(mode="json"), output),
        outcome="findings" if findings or failed else "healthy",
    )


def _with_powershell(facts: dict[str, Any], output: BundleOutput) -> dict[str, Any]:
    """The PowerShell tier from the bootstrap's host line, beside the sections' facts (fleet
    clusters hosts by it)."""
    if output.host is not None:
        facts["powershell"] = {"version": output.host.ps_version, "language_mode": output.host.language_mode}
    return facts


def _unreachable_report(host: str, reason: Unreachable, start: float) -> HostReport:
    finding = unreachable_finding(reason, host)
    return HostReport(
        host=host,
        reachable=False,
        reason=said(f"reason.{reason.reason}", detail=""),
        checks=[CheckItem(check="winrm", status="fail", message=_reason(reason), cause=finding.id)],
        findings=[finding],
        duration_s=round(time.monotonic() - start, 3),
    )


def target_problem(host: str, config: ProbeConfig = DEFAULT_CONFIG) -> Phrase | None:
    """Why this host would get no credential (a bad name, or outside every credential's scope), or
    None. Decided before any DNS lookup (V1); a front end may call it to refuse in its reply."""
    try:
        name = validate_host(host)
        credential_for(name, _inventory_entry(name, config), config.credentials)
    except BadHostName as exc:
        return exc.reason
    except NotTrusted:
        return said("refuse.host_not_known")  # probes/credentials.py NOT_KNOWN, worded at the top
    except (CredentialError, Unreachable):
        return None  # a configuration problem: answered in the host's report
    return None


async def check_host(
    host: str,
    *,
    kbs: Sequence[str] = (),
    deployments: Sequence[str] = (),
    deadline_s: float = 60.0,
    config: ProbeConfig = DEFAULT_CONFIG,
) -> HostReport:
    """Check one host (resolved through the configured inventory, if any) and name the first
    broken link; `config` is the operator's (credentials, inventory, port, knowledge entries)."""
    try:
        name = validate_host(host)
        wanted = normalize_kbs(kbs)
        wanted_deployments = normalize_deployments(deployments)
    except (BadHostName, BadKb, BadDeployment) as exc:
        return not_checked_report(host[:80], exc.reason)
    if problem := target_problem(name, config):
        return not_checked_report(name, problem)
    async with _lock(name):
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                _winrm_pool(),
                functools.partial(_check_sync, config=config),
                name,
                wanted,
                wanted_deployments,
                deadline_s,
            )
        except Exception as exc:  # noqa: BLE001 - one bad host fails that host only (V6); logged
            log.warning("check of %s failed: %s", name, type(exc).__name__)
            reason = Unreachable("script", "the probe's answer could not be read")
            return _unreachable_report(name, reason, time.monotonic())


def not_checked_report(host: str, why: str | Phrase) -> HostReport:
    """Refused before any connection (a bad name, KB or deployment; a host outside every
    credential's scope): the validator's own sentence is the reason's detail."""
    reason = why if isinstance(why, Phrase) else said("reason.not_checked", detail=why)
    return HostReport(host=host, reachable=False, outcome="not_checked", reason=reason)


async def check_hosts(
    hosts: Sequence[str],
    *,
    kbs: Sequence[str] = (),
    deployments: Sequence[str] = (),
    deadline_s: float = 60.0,
    config: ProbeConfig = DEFAULT_CONFIG,
) -> list[HostReport]:
    """Check many hosts at once, at most one check per host at a time."""
    results = await asyncio.gather(
        *(
            check_host(h, kbs=kbs, deployments=deployments, deadline_s=deadline_s, config=config)
            for h in hosts
        ),
        return_exceptions=True,
    )
    return [
        result if isinstance(result, HostReport) else not_checked_report(host[:80], said("reason.failed"))
        for host, result in zip(hosts, results, strict=True)
    ]
