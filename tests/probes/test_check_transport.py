"""Transport failures each get a distinct winrm-unreachable explanation within the deadline;
bad host names never reach the network."""

import asyncio
import time

import pytest

from bot.render.present import evidence_text
from lab.testing import Lab
from probes.check import check_host
from tests._words import verdict

DEADLINE = 3.0


@pytest.fixture(autouse=True)
def invalid_domain_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A default credential scoped to the RFC 6761 `.invalid` domain, so its hosts get as far as DNS."""
    monkeypatch.setenv("CMBOT_WINRM_USER", "LAB\\nobody")
    monkeypatch.setenv("CMBOT_WINRM_PASSWORD", "not-used-pw-1")
    monkeypatch.setenv("CMBOT_WINRM_DOMAINS", "invalid")
    monkeypatch.setenv("CMBOT_WINRM_ALLOW_NTLM", "1")


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("pc-404.invalid", "did not resolve"),
        ("lab-winrm-refused", "refused the connection"),
        ("lab-winrm-badcreds", "credentials were rejected"),
        ("lab-winrm-tls", "certificate could not be verified"),
        ("lab-winrm-timeout", "operation timed out"),
        ("lab-winrm-hang", "stopped answering"),
        ("lab-winrm-drop", "dropped without an answer"),
    ],
)
def test_transport_failure_is_explained(full_lab: Lab, host: str, reason: str) -> None:
    """Each failure names its own reason, as a winrm-unreachable finding, before the deadline ends."""
    start = time.monotonic()
    report = asyncio.run(check_host(host, deadline_s=DEADLINE))
    elapsed = time.monotonic() - start
    assert not report.reachable
    assert report.findings[0].id == "winrm-unreachable"
    assert reason in verdict(report)
    assert reason in evidence_text(report.findings[0].evidence[0], "en")
    assert elapsed < DEADLINE + 2.5


def test_reasons_are_distinct(full_lab: Lab) -> None:
    """The six transport failures give six different verdicts."""
    hosts = [
        "pc-404.invalid",
        "lab-winrm-refused",
        "lab-winrm-badcreds",
        "lab-winrm-tls",
        "lab-winrm-timeout",
        "lab-winrm-hang",
    ]
    verdicts = [verdict(asyncio.run(check_host(h, deadline_s=DEADLINE))) for h in hosts]
    assert len(set(verdicts)) == len(hosts)


def test_no_secret_in_reports(full_lab: Lab) -> None:
    """The lab password appears in no report, whatever the failure."""
    secret = full_lab.credentials.password
    for host in ("lab-healthy", "lab-winrm-badcreds", "lab-winrm-tls"):
        report = asyncio.run(check_host(host, deadline_s=DEADLINE))
        assert secret not in report.model_dump_json()


@pytest.mark.parametrize(
    "name",
    [
        "pc1;Remove-Item C:\\",
        "$(calc)",
        "a b",
        "-Credential",
        "",
        "x" * 300,
        "pc\u00e9",
        "pc`whoami`",
        "..",
        "lab-healthy\nx",
    ],
)
def test_bad_host_names_rejected_before_any_connection(full_lab: Lab, name: str) -> None:
    """Injection-shaped or malformed names are refused and no lab host sees a request."""
    before = sum(h.counters["requests"] for h in full_lab.hosts.values())
    report = asyncio.run(check_host(name))
    after = sum(h.counters["requests"] for h in full_lab.hosts.values())
    assert verdict(report).startswith("not checked:")
    assert not report.reachable and report.findings == []
    assert before == after


@pytest.mark.parametrize("kb", ["KB123;rm", "$(x)", "KB", "5031356' -Foo"])
def test_bad_kb_rejected(full_lab: Lab, kb: str) -> None:
    """A KB parameter that is not KB + digits is refused before any connection."""
    report = asyncio.run(check_host("lab-healthy", kbs=[kb]))
    assert verdict(report).startswith("not checked:")
