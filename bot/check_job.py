"""Run a CheckRequest and answer in Slack: progress on the "checking…" message, the verdict on it
when done, and each host's detail in its thread. Needs only the request and a Slack client, so a
queue worker on another machine can run it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.dispatch import CheckRequest
from bot.fleet.cluster import FleetSummary, FleetTally
from bot.fleet.export import table_csv, table_json
from bot.fleet.pace import PROCESS_BUDGET, ProgressPacer
from bot.fleet.view import fleet_progress_message, fleet_summary_message
from bot.views import (
    check_detail_message,
    check_progress_message,
    check_summary_message,
    details_file_note,
    render_text,
)
from knowledge.findings import Lang
from probes.check import check_host
from probes.report import HostReport

log = logging.getLogger("cmbot.check_job")
CheckFn = Callable[..., Awaitable[HostReport]]
PROGRESS_EVERY_S = 2.0
MAX_DETAIL_POSTS = 20
BURST_POSTS = 3
PACE_S = 1.0
DETAILS_FILE = "cmbot-check-details.txt"


async def _always() -> bool:
    return True


async def run_check_job(
    request: CheckRequest,
    client: AsyncWebClient,
    *,
    check: CheckFn = check_host,
    deadline_s: float = 60.0,
    claim_final: Callable[[], Awaitable[bool]] = _always,
    clustered: bool = True,
) -> list[HostReport]:
    """Check every host, then post the final answer once: `claim_final` guards a retried job.
    Many hosts get the clustered fleet summary, streamed as hosts finish (`clustered=False`
    keeps the plain per-host list: the benchmark's baseline)."""
    lang: Lang = request.lang
    reports: list[HostReport] = []
    pacer = ProgressPacer(PROCESS_BUDGET, every_s=PROGRESS_EVERY_S)
    fleet = clustered and len(request.hosts) > 1
    tally = FleetTally(len(request.hosts))

    async def one(host: str) -> None:
        report = await check(host, kbs=request.kbs, deadline_s=deadline_s, lang=lang)
        reports.append(report)
        if fleet:
            tally.add(report)
        if len(request.hosts) > 1 and request.message_ts and pacer.due():
            progress = (
                fleet_progress_message(tally.summary(), lang)
                if fleet
                else check_progress_message(request.hosts, reports, lang)
            )
            await _update(client, request, progress.as_kwargs())

    await asyncio.gather(*(one(host) for host in request.hosts))
    position = {host: index for index, host in enumerate(request.hosts)}
    ordered = sorted(reports, key=lambda r: position.get(r.host, 0))
    token = f"rerun:{' '.join(request.hosts)}|{' '.join(request.kbs)}"
    exported = fleet and len(ordered) > MAX_DETAIL_POSTS
    fleet_summary = tally.summary(request.hosts) if fleet else None
    summary = (
        fleet_summary_message(fleet_summary, lang, token=token, export_attached=exported)
        if fleet_summary
        else check_summary_message(ordered, lang, token=token)
    )
    if not await claim_final():
        log.info("request %s was already answered; not answering twice", request.request_id)
        return ordered
    thread = request.message_ts
    if thread:
        await _update(client, request, summary.as_kwargs())
    else:
        response = await client.chat_postMessage(channel=request.channel_id, **summary.as_kwargs())
        thread = response.get("ts")
    await _post_details(client, request.channel_id, thread or request.thread_ts, ordered, lang)
    if exported and fleet_summary:
        await _attach_export(client, request.channel_id, thread or request.thread_ts, fleet_summary, lang)
    return ordered


async def _update(client: AsyncWebClient, request: CheckRequest, message: dict[str, Any]) -> None:
    try:
        await client.chat_update(channel=request.channel_id, ts=request.message_ts or "", **message)
    except SlackApiError as exc:
        log.warning("chat.update failed for request %s: %s", request.request_id, exc.response.get("error"))


async def _post_details(
    client: AsyncWebClient, channel: str, thread: str | None, reports: Sequence[HostReport], lang: Lang
) -> None:
    """One thread reply per host, problems first, paced to Slack's ~1 message/s per channel after
    a short burst; past `MAX_DETAIL_POSTS` hosts the rest go in one attached text file."""
    ordered = sorted(reports, key=lambda r: not (r.findings or not r.reachable))
    posted, rest = ordered[:MAX_DETAIL_POSTS], ordered[MAX_DETAIL_POSTS:]
    for index, report in enumerate(posted):
        if index >= BURST_POSTS:
            await asyncio.sleep(PACE_S)
        await client.chat_postMessage(
            channel=channel, thread_ts=thread, **check_detail_message(report, lang).as_kwargs()
        )
    if rest:
        await _attach_rest(client, channel, thread, rest, lang)


EXPORT_NOTE = {
    "en": "The whole fleet table ({count} hosts) as CSV and JSON.",
    "ja": "全 {count} 台の表 (CSV と JSON)。",
}


async def _attach_export(
    client: AsyncWebClient, channel: str, thread: str | None, summary: FleetSummary, lang: Lang
) -> None:
    """Both files in one `files_upload_v2` call (its `file_uploads` list), in the thread."""
    try:
        await client.files_upload_v2(
            channel=channel,
            thread_ts=thread,
            initial_comment=EXPORT_NOTE[lang].format(count=summary.checked),
            file_uploads=[
                {"content": table_csv(summary), "filename": "cmbot-fleet.csv", "title": "cmbot-fleet.csv"},
                {"content": table_json(summary), "filename": "cmbot-fleet.json", "title": "cmbot-fleet.json"},
            ],
        )
    except SlackClientError as exc:
        log.warning("fleet table upload failed (%s)", type(exc).__name__)


async def _attach_rest(
    client: AsyncWebClient, channel: str, thread: str | None, reports: Sequence[HostReport], lang: Lang
) -> None:
    text = "\n\n".join(render_text(check_detail_message(report, lang)) for report in reports)
    note = details_file_note(lang, len(reports))
    try:
        await client.files_upload_v2(
            channel=channel,
            thread_ts=thread,
            content=text,
            filename=DETAILS_FILE,
            title=DETAILS_FILE,
            initial_comment=note,
        )
    except SlackClientError as exc:
        log.warning("details upload failed (%s); posting the host list instead", type(exc).__name__)
        names = ", ".join(r.host for r in reports)
        await client.chat_postMessage(channel=channel, thread_ts=thread, text=f"{note} {names}"[:3000])
