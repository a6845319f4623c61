"""Re-run: in a thread it answers in the thread's parent, and it repeats exactly what was asked."""

import asyncio
from typing import Any

import pytest

import bot.jobs.check_job
from bot.jobs.check_job import run_check_job
from bot.jobs.dispatch import CheckRequest
from bot.loopback.web_api import Harness
from probes.report import HostReport


def _rerun_value(message: dict[str, Any]) -> str:
    return next(
        e["value"]
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "cmbot_rerun"
    )


async def test_rerun_in_a_thread_answers_in_the_parent(harness: Harness) -> None:
    """Finding 4: Re-run on the summary, then Re-run on the Re-run's summary (a reply): every
    "checking…", update and host detail goes to the first summary's thread, never to a reply's ts."""
    await harness.bot.command("/cmcheck", "lab-healthy")
    async with asyncio.timeout(30):
        (summary,) = await harness.slack.wait_for("chat.update")
    parent = summary["ts"]
    await harness.bot.click("cmbot_rerun", _rerun_value(summary), message_ts=parent)
    async with asyncio.timeout(30):
        updates = await harness.slack.wait_for("chat.update", 2)
        await harness.slack.wait_for("chat.postMessage", 4)
    reply = updates[1]
    assert reply["ts"] != parent
    await harness.bot.click("cmbot_rerun", _rerun_value(reply), message_ts=reply["ts"], thread_ts=parent)
    async with asyncio.timeout(30):
        await harness.slack.wait_for("chat.update", 3)
        posts = await harness.slack.wait_for("chat.postMessage", 6)
    assert [p.get("thread_ts") for p in posts] == [None, parent, parent, parent, parent, parent]
    assert all(p["text"].startswith(("Checking lab-healthy", "lab-healthy: ")) for p in posts)


class RecordingDispatcher:
    """Accepts requests and keeps them: the seam between accepting a check and running it."""

    def __init__(self) -> None:
        self.requests: list[CheckRequest] = []
        self.changed = asyncio.Event()

    async def submit(self, request: CheckRequest) -> None:
        self.requests.append(request)
        self.changed.set()

    async def wait(self, count: int) -> list[CheckRequest]:
        while len(self.requests) < count:
            self.changed.clear()
            await self.changed.wait()
        return self.requests


async def _unreachable(host: str, **_: Any) -> HostReport:
    return HostReport(host=host, reachable=False, verdict="WinRM did not answer")


async def test_a_120_host_rerun_repeats_every_host_and_kb(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Advisory BK-BUTTON-CUT: the Re-run of a 120-host check with a KB re-runs all 120 hosts and
    the KB (kept by the bot, the button carries a short key), in the summary's thread."""
    monkeypatch.setattr(bot.jobs.check_job, "PACE_S", 0.0)  # Slack's pacing; the stand-in needs none
    dispatcher = RecordingDispatcher()
    harness.deps.dispatcher = dispatcher
    hosts = [f"pc-{n:04d}.corp.example.com" for n in range(120)]
    await harness.bot.command("/cmcheck", " ".join(hosts) + " kb:KB5031356")
    async with asyncio.timeout(10):
        (first,) = await dispatcher.wait(1)
    assert first.hosts == hosts and first.kbs == ["KB5031356"]
    await run_check_job(first, harness.deps.client, check=_unreachable, deadline_s=5)
    summary = harness.slack.of("chat.update")[-1]
    value = _rerun_value(summary)
    assert len(value) < 100
    await harness.bot.click("cmbot_rerun", value, message_ts=summary["ts"])
    async with asyncio.timeout(10):
        (_, again) = await dispatcher.wait(2)
    assert again.hosts == hosts and again.kbs == ["KB5031356"]
    assert again.bypass_cache and again.thread_ts == summary["ts"]
