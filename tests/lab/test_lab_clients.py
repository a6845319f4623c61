"""The real pywinrm and pypsrp clients work against the lab over Basic, NTLM+encryption and HTTPS."""

import base64
import time

import pytest
import requests
import winrm
import winrm.exceptions
from pypsrp.client import Client
from winrm.protocol import Protocol

from lab.testing import Lab
from probes.inventory import InventoryHost

AUTHS = ["t-basic", "t-ntlm", "t-https"]
TRANSPORT = {"basic": "basic", "ntlm": "ntlm", "ssl": "ssl"}


def _session(host: InventoryHost, **kwargs: object) -> winrm.Session:
    extra = {"ca_trust_path": str(host.ca_file)} if host.ca_file else {}
    password = host.password.get_secret_value() if host.password else ""
    return winrm.Session(
        host.endpoint, auth=(host.username or "", password), transport=TRANSPORT[host.auth], **extra, **kwargs
    )


def _protocol(host: InventoryHost, **kwargs: object) -> Protocol:
    extra = {"ca_trust_path": str(host.ca_file)} if host.ca_file else {}
    password = host.password.get_secret_value() if host.password else ""
    return Protocol(
        host.endpoint,
        transport=TRANSPORT[host.auth],
        username=host.username,
        password=password,
        **extra,
        **kwargs,
    )


def _entry(lab: Lab, name: str) -> InventoryHost:
    entry = lab.inventory.get(name)
    assert entry is not None
    return entry


@pytest.mark.parametrize("name", AUTHS)
def test_pywinrm_run_cmd_and_run_ps(lab: Lab, name: str) -> None:
    """run_cmd and run_ps round-trip through the lab with each authentication."""
    session = _session(_entry(lab, name))
    result = session.run_cmd("echo hello")
    assert (result.status_code, result.std_out) == (0, b"hello\r\n")
    result = session.run_ps("Write-Output 'from powershell'")
    assert (result.status_code, result.std_out) == (0, b"from powershell\r\n")


def test_ntlm_bodies_are_encrypted(lab: Lab) -> None:
    """Over HTTP, NTLM SOAP bodies travel as MS-WSMV multipart/encrypted messages."""
    before = lab.counters("t-ntlm").get("encrypted_requests", 0)
    _session(_entry(lab, "t-ntlm")).run_cmd("echo sealed")
    after = lab.counters("t-ntlm").get("encrypted_requests", 0)
    assert isinstance(before, int) and isinstance(after, int)
    assert after - before == 5


@pytest.mark.parametrize("name", AUTHS)
def test_long_script_on_stdin(lab: Lab, name: str) -> None:
    """A script far over the command-line limit travels on stdin and comes back intact."""
    protocol = _protocol(_entry(lab, name))
    body = "".join(f"Write-Output 'line {i:05d} {'x' * 40}'\n" for i in range(400))
    assert len(body) > 10_000
    echo = base64.b64encode("# cmbot-lab: echo-stdin".encode("utf-16-le")).decode()
    shell = protocol.open_shell()
    try:
        command = protocol.run_command(shell, "powershell.exe", ["-EncodedCommand", echo])
        protocol.send_command_input(shell, command, body.encode(), end=True)
        out, err, code = protocol.get_command_output(shell, command)
        protocol.cleanup_command(shell, command)
    finally:
        protocol.close_shell(shell)
    assert (code, err) == (0, b"")
    assert out.decode() == body


@pytest.mark.parametrize("name", AUTHS)
def test_pypsrp_winrs_client(lab: Lab, name: str) -> None:
    """pypsrp's WinRS client (Client.execute_cmd) works over the same transports."""
    host = _entry(lab, name)
    https = host.endpoint.startswith("https")
    port = int(host.endpoint.rsplit(":", 1)[1].split("/")[0])
    client = Client(
        "127.0.0.1",
        port=port,
        username=host.username,
        password=host.password.get_secret_value() if host.password else None,
        ssl=https,
        auth="ntlm" if host.auth == "ntlm" else "basic",
        cert_validation=str(host.ca_file) if https else False,
        encryption="always" if host.auth == "ntlm" else "never",
    )
    assert client.execute_cmd("echo psrp") == ("psrp\r\n", "", 0)


