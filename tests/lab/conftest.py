"""One lab per test module, on loopback ports chosen by the OS."""

from collections.abc import Iterator

import pytest

from lab.scenario import Faults, PowerShellHost, Scenario
from lab.testing import Lab, run_lab


def _host(name: str, auth: str = "ntlm", **faults: object) -> Scenario:
    return Scenario(name=name, scenario="healthy", auth=auth, faults=Faults(**faults))  # type: ignore[arg-type]


LAB_HOSTS = [
    _host("t-basic", "basic"),
    _host("t-ntlm", "ntlm"),
    _host("t-https", "https"),
    _host("t-wrong-ca", "https", untrusted_certificate=True),
    _host("t-badpass", "ntlm", wrong_password=True),
    _host("t-timeouts", "basic", operation_timeouts=3),
    _host("t-hang", "basic", hang=True),
    Scenario(name="t-ps2", scenario="cannot-check", auth="basic", powershell=PowerShellHost(version="2.0")),
    Scenario(
        name="t-bom",
        scenario="healthy",
        auth="basic",
        powershell=PowerShellHost(stdout_bom=True, warning_lines=["WARNING: a profile module warned"]),
        state={"disk": {"drive": "C:", "size_bytes": "100", "free_bytes": "50"}},
    ),
]


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with run_lab(LAB_HOSTS) as running:
        yield running
