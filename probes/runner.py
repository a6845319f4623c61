"""Run one probe script on one host over WinRM, within a wall-clock deadline.

pywinrm retries operation timeouts forever, so the Receive loop is ours: it stops at the
deadline, and the command and shell are always signalled and deleted. Transport failures come
back as `Unreachable` with a reason that tells DNS, refusal, auth, TLS, timeout and hang apart.
"""

from __future__ import annotations

import contextlib
import socket
import time
from dataclasses import dataclass
from typing import Any, Literal

import requests
import winrm.exceptions
from winrm.protocol import Protocol

from probes.credentials import Credential
from probes.inventory import InventoryHost
from probes.output import BundleOutput, decode_clixml, decode_stdout, parse_output
from probes.scripts import bootstrap_arguments, stdin_payload

CLEANUP_SECONDS = 3.0

Reason = Literal[
    "dns", "refused", "auth", "tls", "timeout", "hang", "dropped", "protocol", "script", "config"
]

REASON_TEXT: dict[Reason, str] = {
    "dns": "the host name did not resolve (DNS)",
    "refused": "the WinRM port refused the connection (WinRM not listening or blocked by a firewall)",
    "auth": "the WinRM credentials were rejected (HTTP 401)",
    "tls": "the TLS certificate could not be verified",
    "timeout": "the machine kept answering 'operation timed out' until the deadline",
    "hang": "the machine stopped answering (no reply before the deadline)",
    "dropped": "the connection was dropped without an answer",
    "protocol": "the WinRM service answered with an error",
    "script": "the probe script failed on the machine",
    "config": "cmbot refuses this host's WinRM settings",
}


class Unreachable(Exception):
    """The probe could not run; `reason` is one of REASON_TEXT's keys."""

    def __init__(self, reason: Reason, detail: str = "", partial_stdout: bytes = b"") -> None:
        self.reason = reason
        self.detail = detail
        self.partial_stdout = partial_stdout
        super().__init__(REASON_TEXT[reason] + (f": {detail}" if detail else ""))


@dataclass(frozen=True)
class ProbeResult:
    document: BundleOutput
    stderr: str
    seconds: float


def _transport(host: InventoryHost) -> Any:
    return "ssl" if host.endpoint.startswith("https://") and host.auth == "basic" else host.auth


def _protocol(host: InventoryHost, credential: Credential, remaining: float) -> Protocol:
    operation = max(1, min(20, int(remaining) - 1))
    read = operation + max(1, min(10, int(remaining) - operation))
    kwargs: dict[str, Any] = {}
    if host.ca_file:
        kwargs["ca_trust_path"] = str(host.ca_file)
    if host.auth in ("basic", "plaintext") and not host.endpoint.startswith("https://"):
        raise Unreachable(
            "config", "Basic authentication is only used over HTTPS; use NTLM or Kerberos on HTTP"
        )
    if host.auth == "certificate":
        if not (host.cert_pem and host.cert_key_pem):
            raise Unreachable("config", "certificate auth needs cert_pem and cert_key_pem in the inventory")
        kwargs["cert_pem"], kwargs["cert_key_pem"] = str(host.cert_pem), str(host.cert_key_pem)
    return Protocol(
        endpoint=host.endpoint,
        transport=_transport(host),
        username=credential.username,
        password=credential.password.get_secret_value() if credential.password else None,
        server_cert_validation="validate",
        message_encryption="auto",
        operation_timeout_sec=operation,
        read_timeout_sec=read,
        **kwargs,
    )


