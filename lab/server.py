"""One lab host: a WS-Management/WinRS server on a loopback port, answering from its scenario.

Each TCP connection gets its own handler object, which is where an NTLM security context lives
(MS-WSMV binds the context to the connection). Replies always carry Content-Length, and Nagle
is off, as the reference found both necessary for pywinrm to run at full speed.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import socket
import ssl
import struct
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import spnego
import spnego.exceptions

from lab import soap
from lab.scenario import Scenario
from lab.shell import Command, encode_output, run

log = logging.getLogger("cmbot.lab")

MAX_SHELLS_PER_USER = 30
OUTPUT_CHUNK = 100_000
MAX_BODY = 4 * 1024 * 1024
BOUNDARY = b"--Encrypted Boundary"
SPNEGO_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"


@dataclass
class Shell:
    codepage: str
    commands: dict[str, Command] = field(default_factory=dict)


@dataclass
class Credentials:
    domain: str
    username: str
    password: str

    @property
    def qualified(self) -> str:
        return f"{self.domain}\\{self.username}"


class HostCounters:
    """Thread-safe counters that tests read to assert round trips and cleanup."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self.probes: Counter[str] = Counter()

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[name] += amount

    def probe(self, name: str) -> None:
        with self._lock:
            self.probes[name] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {**dict(self._counts), "probes": dict(self.probes)}

    def __getitem__(self, name: str) -> int:
        with self._lock:
            return self._counts[name]


