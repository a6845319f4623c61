"""What one remote check of one host returns: data (outcome, check statuses, cause IDs, message
keys), no prose; `bot.render` words it in the reader's language.

Fields may be added; none renamed. `cmbot check --json` prints a rendering of this model
(`bot.render.text.report_json`) that keeps the documented shape (`verdict`, `checks[].name`,
`checks[].detail`, findings as in `cmbot explain --json`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from knowledge.findings import Finding, Phrase

CheckStatus = Literal["ok", "warn", "fail", "error", "skipped"]
Outcome = Literal["healthy", "findings", "unreachable", "not_checked"]
"""The one answer to "how did this host do?"; every renderer, exit code and metric reads it."""


class CheckItem(BaseModel):
    """One line of the checklist: ✅ ok, ⚠️ warn, ❌ fail; `error` = the check itself failed.

    `check` is the check's ID (`check.<id>` in the catalog names it), `message` what it found."""

    check: str
    status: CheckStatus
    message: Phrase
    cause: str | None = None


class HostReport(BaseModel):
    host: str
    reachable: bool
    checks: list[CheckItem] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    duration_s: float = 0.0
    scenario: str | None = None
    outcome: Outcome | None = None
    reason: Phrase | None = None
    """Why the host was not checked or could not be (`outcome` unreachable / not_checked)."""
    facts: dict[str, Any] | None = Field(
        default=None, description="the validated probe facts (JSON shape), for fleet clustering"
    )

    @model_validator(mode="after")
    def _settle_outcome(self) -> HostReport:
        """Derive the outcome once, here, when the builder did not state it."""
        if self.outcome is None:
            if not self.reachable:
                self.outcome = "unreachable"
            else:
                self.outcome = "findings" if self.findings else "healthy"
        return self
