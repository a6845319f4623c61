"""What one remote check of one host returns; rendered by the CLI, the console and Slack.

Fields may be added; none renamed. `HostReport.model_dump(mode="json")` is the per-host
`cmbot check --json` shape, whose `findings` match `cmbot explain --json`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from knowledge.findings import Finding

CheckStatus = Literal["ok", "warn", "fail", "error", "skipped"]


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
