"""Kerberos against the lab with a real MIT KDC: pywinrm, pypsrp (WinRS) and the probe runner."""

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import winrm
from pypsrp.client import Client

from lab.kdc import Realm, kerberos_environment, run_kdc
from lab.scenario import Faults, Scenario
from lab.testing import Lab, run_lab
from probes.check import check_host
from probes.credentials import kerberos_ready
from tests._words import verdict

HOSTS = ["k-healthy", "k-other"]
SPNS = [*HOSTS, "127.0.0.1"]


def _scenario(name: str) -> Scenario:
    return Scenario(name=name, scenario="healthy", auth="ntlm", faults=Faults())


@pytest.fixture(scope="module")
def realm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Realm]:
    with run_kdc(tmp_path_factory.mktemp("kdc"), SPNS) as running, kerberos_environment(running):
        yield running


@pytest.fixture(scope="module")
def kerberos_lab(realm: Realm) -> Iterator[Lab]:
    with run_lab([_scenario(name) for name in HOSTS], kerberos=True) as running:
        previous = os.environ.get("CMBOT_INVENTORY")
        os.environ["CMBOT_INVENTORY"] = str(running.inventory_path)
        try:
            yield running
        finally:
            if previous is None:
                os.environ.pop("CMBOT_INVENTORY", None)
            else:
                os.environ["CMBOT_INVENTORY"] = previous


def _port(lab: Lab, name: str) -> int:
    entry = lab.inventory.get(name)
    assert entry is not None
    return int(entry.endpoint.rsplit(":", 1)[1].split("/")[0])


def test_the_bot_has_a_ticket_source(realm: Realm) -> None:
    """With the realm's client keytab in KRB5_CLIENT_KTNAME, the runner sees Kerberos as ready."""
    assert kerberos_ready()
    assert Path(realm.environment["KRB5_CLIENT_KTNAME"].removeprefix("FILE:")).exists()


def test_pywinrm_kerberos_with_message_encryption(kerberos_lab: Lab) -> None:
    """pywinrm's kerberos transport logs in with a ticket for HTTP/k-healthy and runs a command."""
    session = winrm.Session(
        f"http://127.0.0.1:{_port(kerberos_lab, 'k-healthy')}/wsman",
        auth=(None, None),
        transport="kerberos",
        kerberos_hostname_override="k-healthy",
        proxy=None,
        ca_trust_path=None,
    )
    result = session.run_cmd("echo kerberos")
    assert result.status_code == 0 and result.std_out.strip() == b"kerberos"
    counters = kerberos_lab.counters("k-healthy")
    assert counters["logins_kerberos"] >= 1 and counters["encrypted_requests"] >= 1
    assert not counters.get("logins_ntlm")


def test_pypsrp_winrs_kerberos(kerberos_lab: Lab) -> None:
    """pypsrp's WinRS client over Kerberos (pyspnego + GSSAPI) works against the same host."""
    client = Client(
        "127.0.0.1",
        port=_port(kerberos_lab, "k-other"),
        ssl=False,
        auth="kerberos",
        negotiate_hostname_override="k-other",
        negotiate_delegate=False,
        negotiate_service="HTTP",
        path="wsman",
    )
    assert client.execute_cmd("echo psrp") == ("psrp\r\n", "", 0)
    assert kerberos_lab.counters("k-other")["logins_kerberos"] >= 1


def test_wrong_spn_is_refused(kerberos_lab: Lab) -> None:
    """A ticket for a principal the KDC does not know fails: Kerberos binds the login to the SPN."""
    session = winrm.Session(
        f"http://127.0.0.1:{_port(kerberos_lab, 'k-healthy')}/wsman",
        auth=(None, None),
        transport="kerberos",
        kerberos_hostname_override="attacker-box",
        proxy=None,
        ca_trust_path=None,
    )
    with pytest.raises(Exception, match=r"(?i)kerberos|server not found|gss"):
        session.run_cmd("echo never")


def test_check_host_runs_over_kerberos(kerberos_lab: Lab) -> None:
    """The probe runner checks an inventory host over Kerberos: no password in the inventory."""
    assert "password" not in Path(kerberos_lab.inventory_path or "").read_text()
    report = asyncio.run(check_host("k-healthy", deadline_s=10))
    assert report.reachable, verdict(report)
    assert verdict(report).startswith("Healthy")
    assert kerberos_lab.counters("k-healthy")["logins_kerberos"] >= 1


def test_hosts_in_an_allowed_network_use_kerberos_not_ntlm(
    kerberos_lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside the inventory, a host in CMBOT_WINRM_DOMAINS is checked over Kerberos with its own
    SPN (HTTP/127.0.0.1 for `127.1`); NTLM is not allowed for the credential and never tried."""
    monkeypatch.delenv("CMBOT_INVENTORY")
    monkeypatch.setenv("CMBOT_WINRM_DOMAINS", "127.0.0.0/8")
    monkeypatch.setenv("CMBOT_WINRM_PORT", str(_port(kerberos_lab, "k-other")))
    monkeypatch.delenv("CMBOT_WINRM_ALLOW_NTLM", raising=False)
    before = kerberos_lab.counters("k-other").get("logins_kerberos", 0)
    report = asyncio.run(check_host("127.1", deadline_s=10))
    assert report.reachable, verdict(report)
    counters = kerberos_lab.counters("k-other")
    assert counters["logins_kerberos"] == before + 1 and not counters.get("logins_ntlm")
