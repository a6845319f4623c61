"""The host inventory: names → WinRM endpoints, auth and credentials (or where to find them).

`cmbot lab` writes one; `CMBOT_INVENTORY=PATH` (a setting, handed down in `ProbeConfig`) makes
`check`, `serve` and `console` resolve host names through it. Real inventories leave `password`
empty and point at secrets instead.
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer

from knowledge.datafile import load_model
from probes.targets import BadHostName, validate_host

Transport = Literal["ntlm", "kerberos", "basic", "ssl", "certificate", "plaintext"]


class InventoryError(ValueError):
    """An inventory file that cannot be used; the message names the file and the field."""


class InventoryHost(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    endpoint: str = Field(pattern=r"^https?://[^\s/]+(:\d+)?/wsman$")
    auth: Transport = "ntlm"
    username: str | None = None
    password: SecretStr | None = Field(default=None, repr=False)
    ca_file: Path | None = None
    cert_pem: Path | None = Field(default=None, description="client certificate (auth: certificate)")
    cert_key_pem: Path | None = Field(default=None, description="its private key file")
    scenario: str | None = None
    kerberos_host: str | None = Field(
        default=None, description="the name in the host's SPN HTTP/<name>; default: the endpoint's host"
    )

    @field_serializer("password")
    def _reveal_for_file(self, value: SecretStr | None) -> str | None:
        return value.get_secret_value() if value else None


class Inventory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    hosts: list[InventoryHost] = Field(default_factory=list)

    def get(self, name: str) -> InventoryHost | None:
        """The entry for a host name, compared in normalized form (`LAB-A.` is `lab-a`)."""
        wanted = _normal(name)
        return next((h for h in self.hosts if _normal(h.name) == wanted), None)


def _normal(name: str) -> str:
    try:
        return validate_host(name)
    except BadHostName:
        return name.lower()


def load_inventory(path: Path) -> Inventory:
    return load_model(path, Inventory, InventoryError, "inventory")


def save_inventory(inventory: Inventory, path: Path) -> None:
    """Write the file (it may hold the lab password) so nobody else can read or redirect it: a new
    0600 file created with O_EXCL|O_NOFOLLOW beside the target, then renamed over it. A symlink
    planted at `path` is replaced, never followed (V12; open(2), rename(2))."""
    data = yaml.safe_dump(inventory.model_dump(mode="json", exclude_none=True), sort_keys=False)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(temporary, flags, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def inventory_at(path: Path | None) -> Inventory | None:
    """The inventory at `path` (None: no inventory), parsed once per file version (path, mtime, size)."""
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError as exc:
        raise InventoryError(f"{path}: cannot read the inventory ({exc.strerror})") from None
    return _cached_inventory(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _cached_inventory(path: str, mtime_ns: int, size: int) -> Inventory:
    del mtime_ns, size  # cache key: a rewritten file is parsed again
    return load_inventory(Path(path))
