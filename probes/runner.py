"""Run one probe script on one host over WinRM, within a wall-clock deadline.

pywinrm retries operation timeouts forever, so the Receive loop is ours: it stops at the
deadline, and the command and shell are always signalled and deleted. Every HTTP exchange runs
under a watchdog that closes the connection at the deadline and caps each response (V6), and
the session uses no proxy and no CA bundle from the environment (V12). Transport failures come
back as `Unreachable` with a reason that tells DNS, refusal, auth, TLS, timeout and hang apart.

Authentication: Kerberos with the host's SPN (HTTP/<host>, from the bot's ticket cache or client
keytab), NTLM only where the credential allows it, Basic only over HTTPS with the certificate
verified (pywinrm transports: diyan/pywinrm:winrm/transport.py).
"""

from __future__ import annotations

import contextlib
import math
import socket
import time
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import requests
import winrm.exceptions
from winrm.protocol import Protocol
from winrm.transport import Transport

from probes.credentials import Credential
from probes.inventory import InventoryHost
from probes.output import BundleOutput, decode_clixml, decode_stdout, parse_output
from probes.scripts import bootstrap_arguments, stdin_payload
from probes.watchdog import DeadlinePassed, ResponseTooLarge, Watchdog, WatchedAdapter

CLEANUP_SECONDS = 3.0
MAX_OUTPUT_BYTES = 16 * 1024 * 1024

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


class _WatchedTransport(Transport):
    """pywinrm's Transport, with every request sent through a WatchedAdapter."""

    watchdog: Watchdog

    def _send_message_request(self, session: requests.Session, prepared_request: Any) -> Any:
        adapter = session.adapters.get("http://")
        if not isinstance(adapter, WatchedAdapter):
            watched = WatchedAdapter(self.watchdog)
            session.mount("http://", watched)
            session.mount("https://", watched)
        return super()._send_message_request(session, prepared_request)


def _protocol(host: InventoryHost, credential: Credential, watchdog: Watchdog) -> Protocol:
    remaining = max(1.0, watchdog.remaining())
    operation = max(1, min(20, int(remaining) - 1))
    # The watchdog enforces the deadline; the per-read timeout only has to outlast it (and pywinrm
    # requires it to exceed the operation timeout).
    read = max(operation + 1, math.ceil(remaining) + 1)
    https = host.endpoint.startswith("https://")
    kwargs: dict[str, Any] = {}
    if host.auth in ("basic", "plaintext", "ssl") and not https:
        raise Unreachable(
            "config", "Basic authentication is only used over HTTPS; use NTLM or Kerberos on HTTP"
        )
    if host.auth == "certificate":
        if not (host.cert_pem and host.cert_key_pem):
            raise Unreachable("config", "certificate auth needs cert_pem and cert_key_pem in the inventory")
        kwargs["cert_pem"], kwargs["cert_key_pem"] = str(host.cert_pem), str(host.cert_key_pem)
    if host.auth == "kerberos":
        kwargs["kerberos_hostname_override"] = host.kerberos_host or urlsplit(host.endpoint).hostname
        principal = credential.username if credential.username and "@" in credential.username else None
        username, password = principal, None
    elif host.auth == "ntlm" and not credential.allow_ntlm:
        raise Unreachable(
            "config", f"NTLM is not allowed for this credential (set {credential.source}_ALLOW_NTLM=1)"
        )
    else:
        username = credential.username
        password = credential.password.get_secret_value() if credential.password else None
    # No proxy and no CA bundle from the environment (HTTP_PROXY, REQUESTS_CA_BUNDLE): only what
    # the inventory says (pywinrm's defaults are "legacy_requests", which read them; V12).
    settings: dict[str, Any] = {
        "endpoint": host.endpoint,
        "username": username,
        "password": password,
        "server_cert_validation": "validate",
        "message_encryption": "auto",
        "ca_trust_path": str(host.ca_file) if host.ca_file else None,
        "proxy": None,
        "service": "HTTP",  # the SPN is HTTP/<host>, as WinRM registers it
        **kwargs,
    }
    protocol = Protocol(
        transport=_transport(host), operation_timeout_sec=operation, read_timeout_sec=read, **settings
    )
    transport = _WatchedTransport(
        auth_method=_transport(host), read_timeout_sec=protocol.read_timeout_sec, **settings
    )
    transport.watchdog = watchdog
    protocol.transport = transport
    return protocol


