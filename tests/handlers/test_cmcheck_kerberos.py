"""`/cmcheck` over Kerberos end to end: the real app, the lab with a real MIT KDC, no password."""

import asyncio
import os
from collections.abc import Iterator

import pytest

from bot.loopback.web_api import Harness
from lab.kdc import Realm, kerberos_environment, run_kdc
from lab.scenario import load_scenarios
from lab.testing import Lab, run_lab

HOSTS = ["lab-healthy", "lab-sup-scan-timeout"]


@pytest.fixture(scope="module")
def realm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Realm]:
    with run_kdc(tmp_path_factory.mktemp("kdc"), HOSTS) as running, kerberos_environment(running):
        yield running


@pytest.fixture(scope="module")
def lab(realm: Realm) -> Iterator[Lab]:
    """The harness's lab, here listed for Kerberos: SPNs HTTP/<name>, no password in the inventory."""
    scenarios = [s for s in load_scenarios() if s.name in HOSTS]
    with run_lab(scenarios, kerberos=True) as running:
        previous = os.environ.get("CMBOT_INVENTORY")
        os.environ["CMBOT_INVENTORY"] = str(running.inventory_path)
        try:
            yield running
        finally:
            if previous is None:
                os.environ.pop("CMBOT_INVENTORY", None)
            else:
                os.environ["CMBOT_INVENTORY"] = previous


async def test_cmcheck_over_kerberos(harness: Harness, lab: Lab) -> None:
    """`/cmcheck lab-sup-scan-timeout` logs in with a Kerberos ticket and posts the host's cause."""
    status, body = await harness.bot.command("/cmcheck", "lab-sup-scan-timeout")
    assert status == 200 and body == ""
    async with asyncio.timeout(20):
        (first,) = await harness.slack.wait_for("chat.postMessage")
        (update,) = await harness.slack.wait_for("chat.update")
    assert first["text"].startswith("Checking lab-sup-scan-timeout")
    assert update["text"].startswith("lab-sup-scan-timeout: sup-scan-timeout:")
    counters = lab.counters("lab-sup-scan-timeout")
    assert counters["logins_kerberos"] >= 1 and not counters.get("logins_ntlm")
