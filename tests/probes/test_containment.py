"""A hostile or slow WinRM host is contained (security review V6): a dripping endpoint ends at its
deadline, a huge answer is refused, WinRM has its own threads, and one bad host fails only itself."""

import asyncio
import base64
import dataclasses
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from lab import server as lab_server
from lab.hostile import HostileEndpoint
from lab.shell import Outcome
from lab.testing import Lab
from probes.check import MAX_PARALLEL_HOSTS, check_host, check_hosts
from probes.credentials import Credential
from probes.inventory import InventoryHost
from probes.runner import Unreachable, run_probe
from tests._words import detail, verdict

DEADLINE = 3.0
CREDENTIAL = Credential("LAB\\u", SecretStr("pw-drip-1"), allow_ntlm=True)


@pytest.fixture
def drip() -> Iterator[HostileEndpoint]:
    with HostileEndpoint("drip", drip_s=2.0) as endpoint:
        yield endpoint


def _entry(endpoint: HostileEndpoint) -> InventoryHost:
    return InventoryHost(name="hostile", endpoint=endpoint.endpoint, auth="ntlm")


def test_dripping_endpoint_ends_at_the_deadline(drip: HostileEndpoint) -> None:
    """V6: one byte every 2 s cannot keep the exchange alive past the deadline (it ran for > 75 s)."""
    start = time.monotonic()
    with pytest.raises(Unreachable) as info:
        run_probe(_entry(drip), CREDENTIAL, "# x", {}, deadline_s=DEADLINE)
    elapsed = time.monotonic() - start
    assert info.value.reason == "hang"
    assert elapsed < DEADLINE + 1.5  # the deadline bounds it (a per-read timeout may end it sooner)


def test_huge_answer_is_refused() -> None:
    """V6: a response body over the 16 MB cap is refused, not held in memory."""
    with HostileEndpoint("huge", huge_bytes=64 * 1024 * 1024) as huge:
        start = time.monotonic()
        with pytest.raises(Unreachable, match="over 16 MB"):
            run_probe(_entry(huge), CREDENTIAL, "# x", {}, deadline_s=10)
    assert time.monotonic() - start < 10


async def test_dripping_hosts_leave_the_default_executor_free(drip: HostileEndpoint, tmp_path: Any) -> None:
    """V6 (t_starve): while more dripping checks run than the default executor has threads, work on
    that executor (explain, for /cmerr) still runs at once, and every check ends at its deadline."""
    inventory = tmp_path / "inventory.yaml"
    names = [f"drip-{i}" for i in range(MAX_PARALLEL_HOSTS // 2)]
    lines = [f"  - {{name: {n}, endpoint: '{drip.endpoint}', username: u, password: p-1}}" for n in names]
    inventory.write_text("hosts:\n" + "\n".join(lines) + "\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CMBOT_INVENTORY", str(inventory))
        started = time.monotonic()
        checks = asyncio.gather(*(check_host(n, deadline_s=DEADLINE) for n in names))
        await asyncio.sleep(0.3)  # the checks are now blocked on the dripping host
        async with asyncio.timeout(1.0):
            assert await asyncio.to_thread(lambda: "explained") == "explained"
        async with asyncio.timeout(DEADLINE + 5):
            reports = await checks
    assert all("stopped answering" in verdict(r) for r in reports)
    assert time.monotonic() - started < DEADLINE + 3


def test_one_bad_host_fails_only_itself(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    """V6 (R4): a host whose answer breaks the decoder (JSON nested 100,000 deep) loses only what
    that answer held (its section reads "could not read"); the other hosts are answered normally."""
    real_run = lab_server.run
    nested = base64.b64encode(("[" * 100_000 + "]" * 100_000).encode()).decode()

    def deep_for_one_host(command: Any, *, host: str, scenario: Any, codepage: Any) -> Outcome:
        outcome = real_run(command, host=host, scenario=scenario, codepage=codepage)
        if outcome.probe and host == "lab-dual-scan":
            stdout = re.sub(
                r"^CMBOT-SECTION dual_scan \S+",
                f"CMBOT-SECTION dual_scan {nested}",
                outcome.stdout,
                flags=re.M,
            )
            return dataclasses.replace(outcome, stdout=stdout)
        return outcome

    monkeypatch.setattr(lab_server, "run", deep_for_one_host)
    reports = asyncio.run(check_hosts(["lab-dual-scan", "lab-healthy"], deadline_s=10))
    assert [r.host for r in reports] == ["lab-dual-scan", "lab-healthy"]
    assert reports[0].reachable, verdict(reports[0])
    assert any("could not read" in detail(c) and c.status == "error" for c in reports[0].checks)
    assert reports[1].outcome == "healthy", verdict(reports[1])


async def test_aliases_share_one_host_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """V12 (B11): `127.1` and `0x7f000001` are one host, so their checks run one after the other
    (each against an endpoint that drips fast enough to last until its deadline)."""
    with HostileEndpoint("drip", drip_s=0.5) as drip:
        monkeypatch.delenv("CMBOT_INVENTORY", raising=False)
        monkeypatch.setenv("CMBOT_WINRM_USER", "LAB\\u")
        monkeypatch.setenv("CMBOT_WINRM_PASSWORD", "pw-alias-1")
        monkeypatch.setenv("CMBOT_WINRM_DOMAINS", "127.0.0.0/8")
        monkeypatch.setenv("CMBOT_WINRM_ALLOW_NTLM", "1")
        monkeypatch.setenv("CMBOT_WINRM_PORT", str(drip.port))
        monkeypatch.setenv("KRB5CCNAME", "FILE:/nonexistent/ccache")
        monkeypatch.delenv("KRB5_CLIENT_KTNAME", raising=False)
        started = time.monotonic()
        async with asyncio.timeout(4 * DEADLINE):
            reports = await asyncio.gather(
                *(check_host(h, deadline_s=DEADLINE) for h in ("127.1", "0x7f000001"))
            )
    assert {r.host for r in reports} == {"127.0.0.1"}
    assert all(r.duration_s >= DEADLINE - 0.1 for r in reports), [r.duration_s for r in reports]
    assert time.monotonic() - started >= 2 * DEADLINE - 0.2