def classify(exc: BaseException) -> Unreachable:
    """Map a client-library failure to a reason a support engineer can act on."""
    if isinstance(exc, Unreachable):
        return exc
    if isinstance(exc, DeadlinePassed):
        return Unreachable("hang")
    if isinstance(exc, ResponseTooLarge):
        return Unreachable("protocol", str(exc))
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
    watchdog = Watchdog(start + deadline_s)
    try:
        return _run_watched(host, credential, script, params, watchdog=watchdog, start=start)
    finally:
        watchdog.cancel()


def _run_watched(
    host: InventoryHost,
    credential: Credential,
    script: str,
    params: dict[str, Any],
    *,
    watchdog: Watchdog,
    start: float,
) -> ProbeResult:
    try:
        protocol = _protocol(host, credential, watchdog)
        shell_id = protocol.open_shell(codepage=65001)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a classified reason
        raise _classified(exc, watchdog) from None
    command_id: str | None = None
    failed = False
    try:
        command_id = protocol.run_command(shell_id, "powershell.exe", bootstrap_arguments())
        protocol.send_command_input(shell_id, command_id, stdin_payload(script, params), end=True)
        stdout, stderr, code = _receive_all(protocol, shell_id, command_id, watchdog.deadline)
    except Exception as exc:  # noqa: BLE001 - classified into a reason; cleanup runs after
        failed = True
        reason = _classified(exc, watchdog)
        partial = _decode_document(reason.partial_stdout)
        if reason.reason not in ("timeout", "hang") or not partial.has_markers:
            raise reason from None
        # The deadline cut the bundle: keep every section that already ran (defect 7).
        return ProbeResult(partial, "", time.monotonic() - start)
    finally:
        _close(host, credential, protocol, shell_id, command_id, fresh_session=failed or watchdog.fired)
    return ProbeResult(
        _interpret(stdout, stderr, code), decode_clixml(decode_stdout(stderr)), time.monotonic() - start
    )


def _classified(exc: BaseException, watchdog: Watchdog) -> Unreachable:
    """A failure after the watchdog fired is the deadline, whatever the library made of it."""
    reason = classify(exc)
    if watchdog.fired and reason.reason not in ("timeout", "hang"):
        return Unreachable("hang", partial_stdout=reason.partial_stdout)
    return reason


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
    unusable, so the cleanup runs on a fresh session under its own short watchdog."""
    transport = protocol.transport
    assert isinstance(transport, _WatchedTransport)
    watchdog = transport.watchdog
    if fresh_session or watchdog.fired:
        watchdog = Watchdog(time.monotonic() + CLEANUP_SECONDS)
        with contextlib.suppress(Exception):
            protocol = _protocol(host, credential, watchdog)
    else:
        watchdog.rearm(time.monotonic() + CLEANUP_SECONDS)
    try:
        if command_id is not None:
            _quietly(protocol.cleanup_command, shell_id, command_id)
        _quietly(protocol.close_shell, shell_id)
    finally:
        watchdog.cancel()


def _receive_all(
    protocol: Protocol, shell_id: str, command_id: str, deadline: float
) -> tuple[bytes, bytes, int]:
    stdout, stderr = bytearray(), bytearray()
    operation_timeouts = 0
    while True:
        if time.monotonic() >= deadline:
            raise Unreachable("timeout", partial_stdout=bytes(stdout))
        try:
            out, err, code, done = protocol.get_command_output_raw(shell_id, command_id)
        except winrm.exceptions.WinRMOperationTimeoutError:
            operation_timeouts += 1
            continue
        except Exception:
            if time.monotonic() >= deadline:
                # Cut by the watchdog at the deadline: still timing out is a timeout, a stalled
                # read a hang; either way keep what the bundle already streamed (defect 7).
                reason: Reason = "timeout" if operation_timeouts else "hang"
                raise Unreachable(reason, partial_stdout=bytes(stdout)) from None
            raise
        stdout += out
        stderr += err
        if len(stdout) + len(stderr) > MAX_OUTPUT_BYTES:
            raise Unreachable(
                "protocol", f"the probe sent more than {MAX_OUTPUT_BYTES // 2**20} MB of output"
            )
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
