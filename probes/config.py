"""What a check needs from the operator's configuration, handed down by its caller.

The bot builds one from its `Settings` (`bot/settings.py`); a library caller with none gets the
defaults: no credential profiles (only inventory hosts with their own credentials), no
inventory, WinRM's HTTP port and the built-in knowledge entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from probes.credentials import Credentials

WINRM_HTTP_PORT = 5985
"""WinRM's default HTTP listener (learn.microsoft.com/windows/win32/winrm/installation-and-configuration-
for-windows-remote-management)."""


@dataclass(frozen=True)
class ProbeConfig:
    credentials: Credentials = field(default_factory=Credentials)
    inventory: Path | None = None
    """The inventory file host names resolve through (re-read when it changes)."""
    winrm_port: int = WINRM_HTTP_PORT
    """The port for hosts outside the inventory."""
    kb_dirs: tuple[Path, ...] = ()
    """Knowledge-entry directories overlaid on the built-in ones (the findings' text)."""