class LabHost:
    """Serves one scenario until `stop()`."""

    def __init__(self, scenario: Scenario, credentials: Credentials, tls: ssl.SSLContext | None) -> None:
        self.scenario = scenario
        self.credentials = credentials
        self.counters = HostCounters()
        self.shells: dict[str, Shell] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.host = self
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port: int = self._server.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self.endpoint = f"{self.scheme}://127.0.0.1:{self.port}/wsman"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"lab-{scenario.name}",
        )

    @property
    def shells_open(self) -> int:
        with self.lock:
            return len(self.shells)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    host: LabHost

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("lab connection from %s ended abnormally", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 60
    server: _Server
    _ntlm: Any = None

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("lab %s: " + format, self.server.host.scenario.name, *args)

    # --- HTTP plumbing ----------------------------------------------------------------------

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _unauthorized(self, challenge: str) -> None:
        self.server.host.counters.add(
            "auth_failures" if challenge in ('Basic realm="WSMAN"',) else "auth_rounds"
        )
        self._reply(401, headers={"WWW-Authenticate": challenge})

    def do_GET(self) -> None:
        host = self.server.host
        if self.path == "/lab/counters":
            body = json.dumps({**host.counters.snapshot(), "shells_open": host.shells_open}).encode()
            self._reply(200, body, {"Content-Type": "application/json"})
        else:
            self._reply(404)

    def do_POST(self) -> None:
        host = self.server.host
        faults = host.scenario.faults
        host.counters.add("requests")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._reply(413)
            return
        body = self.rfile.read(length) if length else b""
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        if faults.drop_connection:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if host.scenario.auth == "ntlm":
            self._post_negotiate(body)
        else:
            self._post_basic(body)

    def _post_basic(self, body: bytes) -> None:
        header = self.headers.get("Authorization", "")
        creds = self.server.host.credentials
        expected = base64.b64encode(f"{creds.qualified}:{creds.password}".encode()).decode()
        expected_plain = base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
        if header not in (f"Basic {expected}", f"Basic {expected_plain}"):
            self._unauthorized('Basic realm="WSMAN"')
            return
        status, reply = self._dispatch(body)
        self._reply(status, reply, {"Content-Type": "application/soap+xml;charset=UTF-8"})

    def _post_negotiate(self, body: bytes) -> None:
        """Negotiate, as Windows offers it: NTLM (checked against NTLM_USER_FILE) or Kerberos
        (checked by MIT GSSAPI against the lab keytab, KRB5_KTNAME), then MS-WSMV encryption."""
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() in ("negotiate", "ntlm", "kerberos") and token:
            self._auth_step(scheme, token, body)
            return
        if self._ntlm is None or not self._ntlm.complete:
            self._unauthorized("Negotiate")
            return
        self._serve_encrypted(body)

    def _auth_step(self, scheme: str, token: str, body: bytes) -> None:
        try:
            raw = base64.b64decode(token)
            if self._ntlm is None or self._ntlm.complete or raw[8:12] == b"\x01\x00\x00\x00":
                self._ntlm = _acceptor(raw)
            out = self._ntlm.step(raw)
        except (spnego.exceptions.SpnegoError, binascii.Error, ValueError):
            self._ntlm = None
            self.server.host.counters.add("auth_failures")
            self._reply(401, headers={"WWW-Authenticate": "Negotiate"})
            return
        if not self._ntlm.complete:
            self.server.host.counters.add("auth_rounds")
            challenge = f"{scheme} {base64.b64encode(out or b'').decode()}"
            self._reply(401, headers={"WWW-Authenticate": challenge})
            return
        self.server.host.counters.add(f"logins_{self._ntlm.negotiated_protocol}")
        # Kerberos clients ask for mutual authentication: the AP-REP rides on the 200 (RFC 4559 5).
        mutual = {"WWW-Authenticate": f"{scheme} {base64.b64encode(out).decode()}"} if out else {}
        if body and self.headers.get("Content-Type", "").startswith("multipart/encrypted"):
            self._serve_encrypted(body, mutual)
        elif body:
            status, reply = self._dispatch(body)
            self._reply(status, reply, {"Content-Type": "application/soap+xml;charset=UTF-8", **mutual})
        else:
            self._reply(200, headers=mutual)

    def _serve_encrypted(self, body: bytes, extra: dict[str, str] | None = None) -> None:
        try:
            plain = self._unwrap(body)
        except (ValueError, spnego.exceptions.SpnegoError):
            self._reply(400)
            return
        self.server.host.counters.add("encrypted_requests")
        status, reply = self._dispatch(plain)
        # MS-WSMV 2.2.9.1.1: <u32 LE header length><header><sealed data>, for NTLM and Kerberos alike.
        wrapped = self._ntlm.wrap_winrm(reply)
        signature, sealed = wrapped.header, wrapped.data
        payload = (
            BOUNDARY + b"\r\n\tContent-Type: " + SPNEGO_PROTOCOL.encode() + b"\r\n"
            b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
            + str(len(reply)).encode()
            + b"\r\n"
            + BOUNDARY
            + b"\r\n\tContent-Type: application/octet-stream\r\n"
            + struct.pack("<i", len(signature))
            + signature
            + sealed
            + BOUNDARY
            + b"--\r\n"
        )
        content_type = f'multipart/encrypted;protocol="{SPNEGO_PROTOCOL}";boundary="Encrypted Boundary"'
        self._reply(status, payload, {"Content-Type": content_type, **(extra or {})})

    def _unwrap(self, body: bytes) -> bytes:
        marker = b"\tContent-Type: application/octet-stream\r\n"
        start = body.index(marker) + len(marker)
        end = body.rindex(BOUNDARY + b"--")
        data = body[start:end]
        sig_len = struct.unpack("<i", data[:4])[0]
        signature, sealed = data[4 : 4 + sig_len], data[4 + sig_len :]
        return bytes(self._ntlm.unwrap_winrm(signature, sealed))

    # --- WinRS ------------------------------------------------------------------------------

    def _dispatch(self, body: bytes) -> tuple[int, bytes]:
        host = self.server.host
        try:
            req = soap.parse_request(body)
        except soap.SoapError as exc:
            return 500, soap.fault(
                "", subcode="w:InvalidMessageInformationHeader", code=soap.CODE_BAD_REQUEST, reason=str(exc)
            )
        handler = {
            soap.ACTION_CREATE: self._create,
            soap.ACTION_COMMAND: self._command,
            soap.ACTION_SEND: self._send,
            soap.ACTION_RECEIVE: self._receive,
            soap.ACTION_SIGNAL: self._signal,
            soap.ACTION_DELETE: self._delete,
        }.get(req.action)
        if handler is None:
            return 500, soap.fault(
                req.message_id,
                subcode="w:ActionNotSupported",
                code=soap.CODE_BAD_REQUEST,
                reason=f"The action {req.action} is not supported by the service.",
            )
        if req.action != soap.ACTION_CREATE:
            with host.lock:
                shell = host.shells.get(req.shell_id or "")
            if shell is None:
                return 500, _invalid_selectors(req)
        return handler(req)

    def _create(self, req: soap.Request) -> tuple[int, bytes]:
        host = self.server.host
        with host.lock:
            if len(host.shells) >= MAX_SHELLS_PER_USER:
                return 500, soap.fault(
                    req.message_id,
                    subcode="w:InternalError",
                    code=soap.CODE_SHELL_QUOTA,
                    reason=f"The WS-Management service cannot process the request. This user is allowed a "
                    f"maximum number of {MAX_SHELLS_PER_USER} concurrent shells, which has been exceeded.",
                )
            shell_id = str(uuid.uuid4()).upper()
            host.shells[shell_id] = Shell(codepage=req.options.get("WINRS_CODEPAGE", "437"))
        host.counters.add("shells_created")
        return 200, soap.create_response(req, shell_id, host.endpoint)

    def _shell(self, req: soap.Request) -> Shell:
        with self.server.host.lock:
            return self.server.host.shells[req.shell_id or ""]

    def _command(self, req: soap.Request) -> tuple[int, bytes]:
        node = req.body.find("rsp:CommandLine", soap.NS)
        text = "" if node is None else (node.findtext("rsp:Command", default="", namespaces=soap.NS) or "")
        args = [] if node is None else [a.text or "" for a in node.iterfind("rsp:Arguments", soap.NS)]
        command_line = " ".join([text.strip(), *args]).strip()
        command_id = str(uuid.uuid4()).upper()
        self._shell(req).commands[command_id] = Command(command_line=command_line)
        self.server.host.counters.add("commands")
        return 200, soap.command_response(req, command_id)

    def _command_of(self, req: soap.Request) -> Command | None:
        command_id = soap.command_id_of(req.body) or ""
        return self._shell(req).commands.get(command_id)

    def _send(self, req: soap.Request) -> tuple[int, bytes]:
        command = self._command_of(req)
        if command is None:
            return 500, _invalid_selectors(req)
        for stream in req.body.iterfind("rsp:Send/rsp:Stream", soap.NS):
            if stream.text:
                command.stdin.extend(base64.b64decode(stream.text))
            if stream.get("End", "").lower() == "true":
                command.stdin_done = True
        return 200, soap.send_response(req)

    def _receive(self, req: soap.Request) -> tuple[int, bytes]:
        host = self.server.host
        faults = host.scenario.faults
        command = self._command_of(req)
        command_id = soap.command_id_of(req.body) or ""
        if command is None:
            return 500, _invalid_selectors(req)
        if faults.hang:
            host.stopping.wait(3600)
            self.close_connection = True
            return 500, b""
        stalled = command.stall and not command.pending
        if faults.always_timeout or stalled or command.timeouts_sent < faults.operation_timeouts:
            command.timeouts_sent += 1
            host.counters.add("timeouts_sent")
            time.sleep(0.02)
            return 500, soap.fault(
                req.message_id,
                subcode="w:TimedOut",
                code=soap.CODE_TIMED_OUT,
                reason="The WS-Management service cannot complete the operation within the time specified "
                "in OperationTimeout.",
            )
        shell = self._shell(req)
        if not command.started:
            outcome = run(command, host=host.scenario.name, scenario=host.scenario, codepage=shell.codepage)
            out = encode_output(outcome.stdout, shell.codepage)
            command.pending = [
                ("stdout", out[i : i + OUTPUT_CHUNK]) for i in range(0, len(out), OUTPUT_CHUNK)
            ]
            if outcome.stderr:
                command.pending.append(("stderr", encode_output(outcome.stderr, shell.codepage)))
            command.exit_code, command.started, command.probe = outcome.exit_code, True, outcome.probe
            command.stall = outcome.stall
            if outcome.probe:
                host.counters.probe(outcome.probe)
        piece = [command.pending.pop(0)] if command.pending else []
        if piece and piece[0][0] == "stdout" and command.pending and command.pending[0][0] == "stderr":
            piece.append(command.pending.pop(0))
        streams = [(name, base64.b64encode(data).decode()) for name, data in piece]
        done = not command.pending and not command.stall
        return 200, soap.receive_response(req, command_id, streams, done=done, exit_code=command.exit_code)

    def _signal(self, req: soap.Request) -> tuple[int, bytes]:
        command_id = soap.command_id_of(req.body) or ""
        self._shell(req).commands.pop(command_id, None)
        return 200, soap.signal_response(req)

    def _delete(self, req: soap.Request) -> tuple[int, bytes]:
        host = self.server.host
        with host.lock:
            host.shells.pop(req.shell_id or "", None)
        host.counters.add("shells_deleted")
        return 200, soap.delete_response(req)


def _acceptor(first_token: bytes) -> Any:
    """An NTLM acceptor for NTLMSSP tokens, else Kerberos (raw or SPNEGO-wrapped) through GSSAPI."""
    if first_token.startswith(b"NTLMSSP\x00"):
        return spnego.server(protocol="ntlm")
    return spnego.server(protocol="negotiate" if _is_spnego(first_token) else "kerberos")


def _is_spnego(token: bytes) -> bool:
    """RFC 4178 InitialContextToken carries the SPNEGO OID 1.3.6.1.5.5.2 (06 06 2b 06 01 05 05 02)."""
    return b"\x06\x06\x2b\x06\x01\x05\x05\x02" in token[:16] or token[:1] == b"\xa1"


def _invalid_selectors(req: soap.Request) -> bytes:
    return soap.fault(
        req.message_id,
        subcode="w:InvalidSelectors",
        code=soap.CODE_INVALID_SELECTORS,
        reason="The WS-Management service cannot process the request because the request contained invalid "
        "selectors for the resource.",
    )


def tls_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context