def classify(exc: BaseException) -> Unreachable:
    """Map a client-library failure to a reason a support engineer can act on."""
    if isinstance(exc, Unreachable):
        return exc
    if isinstance(exc, winrm.exceptions.InvalidCredentialsError):
        return Unreachable("auth")
    if isinstance(exc, requests.exceptions.SSLError):
        return Unreachable("tls", _short(exc))
    if isinstance(exc, requests.exceptions.ReadTimeout | requests.exceptions.ConnectTimeout):
        return Unreachable("hang")
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = repr(exc)
        if "NameResolution" in text or "gaierror" in text or "Name or service not known" in text:
            return Unreachable("dns")
        if "Connection refused" in text or "ConnectionRefusedError" in text:
            return Unreachable("refused")
        return Unreachable("dropped")
    if isinstance(exc, socket.gaierror):
        return Unreachable("dns")
    if isinstance(exc, winrm.exceptions.WinRMOperationTimeoutError):
        return Unreachable("timeout")
    if isinstance(exc, winrm.exceptions.WinRMError | winrm.exceptions.WinRMTransportError):
        return Unreachable("protocol", _short(exc))
    return Unreachable("protocol", type(exc).__name__)


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


def run_probe(
    host: InventoryHost, credential: Credential, script: str, params: dict[str, Any], *, deadline_s: float
) -> ProbeResult:
    """Run `script` on `host` and decode its base64 JSON document. Raises Unreachable."""
    start = time.monotonic()
    deadline = start + deadline_s
    try:
        protocol = _protocol(host, credential, deadline_s)
        shell_id = protocol.open_shell(codepage=65001)
    except Exception as exc:
        raise classify(exc) from None
    command_id: str | None = None
    failed = False
    try:
        command_id = protocol.run_command(shell_id, "powershell.exe", bootstrap_arguments())
        protocol.send_command_input(shell_id, command_id, stdin_payload(script, params), end=True)
        stdout, stderr, code = _receive_all(protocol, shell_id, command_id, deadline)
    except Exception as exc:
        failed = True
        reason = classify(exc)
        partial = _decode_document(reason.partial_stdout)
        if reason.reason != "timeout" or not partial.has_markers:
            raise reason from None
        # The deadline cut the bundle: keep every section that already ran (defect 7).
        return ProbeResult(partial, "", time.monotonic() - start)
    finally:
        _close(host, credential, protocol, shell_id, command_id, fresh_session=failed)
    return ProbeResult(
        _interpret(stdout, stderr, code), decode_clixml(decode_stdout(stderr)), time.monotonic() - start
    )


def _close(
    host: InventoryHost,
    credential: Credential,
    protocol: Protocol,
    shell_id: str,
    command_id: str | None,
    *,
    fresh_session: bool,
) -> None:
    """Signal and delete, always. After a failure the old connection (and its NTLM context) may be
    unusable, so the cleanup runs on a fresh session with a short deadline."""
    if fresh_session:
        with contextlib.suppress(Exception):
            protocol = _protocol(host, credential, CLEANUP_SECONDS)
    if command_id is not None:
        _quietly(protocol.cleanup_command, shell_id, command_id)
    _quietly(protocol.close_shell, shell_id)


def _receive_all(
    protocol: Protocol, shell_id: str, command_id: str, deadline: float
) -> tuple[bytes, bytes, int]:
    stdout, stderr = bytearray(), bytearray()
    while True:
        if time.monotonic() >= deadline:
            raise Unreachable("timeout", partial_stdout=bytes(stdout))
        try:
            out, err, code, done = protocol.get_command_output_raw(shell_id, command_id)
        except winrm.exceptions.WinRMOperationTimeoutError:
            continue
        stdout += out
        stderr += err
        if done:
            return bytes(stdout), bytes(stderr), code


def _decode_document(stdout: bytes) -> BundleOutput:
    """The marker lines of stdout, whatever else (a BOM, WARNING lines) the host wrote around them."""
    return parse_output(decode_stdout(stdout))


def _interpret(stdout: bytes, stderr: bytes, code: int) -> BundleOutput:
    """A run that printed no marker at all failed before the bootstrap: say why, from its stderr."""
    output = _decode_document(stdout)
    if output.has_markers:
        return output
    error = decode_clixml(decode_stdout(stderr))
    detail = f"exit code {code}" + (f": {error[:300]}" if error else ", and no probe output")
    raise Unreachable("script", detail)


def _quietly(func: Any, *args: Any) -> None:
    """Cleanup after a failure must not hide the first error."""
    with contextlib.suppress(Exception):
        func(*args)
