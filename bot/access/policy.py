"""Who may run `/cmcheck` on which hosts, from which channels: the access policy file.

With no policy file configured every user may check every valid host name (the lab and demo
default). Once `CMBOT_POLICY` names a file, access is denied unless a rule allows it. Explaining
codes is never restricted.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge.datafile import load_model
from knowledge.findings import Phrase, said
from probes.targets import BadHostName, is_ip_literal, validate_host

GROUP_PREFIX = "group:"


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateLimit(_Strict):
    checks: int = Field(default=20, ge=1, description="checks a user may start per window")
    window_s: int = Field(default=60, ge=1)


class Rule(_Strict):
    """One grant. A request is allowed when every non-empty list of a rule matches it."""

    name: str
    users: list[str] = Field(default_factory=list, description="Slack user IDs (U…/W…)")
    usergroups: list[str] = Field(default_factory=list, description="Slack user-group IDs (S…)")
    channels: list[str] = Field(default_factory=list, description="channel IDs; empty = any channel")
    hosts: list[str] = Field(
        default_factory=list,
        description="host patterns matched label by label: PC-*, *.corp.example; '*' alone = any host",
    )
    groups: list[str] = Field(default_factory=list, description="host groups this rule may check")
    rate_limit: RateLimit | None = None

    @field_validator("hosts")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return [v.lower() for v in values]

    def grants_principal(self, user_id: str, usergroups: Iterable[str], channel_id: str | None) -> bool:
        if not (self.users or self.usergroups):
            return False
        who = user_id in self.users or bool(set(usergroups) & set(self.usergroups))
        where = not self.channels or (channel_id is not None and channel_id in self.channels)
        return who and where

    def grants_target(self, target: str) -> bool:
        """`target` is a group or a normalized host name (probes.targets.validate_host)."""
        if target.lower().startswith(GROUP_PREFIX):
            return target[len(GROUP_PREFIX) :] in self.groups
        return any(_glob_matches(pattern, target.lower()) for pattern in self.hosts)


def _glob_matches(pattern: str, host: str) -> bool:
    """Per-label glob: `pc-*` matches `pc-1` but not `pc-1.attacker.net`, and `*.corp.example`
    matches one label under it. A bare `*` matches any host (V3)."""
    if pattern == "*":
        return True
    wanted = pattern.removesuffix(".").split(".")
    labels = host.split(".")
    return len(wanted) == len(labels) and all(
        fnmatch.fnmatchcase(label, part) for label, part in zip(labels, wanted, strict=True)
    )


class Policy(_Strict):
    allowed_domains: list[str] = Field(
        default_factory=list, description="DNS suffixes a fully qualified host must end in; empty = any"
    )
    allow_ip_literals: bool = False
    rate_limit: RateLimit = Field(default_factory=RateLimit)
    rules: list[Rule] = Field(default_factory=list)
    channel_admins: list[str] = Field(
        default_factory=list,
        description="Slack user IDs who may change channel settings with /cmbot; empty = anyone",
    )
    enforced: bool = True

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, values: list[str]) -> list[str]:
        return [v.lower().lstrip(".").removesuffix(".") for v in values]

    @classmethod
    def open_default(cls) -> Self:
        """No policy file: anyone may check any valid host (lab, demos, small teams)."""
        return cls(allow_ip_literals=True, enforced=False)

    def authorize(
        self,
        *,
        user_id: str,
        target: str,
        channel_id: str | None = None,
        usergroups: Sequence[str] = (),
    ) -> Decision:
        """Decide one target (a host name or `group:NAME`) for one user in one channel. Host names
        are decided in their normalized form, the one the probe will connect to (V3)."""
        if not target.lower().startswith(GROUP_PREFIX):
            try:
                target = validate_host(target)
            except BadHostName as exc:
                return Decision(False, exc.reason)
        shape = self._target_shape_problem(target)
        if shape:
            return Decision(False, shape)
        if not self.enforced:
            return Decision(True, said("policy.open"))
        principal_rules = [r for r in self.rules if r.grants_principal(user_id, usergroups, channel_id)]
        if not principal_rules:
            return Decision(False, said("refuse.not_here"))
        for rule in principal_rules:
            if rule.grants_target(target):
                return Decision(True, said("policy.allowed_by", rule=rule.name))
        return Decision(False, said("refuse.host_denied", host=target))

    def may_change_settings(self, user_id: str) -> bool:
        return not self.channel_admins or user_id in self.channel_admins

    def rate_limit_for(
        self, user_id: str, usergroups: Sequence[str] = (), channel_id: str | None = None
    ) -> RateLimit:
        """The first matching rule's limit, else the global one. The channel is needed: a rule
        scoped to channels matches only there (security review V9/B8)."""
        for rule in self.rules:
            if rule.rate_limit and rule.grants_principal(user_id, usergroups, channel_id):
                return rule.rate_limit
        return self.rate_limit

    def _target_shape_problem(self, target: str) -> Phrase | None:
        """`target` is normalized: IP literals in every spelling are canonical here."""
        if target.lower().startswith(GROUP_PREFIX):
            return None
        if is_ip_literal(target):
            return None if self.allow_ip_literals else said("refuse.ip_literal")
        if (
            self.allowed_domains
            and "." in target
            and not any(target == d or target.endswith("." + d) for d in self.allowed_domains)
        ):
            return said("refuse.outside_domains", host=target, domains=", ".join(self.allowed_domains))
        return None


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: Phrase
    """Why, as a catalog Phrase (`refuse.*` when refused, `policy.*` when allowed), worded at the top."""

    def __bool__(self) -> bool:
        return self.allowed


def load_policy(path: Path | None) -> Policy:
    """Load and validate a policy file; `None` gives the open default."""
    if path is None:
        return Policy.open_default()
    return load_model(path, Policy, PolicyError, "policy file")
