"""Host groups for fleet checks: `group:NAME` expands through the YAML file CMBOT_GROUPS names
(`Settings.cmbot_groups`; its caller loads it and passes the table)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import RootModel, ValidationError

from bot.access.policy import GROUP_PREFIX
from knowledge.findings import Refused, said


class GroupError(Refused):
    """An unknown group or a broken groups file; the reason names the file or the group."""


class _Groups(RootModel[dict[str, list[str]]]):
    pass


def load_groups(path: Path | None) -> dict[str, list[str]]:
    """The groups file at `path` (None: no groups)."""
    raw_path = path
    if raw_path is None:
        return {}
    try:
        return _Groups.model_validate(yaml.safe_load(raw_path.read_text(encoding="utf-8")) or {}).root
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise GroupError(said("refuse.groups_file", path=str(raw_path), error=type(exc).__name__)) from None


def expand_targets(targets: list[str], groups: Mapping[str, list[str]]) -> list[str]:
    """Hosts and `group:NAME` targets → host names, in order, once each."""
    table = groups
    hosts: list[str] = []
    for target in targets:
        if target.lower().startswith(GROUP_PREFIX):
            name = target[len(GROUP_PREFIX) :]
            if name not in table:
                raise GroupError(said("refuse.group_unknown", name=name[:60]))
            hosts.extend(table[name])
        else:
            hosts.append(target)
    return list(dict.fromkeys(hosts))


__all__ = ["GroupError", "expand_targets", "load_groups"]
