"""Run the lab in background threads: for tests, benchmarks, `cmbot lab` and the console.

with run_lab() as lab:
    host = lab.inventory.get("lab-healthy")
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from lab.adminservice import LabAdminService, site_from_scenarios
from lab.scenario import Scenario, load_scenarios
from lab.server import Credentials, LabHost, tls_context
from lab.tls import make_ca, make_tls_files
from probes.adminservice import AdminServiceSettings, save_settings
from probes.config import ProbeConfig
from probes.inventory import Inventory, InventoryHost, save_inventory

LAB_DOMAIN = "LAB"
LAB_USER = "cmbot"


@dataclass
class Lab:
    directory: Path
    credentials: Credentials
    hosts: dict[str, LabHost] = field(default_factory=dict)
    inventory: Inventory = field(default_factory=Inventory)
    inventory_path: Path | None = None
    owns_directory: bool = False
    """A directory start_lab made (it holds the lab password): removed again by stop()."""
    adminservice: LabAdminService | None = None
    adminservice_path: Path | None = None
    """The AdminService settings file (`CMBOT_ADMINSERVICE=PATH`), when the lab runs one."""

    @property
    def probes(self) -> ProbeConfig:
        """What a check of the lab's hosts is given: its inventory (the bot builds the same from
        `CMBOT_INVENTORY`)."""
        return ProbeConfig(inventory=self.inventory_path)

    def host(self, name: str) -> LabHost:
        return self.hosts[name]

    def counters(self, name: str) -> dict[str, object]:
        return self.hosts[name].counters.snapshot()

    def stop(self) -> None:
        if self.adminservice is not None:
            self.adminservice.stop()
        for host in self.hosts.values():
            host.stop()
        if self.owns_directory:
            shutil.rmtree(self.directory, ignore_errors=True)


def _refused_endpoint() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/wsman"


def start_lab(
    scenarios: Sequence[Scenario] | None = None,
    *,
    directory: Path | None = None,
    inventory_path: Path | None = None,
    kerberos: bool = False,
    adminservice: bool = False,
) -> Lab:
    """Start one host per scenario on loopback ports and write the inventory. With `kerberos`, the
    Negotiate hosts are listed for Kerberos (SPN HTTP/<name>, no password in the file): the caller
    runs a KDC (lab.kdc) whose keytab holds those principals. With `adminservice`, also the loopback
    ConfigMgr AdminService (its settings file beside the inventory)."""
    chosen = list(scenarios) if scenarios is not None else load_scenarios()
    workdir = directory or Path(tempfile.mkdtemp(prefix="cmbot-lab-"))
    workdir.mkdir(parents=True, exist_ok=True)
    credentials = Credentials(LAB_DOMAIN, LAB_USER, secrets.token_urlsafe(16))
    user_file = workdir / "ntlm-users"
    user_file.write_text(f"{credentials.domain}:{credentials.username}:{credentials.password}\n")
    user_file.chmod(0o600)
    os.environ["NTLM_USER_FILE"] = str(user_file)
    lab = Lab(directory=workdir, credentials=credentials, owns_directory=directory is None)
    needs_tls = adminservice or any(s.auth == "https" for s in chosen)
    tls = make_tls_files(workdir) if needs_tls else None
    stranger_ca = (
        make_ca(workdir, "untrusted lab CA")[0]
        if any(s.faults.untrusted_certificate for s in chosen)
        else None
    )
    context = tls_context(tls.cert_file, tls.key_file) if tls else None
    entries: list[InventoryHost] = []
    for scenario in chosen:
        https = scenario.auth == "https"
        if scenario.faults.refuse:
            endpoint = _refused_endpoint()
        else:
            host = LabHost(scenario, credentials, context if https else None)
            host.start()
            lab.hosts[scenario.name] = host
            endpoint = host.endpoint
        password = credentials.password + "-wrong" if scenario.faults.wrong_password else credentials.password
        ca_file = None
        if https and tls is not None:
            ca_file = stranger_ca if scenario.faults.untrusted_certificate else tls.ca_file
        if kerberos and scenario.auth == "ntlm":
            entry = InventoryHost(
                name=scenario.name,
                endpoint=endpoint,
                auth="kerberos",
                kerberos_host=scenario.name,
                scenario=scenario.scenario,
            )
        else:
            entry = InventoryHost(
                name=scenario.name,
                endpoint=endpoint,
                auth="ntlm" if scenario.auth == "ntlm" else "ssl" if https else "basic",
                username=credentials.qualified,
                password=SecretStr(password),
                ca_file=ca_file,
                scenario=scenario.scenario,
            )
        entries.append(entry)
    lab.inventory = Inventory(hosts=entries)
    lab.inventory_path = inventory_path or workdir / "inventory.yaml"
    save_inventory(lab.inventory, lab.inventory_path)
    if adminservice and tls is not None and context is not None:
        lab.adminservice = LabAdminService(site_from_scenarios(chosen), context).start()
        lab.adminservice_path = lab.inventory_path.with_name("adminservice.yaml")
        settings = AdminServiceSettings(
            url=lab.adminservice.url,
            username=credentials.qualified,
            password=SecretStr(credentials.password),
            ca_file=tls.ca_file,
        )
        save_settings(settings, lab.adminservice_path)
    return lab


@contextmanager
def run_lab(scenarios: Sequence[Scenario] | None = None, **kwargs: Any) -> Iterator[Lab]:
    lab = start_lab(scenarios, **kwargs)
    try:
        yield lab
    finally:
        lab.stop()
