"""The seam between accepting a `/cmcheck` and running it.

Handlers build a `CheckRequest` and hand it to a `CheckDispatcher` right after `ack()`. The
in-process dispatcher runs it as an asyncio task; the queue dispatcher (saq on Redis) enqueues
`request.model_dump(mode="json")` and a worker runs the same `CheckJob` there. Either way the
job posts its progress and final answer to Slack itself, so a worker on another machine can.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from knowledge.findings import DEFAULT_LANG, Lang


class CheckRequest(BaseModel):
    """Everything a worker needs to run a check and answer in Slack, as plain data."""

    request_id: str
    hosts: list[str]
    kbs: list[str] = Field(default_factory=list)
    deployments: list[str] = Field(
        default_factory=list, description="deployment unique IDs whose targeting the check verifies"
    )
    user_id: str
    channel_id: str
    lang: Lang = DEFAULT_LANG
    message_ts: str | None = Field(default=None, description="the 'checking…' message to update")
    thread_ts: str | None = None
    bypass_cache: bool = False
    usergroups: list[str] = Field(
        default_factory=list, description="the user's Slack user groups, for the worker's policy check"
    )


class CheckDispatcher(Protocol):
    async def submit(self, request: CheckRequest) -> None:
        """Accept the request durably (or raise); the answer arrives in Slack later."""
        ...
