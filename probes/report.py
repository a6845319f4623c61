"""What one remote check of one host returns; rendered by the CLI, the console and Slack.

Fields may be added; none renamed. `HostReport.model_dump(mode="json")` is the per-host
`cmbot check --json` shape, whose `findings` match `cmbot explain --json`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from knowledge.findings import Finding

CheckStatus = Literal["ok", "warn", "fail", "error", "skipped"]
Outcome = Literal["healthy", "findings", "unreachable", "not_checked"]
"""The one answer to "how did this host do?"; every renderer, exit code and metric reads it."""


class CheckItem(BaseModel):
    """One line of the checklist: ✅ ok, ⚠️ warn, ❌ fail; `error` = the check itself failed."""

    name: str
    status: CheckStatus
    detail: str = ""


class HostReport(BaseModel):
    host: str
    reachable: bool
    verdict: str
    checks: list[CheckItem] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    duration_s: float = 0.0
    scenario: str | None = None
    outcome: Outcome | None = None
    facts: dict[str, Any] | None = Field(
        default=None, description="the validated probe facts (JSON shape), for fleet clustering"
    )

    @model_validator(mode="after")
    def _settle_outcome(self) -> HostReport:
        """Derive the outcome once, here, when the builder did not state it."""
        if self.outcome is None:
            if not self.reachable:
                self.outcome = "not_checked" if self.verdict.startswith("not checked") else "unreachable"
            else:
                self.outcome = "findings" if self.findings else "healthy"
        return self
