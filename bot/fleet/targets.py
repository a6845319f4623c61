"""`/cmcheck collection:NAME` and `/cmcheck deployment:ID status:error|unknown`: targets that
ConfigMgr itself resolves to hosts, through the AdminService (probes/adminservice.py).

Parsing is cheap and runs before the ack; resolving is network I/O and runs after it. The hosts
a target resolves to then go through the same validation and access policy as typed host names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.access.policy import Policy
from knowledge.findings import Phrase, Refused, said
from probes.adminservice import AdminService, AdminServiceError, AdminServiceSettings
from probes.secrets import register_secret

COLLECTION_PREFIX = "collection:"
DEPLOYMENT_PREFIX = "deployment:"
STATUS_PREFIX = "status:"
STATUSES = ("error", "unknown")
FORMS = "/cmcheck collection:NAME · /cmcheck deployment:ID status:error|unknown"
USAGE = said("usage.forms", usage=FORMS)
"""The answer to an incomplete ConfigMgr target."""


@dataclass(frozen=True, slots=True)
class ConfigMgrTarget:
    kind: Literal["collection", "deployment"]
    value: str
    status: str = "error"

    def label(self) -> str:
        if self.kind == "collection":
            return f"collection:{self.value}"
        return f"deployment:{self.value} status:{self.status}"


def _is_ours(word: str) -> bool:
    low = word.lower()
    return low.startswith((COLLECTION_PREFIX, DEPLOYMENT_PREFIX, STATUS_PREFIX))


def has_configmgr_targets(words: Sequence[str]) -> bool:
    return any(_is_ours(w) for w in words)


def split_targets(words: Sequence[str]) -> tuple[list[str], list[ConfigMgrTarget]]:
    """Host words and ConfigMgr targets; a `status:` applies to the deployment before it.
    Raises Refused (a ValueError) with the usage line for a target that is incomplete."""
    hosts: list[str] = []
    targets: list[ConfigMgrTarget] = []
    for word in words:
        low = word.lower()
        if low.startswith(COLLECTION_PREFIX):
            name = word[len(COLLECTION_PREFIX) :].strip()
            if not name:
                raise Refused(USAGE)
            targets.append(ConfigMgrTarget("collection", name))
        elif low.startswith(DEPLOYMENT_PREFIX):
            ident = word[len(DEPLOYMENT_PREFIX) :].strip()
            if not ident:
                raise Refused(USAGE)
            targets.append(ConfigMgrTarget("deployment", ident))
        elif low.startswith(STATUS_PREFIX):
            status = low[len(STATUS_PREFIX) :]
            if status not in STATUSES or not targets or targets[-1].kind != "deployment":
                raise Refused(USAGE)
            last = targets.pop()
            targets.append(ConfigMgrTarget("deployment", last.value, status))
        else:
            hosts.append(word)
    return hosts, targets


def may_ask_configmgr(policy: Policy, user_id: str, channel_id: str | None) -> bool:
    """Whether the user may have ConfigMgr list hosts at all: anyone under the open default, else
    someone some rule names (each resolved host is then authorized as a host)."""
    return not policy.enforced or any(r.grants_principal(user_id, (), channel_id) for r in policy.rules)


@dataclass(frozen=True, slots=True)
class Resolved:
    hosts: list[str]
    notes: list[Phrase]
    """One line per target: what it resolved to ("deployment 'X': 12 clients with status error")."""


def resolve(targets: Sequence[ConfigMgrTarget], settings: AdminServiceSettings | None) -> Resolved:
    """Ask the AdminService (`settings`: the caller's, None when not configured) for each
    target's hosts (blocking: run it in a thread)."""
    chosen = settings
    if chosen is None:
        raise AdminServiceError("not_configured", said("adminservice.not_configured"))
    register_secret(chosen.password.get_secret_value())  # never in a log line
    hosts: list[str] = []
    notes: list[Phrase] = []
    with AdminService(chosen) as service:
        for target in targets:
            if target.kind == "collection":
                found = service.collection_members(target.value)
                notes.append(said("fleet.note_collection", name=target.value, count=len(found)))
            else:
                name, found = service.deployment_devices(target.value, target.status)
                notes.append(said("fleet.note_deployment", name=name, count=len(found), status=target.status))
            hosts.extend(found)
    return Resolved(hosts=list(dict.fromkeys(hosts)), notes=notes)


__all__ = [
    "USAGE",
    "ConfigMgrTarget",
    "Resolved",
    "has_configmgr_targets",
    "may_ask_configmgr",
    "resolve",
    "split_targets",
]
