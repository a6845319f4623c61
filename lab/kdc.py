"""A real MIT Kerberos KDC on loopback, for tests: a realm, HTTP/<host> principals, keytabs.

Uses Debian's krb5-kdc (krb5kdc, kdb5_util) and krb5-admin-server (kadmin.local); `make test`
installs them. Everything lives in one private directory: the database, krb5.conf and kdc.conf
(named by KRB5_CONFIG and KRB5_KDC_PROFILE), the lab's acceptor keytab (KRB5_KTNAME), the bot's
client keytab (KRB5_CLIENT_KTNAME, which MIT's GSSAPI uses to get a ticket by itself) and the
ticket cache (KRB5CCNAME). Variables: https://web.mit.edu/kerberos/krb5-latest/doc/admin/env_variables.html
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REALM = "CMBOT.TEST"
CLIENT = "cmbot"
START_SECONDS = 10.0


class KdcUnavailable(RuntimeError):
    """The MIT KDC programs are missing or the KDC did not start."""


@dataclass
class Realm:
    directory: Path
    port: int
    realm: str = REALM
    client_password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    process: subprocess.Popen[bytes] | None = None

    @property
    def client_principal(self) -> str:
        return f"{CLIENT}@{self.realm}"

    @property
    def environment(self) -> dict[str, str]:
        """The variables that point MIT Kerberos (client, acceptor and admin tools) at this realm."""
        return {
            "KRB5_CONFIG": str(self.directory / "krb5.conf"),
            "KRB5_KDC_PROFILE": str(self.directory / "kdc.conf"),
            "KRB5CCNAME": f"FILE:{self.directory / 'ccache'}",
            "KRB5_KTNAME": f"FILE:{self.directory / 'lab.keytab'}",
            "KRB5_CLIENT_KTNAME": f"FILE:{self.directory / 'client.keytab'}",
        }

    def admin(self, query: str) -> None:
        _run(["kadmin.local", "-r", self.realm, "-q", query], self.environment)

    def add_hosts(self, names: Sequence[str]) -> None:
        """HTTP/<name> for each host (the SPN WinRM uses), all into the lab's keytab."""
        for name in names:
            self.admin(f"addprinc -randkey HTTP/{name}")
        principals = " ".join(f"HTTP/{name}" for name in names)
        self.admin(f"ktadd -k {self.directory / 'lab.keytab'} {principals}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def available() -> bool:
    return all(shutil.which(tool) for tool in ("krb5kdc", "kdb5_util", "kadmin.local"))


def _run(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - fixed MIT tools, arguments built here
        argv, env={**os.environ, **env}, capture_output=True, timeout=30, check=False
    )
    if result.returncode != 0:
        raise KdcUnavailable(f"{argv[0]} failed: {result.stderr.decode(errors='replace')[:300]}")


def _free_port() -> int:
    with socket.socket() as tcp, socket.socket(type=socket.SOCK_DGRAM) as udp:
        tcp.bind(("127.0.0.1", 0))
        port = int(tcp.getsockname()[1])
        udp.bind(("127.0.0.1", port))
        return port


def _write_config(realm: Realm) -> None:
    d = realm.directory
    (d / "krb5.conf").write_text(
        f"""[libdefaults]
    default_realm = {realm.realm}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    udp_preference_limit = 1
[realms]
    {realm.realm} = {{
        kdc = 127.0.0.1:{realm.port}
        admin_server = 127.0.0.1:{realm.port + 1}
    }}
"""
    )
    (d / "kdc.conf").write_text(
        f"""[kdcdefaults]
    kdc_listen = 127.0.0.1:{realm.port}
    kdc_tcp_listen = 127.0.0.1:{realm.port}
[realms]
    {realm.realm} = {{
        database_name = {d / "principal"}
        key_stash_file = {d / "stash"}
        acl_file = {d / "kadm5.acl"}
        max_life = 1h
    }}
[logging]
    kdc = FILE:{d / "kdc.log"}
"""
    )
    (d / "kadm5.acl").write_text("")


def _wait_listening(realm: Realm) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if realm.process is not None and realm.process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", realm.port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)  # polling a readiness condition, not synchronising on time
    log = realm.directory / "kdc.log"
    detail = log.read_text(errors="replace")[-300:] if log.exists() else ""
    raise KdcUnavailable(f"krb5kdc did not start: {detail}")


@contextmanager
def run_kdc(directory: Path, hosts: Sequence[str]) -> Iterator[Realm]:
    """A running KDC with HTTP/<host> for each host, a lab keytab and a client keytab."""
    if not available():
        raise KdcUnavailable("MIT Kerberos KDC not installed (Debian: krb5-kdc krb5-admin-server)")
    directory.mkdir(parents=True, exist_ok=True)
    realm = Realm(directory=directory, port=_free_port())
    _write_config(realm)
    _run(["kdb5_util", "create", "-s", "-r", realm.realm, "-P", secrets.token_urlsafe(12)], realm.environment)
    realm.admin(f"addprinc -pw {realm.client_password} {CLIENT}")
    realm.admin(f"ktadd -k {directory / 'client.keytab'} -norandkey {CLIENT}")
    realm.add_hosts(hosts)
    realm.process = subprocess.Popen(  # noqa: S603 - the fixed MIT KDC binary
        ["krb5kdc", "-n", "-r", realm.realm],  # noqa: S607 - found on PATH like the other MIT tools
        env={**os.environ, **realm.environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_listening(realm)
        yield realm
    finally:
        realm.stop()


@contextmanager
def kerberos_environment(realm: Realm) -> Iterator[None]:
    """Point this process's MIT Kerberos at the realm; restore the variables afterwards."""
    saved = {name: os.environ.get(name) for name in realm.environment}
    os.environ.update(realm.environment)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
