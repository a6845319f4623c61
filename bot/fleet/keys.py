"""The one adapter between the probe facts (JSON shape) and the fleet's shared-fact keys.

Everything the fleet clusters on or puts on a timeline is read here, tolerant of missing
sections and fields: when the facts model changes, only the paths below change. Each key lists
candidate paths, first present wins (some name fields the probes may add later).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from probes.report import HostReport
from probes.runner import REASON_TEXT

Path = tuple[str, ...]

FACT_PATHS: dict[str, tuple[Path, ...]] = {
    "mp": (("mp", "name"),),
    "sup": (("update_source", "wu_server"),),
    "content_location": (("content_location", "dp"), ("update_source", "ccm_content_location")),
    "boundary_group": (("content_location", "boundary_group"), ("client_health", "boundary_group")),
    "os_build": (("platform", "os_version"),),
    "architecture": (("platform", "architecture"),),
    "client_version": (("client_health", "client_version"),),
    "powershell": (("platform", "powershell_version"), ("powershell", "version"), ("platform", "ps_version")),
    "language_mode": (("platform", "language_mode"), ("powershell", "language_mode")),
    "subnet": (("network", "subnet"), ("platform", "subnet")),
    "ip_address": (("network", "ip_address"), ("platform", "ip_address")),
    "site_code": (("client_health", "site_code"),),
    "cache_mb": (("cache", "size_mb"),),
    "wua_version": (("platform", "wua_version"),),
}
"""Shared-fact key → where it sits in the facts dict."""

TIME_PATHS: dict[str, tuple[Path, ...]] = {
    "last_scan": (("update_status", "last_success_scan"), ("update_status", "last_scan")),
    "last_install": (("update_status", "last_install"), ("reporting_events", "last_install")),
    "last_policy_change": (
        ("deployment_policy", "last_change"),
        ("deployment_policy", "last_policy_change"),
        ("client_health", "last_policy_request"),
    ),
}
"""Timeline key → where the time sits in the facts dict."""

CLUSTER_KEYS: tuple[str, ...] = (
    "sup",
    "mp",
    "content_location",
    "boundary_group",
    "subnet",
    "os_build",
    "architecture",
    "client_version",
    "powershell",
    "site_code",
    "cache_mb",
    "wua_version",
)
"""The keys compared across hosts, in the order a person would look at them."""


def _dig(facts: Mapping[str, Any], path: Path) -> Any:
    node: Any = facts
    for part in path:
        if not isinstance(node, dict):  # the facts are JSON: plain dicts (an ABC check is slow)
            return None
        node = node.get(part)
    return node


def _first(facts: Mapping[str, Any], paths: Sequence[Path]) -> Any:
    for path in paths:
        value = _dig(facts, path)
        if value not in (None, "", []):
            return value
    return None


@functools.lru_cache(maxsize=1024)
def _server_port(url: str) -> str:
    """`http://sup01.contoso.com:8530` → `sup01.contoso.com:8530` (the default port spelled out)."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    if not parts.hostname:
        return url
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname.lower()}:{port}"


def _powershell_tier(version: str, mode: Any) -> str:
    """`5.1.19041.1` → `5.1`; Constrained Language Mode is its own tier."""
    major_minor = ".".join(str(version).split(".")[:2])
    tier = "7" if major_minor.startswith("7") else major_minor
    return f"{tier} CLM" if str(mode or "").lower().startswith("constrained") else tier


def _subnet(facts: Mapping[str, Any]) -> str | None:
    explicit = _first(facts, FACT_PATHS["subnet"])
    if explicit:
        return str(explicit)
    address = _first(facts, FACT_PATHS["ip_address"])
    if isinstance(address, list):
        address = address[0] if address else None
    if not isinstance(address, str) or "/" not in address:
        return None
    try:
        return str(ipaddress.ip_interface(address).network)
    except ValueError:
        return None


def shared_fact_keys(facts: Mapping[str, Any] | None) -> dict[str, str]:
    """The facts dict → {key: value as text} for every clustering key the facts hold."""
    if not facts:
        return {}
    out: dict[str, str] = {}
    for key in CLUSTER_KEYS:
        if key == "subnet":
            value: Any = _subnet(facts)
        elif key == "powershell":
            version = _first(facts, FACT_PATHS["powershell"])
            value = (
                _powershell_tier(str(version), _first(facts, FACT_PATHS["language_mode"]))
                if version
                else None
            )
        else:
            value = _first(facts, FACT_PATHS[key])
        if value is None:
            continue
        if key in ("sup", "content_location", "mp") and isinstance(value, str) and "//" in value:
            value = _server_port(value) if key != "mp" else value
        out[key] = str(value).strip()
    return out


def _as_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True, slots=True)
class Timeline:
    """When things last happened on one host, from facts already read (no extra probe)."""

    last_scan: datetime | None = None
    last_install: datetime | None = None
    last_policy_change: datetime | None = None
    first_error: datetime | None = None
    last_error: datetime | None = None


def timeline_of(report: HostReport) -> Timeline:
    """The host's timeline: facts times, and the first/last time its cause's evidence was logged."""
    facts = report.facts or {}
    times = {key: _as_time(_first(facts, paths)) for key, paths in TIME_PATHS.items()}
    stamps: list[datetime] = []
    if report.findings:
        for evidence in report.findings[0].evidence:
            stamps.extend(t for t in (evidence.timestamp, evidence.last_timestamp) if t is not None)
    return Timeline(
        last_scan=times["last_scan"],
        last_install=times["last_install"],
        last_policy_change=times["last_policy_change"],
        first_error=min(stamps, default=None, key=utc_seconds),
        last_error=max(stamps, default=None, key=utc_seconds),
    )


def utc_seconds(moment: datetime) -> float:
    """Aware and naive times compare (naive read as UTC), so one host's clock style never raises."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def unreachable_reason(report: HostReport) -> str:
    """Why cmbot could not check the host: a `probes.runner` reason key, or `other`."""
    kind = report.reason.key.removeprefix("reason.") if report.reason else ""
    return kind if kind in REASON_TEXT else "other"


__all__ = [
    "CLUSTER_KEYS",
    "FACT_PATHS",
    "TIME_PATHS",
    "Timeline",
    "shared_fact_keys",
    "timeline_of",
    "unreachable_reason",
    "utc_seconds",
]
