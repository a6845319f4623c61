"""The fleet summary streams: the "checking…" message shows counts per cluster as hosts finish,
edits stay within chat.update's Tier 3 budget, the final answer lands once, and fleets beyond
20 hosts get the whole table attached as CSV and JSON."""

import asyncio
import csv
import io
import json

import pytest
from slack_sdk.web.async_client import AsyncWebClient

import bot.jobs.check_job as check_job
from bot.fleet.pace import ProgressPacer, UpdateBudget
from bot.jobs.check_job import run_check_job
from bot.jobs.dispatch import CheckRequest
from bot.loopback.web_api import SlackStandIn
from probes.report import HostReport
from tests.bot.fleet._reports import scenario_report, unreachable_report


def _fleet_check(gates: dict[str, asyncio.Event] | None = None):  # type: ignore[no-untyped-def]
    """30 hosts behind a 503 SUP, 8 with a small cache, 2 refused; each may wait for its gate."""

    async def check(host: str, **kwargs: object) -> HostReport:
        if gates is not None:
            await gates[host].wait()
        lang = kwargs.get("lang", "en")
        if host.startswith("sup-"):
            return scenario_report("sup-service-unavailable", host, lang=lang)  # type: ignore[arg-type]
        if host.startswith("cache-"):
            return scenario_report("cache-too-small", host, lang=lang)  # type: ignore[arg-type]
        return unreachable_report(host)

    return check


HOSTS = [f"sup-{n:02d}" for n in range(30)] + [f"cache-{n}" for n in range(8)] + ["down-1", "down-2"]


def _request(lang: str = "en") -> CheckRequest:
    return CheckRequest(
        request_id="r1", hosts=HOSTS, user_id="U1", channel_id="C1", lang=lang, message_ts="1.1"
    )


async def test_progress_counts_per_cluster_then_one_final(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each finished host (pacing off) edits the message with the counts so far; the final lands once, last."""
    monkeypatch.setattr(check_job, "PROGRESS_EVERY_S", 0.0)
    monkeypatch.setattr(check_job, "PROCESS_BUDGET", UpdateBudget(per_minute=10_000))
    monkeypatch.setattr(check_job, "PACE_S", 0.0)
    gates = {host: asyncio.Event() for host in HOSTS}
    async with SlackStandIn() as slack:
        client = AsyncWebClient(token="xoxb-test-token", base_url=slack.api_url)
        task = asyncio.create_task(run_check_job(_request(), client, check=_fleet_check(gates)))
        async with asyncio.timeout(30):
            for count, host in enumerate(HOSTS[:3] + HOSTS[30:32], start=1):
                gates[host].set()
                await slack.wait_for("chat.update", count)
            progress = slack.of("chat.update")[-1]
            for gate in gates.values():
                gate.set()
            await task
    assert progress["text"] == "⏳ 5/40 hosts checked"
    assert "sup-service-unavailable ×3" in progress["blocks"][1]["text"]["text"]
    assert "cache-too-small ×2" in progress["blocks"][1]["text"]["text"]
    updates = slack.of("chat.update")
    finals = [u for u in updates if not u["text"].startswith("⏳")]
    assert len(finals) == 1 and finals[0] is updates[-1]
    assert finals[0]["text"].startswith("30/40 fail the scan against sup01.contoso.com:8530")


async def test_default_pacing_keeps_edits_few(monkeypatch: pytest.MonkeyPatch) -> None:
    """40 hosts finishing at once: at most one progress edit (2 s per message), then the final."""
    monkeypatch.setattr(check_job, "PACE_S", 0.0)
    monkeypatch.setattr(check_job, "PROCESS_BUDGET", UpdateBudget())
    async with SlackStandIn() as slack:
        client = AsyncWebClient(token="xoxb-test-token", base_url=slack.api_url)
        async with asyncio.timeout(30):
            await run_check_job(_request(), client, check=_fleet_check())
    assert len(slack.of("chat.update")) <= 2


def test_budget_is_shared_and_slides() -> None:
    """40 progress edits a minute for the whole process (Tier 3 is ~50); the window slides."""
    now = [0.0]
    budget = UpdateBudget(clock=lambda: now[0])
    assert sum(budget.take() for _ in range(100)) == 40
    now[0] = 60.0
    assert budget.take()


def test_pacer_spaces_one_message() -> None:
    """One job edits its message at most every 2 s, whatever the budget."""
    now = [0.0]
    pacer = ProgressPacer(UpdateBudget(per_minute=1000, clock=lambda: now[0]), clock=lambda: now[0])
    results = []
    for step in range(10):
        now[0] = step * 0.5
        results.append(pacer.due())
    assert results == [True, False, False, False, True, False, False, False, True, False]


async def test_export_attached_for_more_than_20_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    """40 hosts: the thread gets cmbot-fleet.csv and cmbot-fleet.json with every host, in Japanese too."""
    monkeypatch.setattr(check_job, "PACE_S", 0.0)
    async with SlackStandIn() as slack:
        client = AsyncWebClient(token="xoxb-test-token", base_url=slack.api_url)
        async with asyncio.timeout(30):
            await run_check_job(_request("ja"), client, check=_fleet_check())
    (export,) = [c for c in slack.of("files.completeUploadExternal") if "CSV" in c["initial_comment"]]
    assert export["thread_ts"] == "1.1" and "全 40 台" in export["initial_comment"]
    assert [f["title"] for f in export["files"]] == ["cmbot-fleet.csv", "cmbot-fleet.json"]
    bodies = [b.decode() for b in slack.uploads.values()]
    table = next(b for b in bodies if b.startswith("host,outcome,cause"))
    rows = list(csv.DictReader(io.StringIO(table)))
    assert len(rows) == 40 and {r["sup"] for r in rows if r["cause"] == "sup-service-unavailable"} == {
        "sup01.contoso.com:8530"
    }
    document = json.loads(next(b for b in bodies if b.startswith("{")))
    assert [len(c["hosts"]) for c in document["clusters"]] == [30, 8, 2]
    assert slack.of("chat.update")[-1]["text"].startswith("30/40 台が sup01.contoso.com:8530")