def test_https_fails_against_a_ca_that_did_not_sign(lab: Lab) -> None:
    """Verification stays on: the inventory's wrong CA makes the TLS handshake fail."""
    with pytest.raises(requests.exceptions.SSLError):
        _session(_entry(lab, "t-wrong-ca")).run_cmd("echo never")


def test_wrong_password_is_an_auth_error(lab: Lab) -> None:
    """A wrong password gives pywinrm's InvalidCredentialsError and pypsrp's auth error."""
    host = _entry(lab, "t-badpass")
    with pytest.raises(winrm.exceptions.InvalidCredentialsError):
        _session(host).run_cmd("echo never")
    port = int(host.endpoint.rsplit(":", 1)[1].split("/")[0])
    client = Client("127.0.0.1", port=port, username=host.username, password="wrong", ssl=False, auth="ntlm")
    with pytest.raises(Exception, match=r"(?i)401|auth|credential"):
        client.execute_cmd("echo never")


def test_operation_timeouts_are_retried(lab: Lab) -> None:
    """Three TimedOut faults before output: pywinrm retries as it does against Windows."""
    before = lab.counters("t-timeouts").get("timeouts_sent", 0)
    result = _session(_entry(lab, "t-timeouts")).run_cmd("echo patient")
    assert result.std_out == b"patient\r\n"
    after = lab.counters("t-timeouts").get("timeouts_sent", 0)
    assert isinstance(before, int) and isinstance(after, int) and after - before == 3


def test_hang_is_stopped_by_the_callers_deadline(lab: Lab) -> None:
    """A host that never answers Receive is cut off by the client's read timeout."""
    protocol = _protocol(_entry(lab, "t-hang"), operation_timeout_sec=1, read_timeout_sec=2)
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "echo", ["never"])
    start = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        protocol.get_command_output_raw(shell, command)
    assert time.monotonic() - start < 5


@pytest.mark.parametrize(
    ("codepage", "encoding", "expected"),
    [
        ("932", "cp932", "日本語のテキスト"),
        ("65001", "utf-8", "日本語のテキスト"),
        ("437", "cp437", "????????"),
    ],
)
def test_japanese_round_trips_through_code_pages(
    lab: Lab, codepage: str, encoding: str, expected: str
) -> None:
    """Output is encoded in the shell's code page as Windows does; 437 cannot hold Japanese."""
    protocol = _protocol(_entry(lab, "t-basic"))
    script = base64.b64encode("Write-Output '日本語のテキスト'".encode("utf-16-le")).decode()
    shell = protocol.open_shell(codepage=int(codepage))
    try:
        command = protocol.run_command(shell, "powershell", ["-EncodedCommand", script])
        out, _, code = protocol.get_command_output(shell, command)
        protocol.cleanup_command(shell, command)
    finally:
        protocol.close_shell(shell)
    assert code == 0
    assert out.decode(encoding).strip() == expected


def _probe_stdout(lab: Lab, name: str) -> tuple[bytes, int]:
    """Run the real bootstrap with the bundle on stdin, as probes/runner.py does."""
    from probes.scripts import bootstrap_arguments, bundle_script, stdin_payload  # noqa: PLC0415

    protocol = _protocol(_entry(lab, name))
    shell = protocol.open_shell(codepage=65001)
    try:
        command = protocol.run_command(shell, "powershell.exe", bootstrap_arguments())
        protocol.send_command_input(shell, command, stdin_payload(bundle_script(), {"kbs": []}), end=True)
        out, _err, code = protocol.get_command_output(shell, command)
        protocol.cleanup_command(shell, command)
    finally:
        protocol.close_shell(shell)
    return out, code


def test_powershell_2_host_prints_only_its_host_line(lab: Lab) -> None:
    """A PS 2.0 lab host answers the bootstrap with the host line and exit 0, nothing else."""
    out, code = _probe_stdout(lab, "t-ps2")
    assert (out, code) == (b"CMBOT-HOST ps=2.0 lang=FullLanguage\r\n", 0)


def test_bom_and_warning_host_output_on_the_wire(lab: Lab) -> None:
    """The BOM host's stdout starts with EF BB BF and a WARNING line before the marker lines."""
    out, code = _probe_stdout(lab, "t-bom")
    assert code == 0 and out.startswith(b"\xef\xbb\xbfWARNING: a profile module warned\r\nCMBOT-HOST ps=5.1")
    assert b"CMBOT-SECTION disk " in out and out.endswith(b"CMBOT-END\r\n")
