"""The finding shape shared by `cmbot explain`, `cmbot check` and the Slack views.

`Explanation.model_dump(mode="json")` is the `--json` contract in PRODUCT.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["error", "warning", "info"]
Lang = Literal["en", "ja"]


class Evidence(BaseModel):
    """One line (or collapsed run of identical lines) that supports a finding."""

    text: str
    line: int | None = None
    file: str | None = None
    timestamp: datetime | None = None
    component: str | None = None
    severity: Severity | None = None
    count: int = 1
    last_timestamp: datetime | None = None
    last_line: int | None = None


class Finding(BaseModel):
    """A cause that the evidence points at, with the remedy from its knowledge entry."""

    id: str
    title: str
    confidence: float = Field(ge=0.0, le=1.0)
    reasoning: str = ""
    """Empty when a literal pattern matched; else the stage and code the finding was reasoned from."""
    summary: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    remedy: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)


class CodeInfo(BaseModel):
    """An error code found in the input, decoded and named where our tables know it."""

    code: str
    name: str | None = None
    """The one canonical symbolic name; other names of the same code are in `aliases`."""
    aliases: list[str] = Field(default_factory=list)
    meaning: str | None = None
    severity: str | None = None
    facility: str | None = None
    facility_code: int | None = None
    code_value: int | None = None
    source: str | None = None
    """Where the name and meaning come from (a Microsoft page)."""
    causes: list[str] = Field(default_factory=list)


class Explanation(BaseModel):
    """What `cmbot explain` prints with `--json`; an empty findings list is a valid answer."""

    findings: list[Finding] = Field(default_factory=list)
    codes: list[CodeInfo] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)
