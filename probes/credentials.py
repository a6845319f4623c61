"""WinRM credentials: from the inventory (lab), per-domain profiles, or a default profile.

Profiles come from the environment or from secret files, never from chat:
`CMBOT_WINRM_USER` + `CMBOT_WINRM_PASSWORD` (or `CMBOT_WINRM_PASSWORD_FILE`) for the default, and
`CMBOT_CRED_<DOMAIN>_USER` + `..._PASSWORD`/`..._PASSWORD_FILE` for hosts under `<domain>` (dots
become underscores: `corp.example.com` → `CMBOT_CRED_CORP_EXAMPLE_COM_USER`). Every password
read is registered for redaction.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from bot.redact import register_secret
from probes.inventory import InventoryHost


class CredentialError(ValueError):
    """No usable credential for a host; the message names the variables to set, never a value."""


@dataclass(frozen=True)
class Credential:
    username: str
    password: SecretStr | None

    def __repr__(self) -> str:
        return f"Credential(username={self.username!r}, password=***)"


def _secret(env: Mapping[str, str], prefix: str) -> SecretStr | None:
    if value := env.get(f"{prefix}_PASSWORD"):
        register_secret(value)
        return SecretStr(value)
    if path := env.get(f"{prefix}_PASSWORD_FILE"):
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError:
            raise CredentialError(f"cannot read {prefix}_PASSWORD_FILE") from None
        register_secret(value)
        return SecretStr(value)
    return None


def _domain_prefixes(host_name: str) -> list[str]:
    parts = host_name.lower().split(".")[1:]
    return ["CMBOT_CRED_" + re.sub(r"[^A-Z0-9]", "_", ".".join(parts[i:]).upper()) for i in range(len(parts))]


def credential_for(
    host_name: str, entry: InventoryHost | None, env: Mapping[str, str] | None = None
) -> Credential:
    env = os.environ if env is None else env
    if entry is not None and entry.username and entry.password is not None:
        register_secret(entry.password.get_secret_value())
        return Credential(entry.username, entry.password)
    for prefix in [*_domain_prefixes(host_name), "CMBOT_WINRM"]:
        user = env.get(f"{prefix}_USER")
        if user:
            return Credential(user, _secret(env, prefix))
    raise CredentialError(
        "no WinRM credential configured: set CMBOT_WINRM_USER and CMBOT_WINRM_PASSWORD_FILE "
        "(or a per-domain CMBOT_CRED_<DOMAIN>_USER profile)"
    )
