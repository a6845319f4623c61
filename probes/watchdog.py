"""A wall-clock deadline for every HTTP exchange with one host, and a cap on what it may send.

requests' read timeout applies to each socket read, so a server that sends one byte every two
seconds keeps an exchange alive forever (security review V6; requests docs, "Timeouts":
https://requests.readthedocs.io/en/latest/user/advanced/#timeouts). The watchdog keeps every
socket the probe's session opens and shuts them all down when the deadline passes: the blocked
read returns at once, in whatever phase (the 401 before authentication, a Receive, the cleanup).
Responses are read in chunks and refused past MAX_RESPONSE_BYTES, so a host cannot fill memory.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024


class DeadlinePassed(requests.exceptions.ConnectionError):
    """The watchdog closed the connection: the host did not finish before the deadline."""


class ResponseTooLarge(requests.exceptions.ContentDecodingError):
    """A response body over MAX_RESPONSE_BYTES: refused, connection closed."""


class Watchdog:
    """Shuts down every registered socket at `deadline` (time.monotonic()); thread-safe."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = self._start_timer()

    def _start_timer(self) -> threading.Timer:
        timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self.fire)
        timer.daemon = True
        timer.start()
        return timer

    def rearm(self, deadline: float) -> None:
        """A new deadline for the same connections (the cleanup after a finished command)."""
        self._timer.cancel()
        self.deadline = deadline
        self._timer = self._start_timer()

    def register(self, sock: socket.socket) -> None:
        with self._lock:
            if not self.fired:
                self._sockets.append(sock)
                return
        _shut(sock)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._sockets.clear()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class WatchedAdapter(requests.adapters.HTTPAdapter):
    """An HTTPAdapter whose connections register their sockets with a Watchdog, and whose
    responses are read under the size cap."""

    def __init__(self, watchdog: Watchdog, max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.watchdog = watchdog
        self.max_bytes = max_bytes
        super().__init__(pool_connections=1, pool_maxsize=1, max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        watchdog = self.watchdog

        class _HTTP(urllib3.connection.HTTPConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                watchdog.register(sock)
                return sock

        class _HTTPS(urllib3.connection.HTTPSConnection):
            def _new_conn(self) -> socket.socket:
                sock = super()._new_conn()
                watchdog.register(sock)
                return sock

        class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
            ConnectionCls = _HTTP

        class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
            ConnectionCls = _HTTPS

        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        if self.watchdog.fired:
            raise DeadlinePassed("the deadline passed")
        try:
            response = super().send(request, *args, **kwargs)
        except Exception as exc:
            if self.watchdog.fired:
                raise DeadlinePassed("the deadline passed") from exc
            raise
        self._cap(response)
        return response

    def _cap(self, response: requests.Response) -> None:
        """Refuse a declared length over the cap now, and count the bytes as the body is read
        (requests reads it later, through raw.stream, after the auth hooks have seen the socket)."""
        limit = self.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise ResponseTooLarge(f"the host sent a response over {limit // 2**20} MB")
        raw = response.raw
        original = raw.stream

        def capped(amt: int | None = _CHUNK, decode_content: bool | None = None) -> Iterator[bytes]:
            total = 0
            for chunk in original(amt, decode_content=decode_content):
                total += len(chunk)
                if total > limit:
                    response.close()
                    raise ResponseTooLarge(f"the host sent a response over {limit // 2**20} MB")
                yield chunk

        raw.stream = capped  # type: ignore[method-assign]
