"""The host inventory: names → WinRM endpoints, auth and credentials (or where to find them).

`cmbot lab` writes one; `CMBOT_INVENTORY=PATH` makes `check`, `serve` and `console` resolve host
names through it. Real inventories leave `password` empty and point at secrets instead.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer

from knowledge.datafile import load_model

ENV_VAR = "CMBOT_INVENTORY"
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

    @field_serializer("password")
    def _reveal_for_file(self, value: SecretStr | None) -> str | None:
        return value.get_secret_value() if value else None


class Inventory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    hosts: list[InventoryHost] = Field(default_factory=list)

    def get(self, name: str) -> InventoryHost | None:
        wanted = name.lower()
        return next((h for h in self.hosts if h.name.lower() == wanted), None)


def load_inventory(path: Path) -> Inventory:
    return load_model(path, Inventory, InventoryError, "inventory")


def save_inventory(inventory: Inventory, path: Path) -> None:
    data = inventory.model_dump(mode="json", exclude_none=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    path.chmod(0o600)


def inventory_from_env() -> Inventory | None:
    """The inventory CMBOT_INVENTORY names, parsed once per file version (path, mtime, size)."""
    raw = os.environ.get(ENV_VAR)
    if not raw:
        return None
    path = Path(raw)
    try:
        stat = path.stat()
    except OSError as exc:
        raise InventoryError(f"{path}: cannot read the inventory ({exc.strerror})") from None
    return _cached_inventory(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _cached_inventory(path: str, mtime_ns: int, size: int) -> Inventory:
    del mtime_ns, size  # cache key: a rewritten file is parsed again
    return load_inventory(Path(path))
