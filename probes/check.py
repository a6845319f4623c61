"""Run the remote checks on hosts and diagnose them.

Placeholder contract; the remote-checks work replaces the bodies, keeping these signatures.
"""

from __future__ import annotations

from collections.abc import Sequence

from probes.report import HostReport


async def check_host(host: str, *, kbs: Sequence[str] = (), deadline_s: float = 60.0) -> HostReport:
    """Check one host (resolved through CMBOT_INVENTORY when set) and name the first broken link."""
    del kbs, deadline_s
    return HostReport(host=host, reachable=False, verdict="remote checks are not built yet")


async def check_hosts(
    hosts: Sequence[str], *, kbs: Sequence[str] = (), deadline_s: float = 60.0
) -> list[HostReport]:
    """Check many hosts at once, at most one check per host at a time."""
    return [await check_host(host, kbs=kbs, deadline_s=deadline_s) for host in hosts]
