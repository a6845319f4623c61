"""Hostile WinRM endpoints on loopback, for tests: they record what the bot sends them.

- `record`: answers every POST `401 WWW-Authenticate: Negotiate`, as an attacker's listener does to
  collect an NTLM exchange (security review V1); every Authorization header is kept.
- `drip`: after reading a request, sends a 401 one byte every `drip_s` seconds, forever (V6).
- `huge`: answers 200 with a body of `huge_bytes` bytes and no Content-Length (V6).

Each also works as an HTTP proxy target: a proxied request arrives with an absolute URL.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["record", "drip", "huge"]
CHALLENGE = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"


@dataclass
class Seen:
    request_line: str
    authorization: str | None


@dataclass
class HostileEndpoint:
    mode: Mode = "record"
    drip_s: float = 2.0
    huge_bytes: int = 20 * 1024 * 1024
    seen: list[Seen] = field(default_factory=list)
    _server: socketserver.ThreadingTCPServer | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/wsman"

    @property
    def authorizations(self) -> list[str]:
        return [s.authorization for s in self.seen if s.authorization]

    def start(self) -> HostileEndpoint:
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                owner.serve(self.connection)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> HostileEndpoint:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def serve(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        try:
            while not self._stopping.is_set():
                line = reader.readline(65536)
                if not line:
                    return
                headers: dict[str, str] = {}
                while (header := reader.readline(65536)) not in (b"\r\n", b"\n", b""):
                    name, _, value = header.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                if length:
                    reader.read(length)
                self.seen.append(Seen(line.decode("latin-1").strip(), headers.get("authorization")))
                if self.mode == "record":
                    connection.sendall(CHALLENGE + b"Content-Length: 0\r\n\r\n")
                elif self.mode == "drip":
                    self._drip(connection)
                    return
                else:
                    self._huge(connection)
                    return
        except OSError:
            return
        finally:
            reader.close()

    def _drip(self, connection: socket.socket) -> None:
        reply = CHALLENGE + b"X-Drip: " + b"." * 10_000
        for byte in reply:
            if self._stopping.wait(self.drip_s):
                return
            connection.sendall(bytes([byte]))

    def _huge(self, connection: socket.socket) -> None:
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nConnection: close\r\n\r\n"
        )
        chunk = b"A" * 65536
        sent = 0
        while sent < self.huge_bytes and not self._stopping.is_set():
            connection.sendall(chunk)
            sent += len(chunk)
