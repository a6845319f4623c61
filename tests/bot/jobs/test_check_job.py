"""A check's answer in Slack: the verdict on the "checking…" message, one thread reply per host,
problems first, paced for Slack's per-channel limit, and a file once there are too many hosts."""

import asyncio
import itertools
import time

import pytest
from slack_sdk.web.async_client import AsyncWebClient

import bot.jobs.check_job as check_job
from bot.jobs.check_job import MAX_DETAIL_POSTS, run_check_job
from bot.jobs.dispatch import CheckRequest
from bot.loopback.web_api import SlackStandIn
from knowledge.findings import Finding
from probes.report import HostReport
from tests._words import verdict


async def _fake_check(host: str, **_: object) -> HostReport:
    """Hosts named bad-* have a finding; the rest are healthy (the diagnosis itself is tested elsewhere)."""
    findings = [Finding(id="dual-scan", title="Dual scan", confidence=0.9)] if host.startswith("bad-") else []
    return HostReport(
        host=host, reachable=True, verdict="dual-scan" if findings else "healthy", findings=findings
    )


async def test_many_hosts_problems_first_paced_and_the_rest_in_a_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """25 hosts: 20 thread replies (the 5 with problems first), spaced after a burst of 3; 5 in a file."""
    monkeypatch.setattr(check_job, "PACE_S", 0.05)
    hosts = [f"ok-{n:02d}" for n in range(20)] + [f"bad-{n}" for n in range(5)]
    async with SlackStandIn() as slack:
        client = AsyncWebClient(token="xoxb-test-token", base_url=slack.api_url)
        request = CheckRequest(
            request_id="r1", hosts=hosts, kbs=[], user_id="U1", channel_id="C1", lang="en", message_ts="1.1"
        )
        posted_at: list[float] = []
        task = asyncio.create_task(run_check_job(request, client, check=_fake_check))
        async with asyncio.timeout(30):
            for count in range(1, MAX_DETAIL_POSTS + 1):
                await slack.wait_for("chat.postMessage", count)
                posted_at.append(time.monotonic())
            await task
            completes = await slack.wait_for("files.completeUploadExternal", 2)
    (complete,) = [c for c in completes if "more hosts" in c["initial_comment"]]
    details = slack.of("chat.postMessage")
    assert len(details) == MAX_DETAIL_POSTS and all(d["thread_ts"] == "1.1" for d in details)
    assert [d["text"].split(":")[0] for d in details[:5]] == [f"bad-{n}" for n in range(5)]
    gaps = [b - a for a, b in itertools.pairwise(posted_at[2:])]
    assert min(gaps) >= 0.04
    assert complete["thread_ts"] == "1.1" and "5 more hosts" in complete["initial_comment"]
    (uploaded,) = [u for u in slack.uploads.values() if u.startswith(b"ok-") or b"\n\nok-" in u]
    assert all(f"ok-{n:02d}" in uploaded.decode() for n in range(15, 20))
    # the title is the knowledge entry's, worded at render time (the fake's own title is not used)
    assert slack.of("chat.update")[-1]["text"].startswith("5/25: Windows Update for Business policies")


async def test_a_host_whose_check_raises_fails_alone() -> None:
    """V11/R4 (the job's part): one host's check raising (e.g. RecursionError on a deeply nested
    document) fails that host with a reference; the other host and the summary are answered."""

    async def check(host: str, **_: object) -> HostReport:
        if host == "evil-host":
            raise RecursionError("maximum recursion depth exceeded while decoding a JSON array")
        return await _fake_check(host)

    async with SlackStandIn() as slack:
        client = AsyncWebClient(token="xoxb-test-token", base_url=slack.api_url)
        request = CheckRequest(
            request_id="r2", hosts=["ok-1", "evil-host"], user_id="U1", channel_id="C1", message_ts="2.1"
        )
        async with asyncio.timeout(30):
            reports = await run_check_job(request, client, check=check)
    assert [r.outcome for r in reports] == ["healthy", "not_checked"]
    assert verdict(reports[1]).startswith("not checked: the check failed inside cmbot (ref ")
    assert slack.of("chat.update")[-1]["text"].startswith("1/2 not checked")  # the fleet summary
    assert {d["text"].split(":")[0] for d in slack.of("chat.postMessage")} == {"ok-1", "evil-host"}
