"""Run a CheckRequest and answer in Slack: progress on the "checking…" message, the verdict on it
when done, and each host's detail in its thread. Needs only the request and a Slack client, so a
queue worker on another machine can run it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError
from redis.exceptions import RedisError
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.fleet.cluster import FleetSummary, FleetTally, summarize
from bot.fleet.export import table_csv, table_json
from bot.fleet.pace import PROCESS_BUDGET, ProgressPacer
from bot.fleet.view import fleet_progress_message, fleet_summary_message
from bot.jobs.dispatch import CheckRequest
from bot.render.blocks import (
    Message,
    check_detail_message,
    check_progress_message,
    check_summary_message,
    details_file_note,
    render_text,
)
from bot.render.i18n import say
from bot.state.store import ButtonStates
from knowledge.findings import Lang, said
from probes.check import check_host
from probes.report import HostReport

log = logging.getLogger("cmbot.check_job")
CheckFn = Callable[..., Awaitable[HostReport]]
PROGRESS_EVERY_S = 2.0
MAX_DETAIL_POSTS = 20
BURST_POSTS = 3
PACE_S = 1.0
DETAILS_FILE = "cmbot-check-details.txt"
HOSTS_AT_ONCE = 32
"""Hosts of one job checked at once: each holds Redis connections (cache, lock) while it runs,
so a 500-host group must not open them all together (security review V5)."""


class FinalGuard(Protocol):
    """Who posts the final answer when a job may run twice (`bot.state.store.FinalAnswer`)."""

    async def claim(self) -> bool: ...
    async def posted(self) -> None: ...
    async def release(self) -> None: ...


class AlwaysPost:
    """One process, one run: the answer is always this job's to post."""

    won = False

    async def claim(self) -> bool:
        return True

    async def posted(self) -> None:
        self.won = True

    async def release(self) -> None:
        return None


async def run_check_job(
    request: CheckRequest,
    client: AsyncWebClient,
    *,
    check: CheckFn = check_host,
    deadline_s: float = 60.0,
    final: FinalGuard | None = None,
    clustered: bool = True,
    buttons: ButtonStates | None = None,
) -> list[HostReport]:
    """Check every host, then post the final answer once: `final` guards a retried job. A host
    whose check raises is answered as failed; the other hosts' answers still go out. Many hosts
    get the clustered fleet summary, streamed as hosts finish (`clustered=False` keeps the plain
    per-host list: the benchmark's baseline). With `buttons`, the language-free reports are kept
    behind a language button on the summary, which shows them in the other language without
    checking again (`handlers.actions`)."""
    lang: Lang = request.lang
    reports: list[HostReport] = []
    guard = final or AlwaysPost()
    at_once = asyncio.Semaphore(HOSTS_AT_ONCE)
    pacer = ProgressPacer(PROCESS_BUDGET, every_s=PROGRESS_EVERY_S)
    fleet = clustered and len(request.hosts) > 1
    tally = FleetTally(len(request.hosts))

    async def one(host: str) -> None:
        async with at_once:
            report = await _checked(check, host, request, deadline_s)
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
    exported = fleet and len(ordered) > MAX_DETAIL_POSTS
    kept = CheckedReports(request_id=request.request_id, reports=ordered, fleet=fleet, exported=exported)
    lang_token = await remember_reports(buttons, kept, lang)
    summary = summary_message(kept, lang, lang_token=lang_token)
    if not await guard.claim():
        log.info("request %s was already answered; not answering twice", request.request_id)
        return ordered
    thread = request.message_ts
    try:
        if thread:
            await _update(client, request, summary.as_kwargs())
        else:
            response = await client.chat_postMessage(channel=request.channel_id, **summary.as_kwargs())
            thread = response.get("ts")
    except BaseException:
        await guard.release()  # not posted: the job's retry answers
        raise
    await guard.posted()
    # a reply's ts is never a thread: a Re-run's "checking…" sits in the summary's thread
    parent = request.thread_ts or thread
    await _post_details(client, request, parent, ordered, lang)
    if exported:
        await _attach_export(client, request.channel_id, parent, tally.summary(request.hosts), lang)
    return ordered


REPORTS_STATE = "reports:"


def reports_token(request_id: str, lang: Lang) -> str:
    return f"reports:{lang}:{request_id}"


class CheckedReports(BaseModel):
    """What a check request's answer is made from, kept language-free behind its language button."""

    request_id: str
    reports: list[HostReport]
    fleet: bool = False
    exported: bool = False


def summary_message(kept: CheckedReports, lang: Lang, *, lang_token: str = "") -> Message:
    """The top message of a check answer in `lang`: the fleet clusters or the per-host verdicts,
    with Re-run (the bot keeps the request's hosts and KBs) and the language button."""
    token = f"rerun:{kept.request_id}"
    if kept.fleet:
        return fleet_summary_message(
            summarize(kept.reports),
            lang,
            token=token,
            export_attached=kept.exported,
            lang_token=lang_token,
        )
    return check_summary_message(
        kept.reports, lang, token=token, answer=kept.request_id, lang_token=lang_token
    )


async def remember_reports(buttons: ButtonStates | None, kept: CheckedReports, lang: Lang) -> str:
    """Keep the reports for the language button; "" (no button) without a store or when it is down."""
    if buttons is None:
        return ""
    try:
        await buttons.put(REPORTS_STATE + kept.request_id, kept.model_dump(mode="json"))
    except (RedisError, OSError):  # the button is optional: the answer goes out without it
        log.warning("button state unavailable; the check answer has no language button")
        return ""
    return reports_token(kept.request_id, lang)


async def recall_reports(buttons: ButtonStates, request_id: str) -> CheckedReports | None:
    """The stored reports of a request, or None once they expired (or were kept by an older
    version in another shape: then the button says it is too old, as when expired)."""
    state = await buttons.get(REPORTS_STATE + request_id)
    if not state:
        return None
    try:
        return CheckedReports.model_validate(state)
    except ValidationError:
        return None


async def _checked(check: CheckFn, host: str, request: CheckRequest, deadline_s: float) -> HostReport:
    """One host's report, whatever its check raised (a deeply nested document, a bug): that host
    fails with a reference in the log, not the whole job (security review R4)."""
    try:
        extra = {"deployments": request.deployments} if request.deployments else {}
        return await check(host, kbs=request.kbs, deadline_s=deadline_s, **extra)
    except Exception:  # any failure of one host is that host's answer
        ref = uuid.uuid4().hex[:8]
        log.exception("check of %s in request %s failed (ref %s)", host, request.request_id, ref)
        return HostReport(
            host=host, reachable=False, outcome="not_checked", reason=said("reason.internal", ref=ref)
        )


async def _update(client: AsyncWebClient, request: CheckRequest, message: dict[str, Any]) -> None:
    try:
        await client.chat_update(channel=request.channel_id, ts=request.message_ts or "", **message)
    except SlackApiError as exc:
        log.warning("chat.update failed for request %s: %s", request.request_id, exc.response.get("error"))


async def _post_details(
    client: AsyncWebClient,
    request: CheckRequest,
    thread: str | None,
    reports: Sequence[HostReport],
    lang: Lang,
) -> None:
    """One thread reply per host, problems first, paced to Slack's ~1 message/s per channel after
    a short burst; past `MAX_DETAIL_POSTS` hosts the rest go in one attached text file."""
    ordered = sorted(reports, key=lambda r: not (r.findings or not r.reachable))
    posted, rest = ordered[:MAX_DETAIL_POSTS], ordered[MAX_DETAIL_POSTS:]
    channel = request.channel_id
    for index, report in enumerate(posted):
        if index >= BURST_POSTS:
            await asyncio.sleep(PACE_S)
        await client.chat_postMessage(
            channel=channel,
            thread_ts=thread,
            **check_detail_message(report, lang, answer=request.request_id).as_kwargs(),
        )
    if rest:
        await _attach_rest(client, channel, thread, rest, lang)


async def _attach_export(
    client: AsyncWebClient, channel: str, thread: str | None, summary: FleetSummary, lang: Lang
) -> None:
    """Both files in one `files_upload_v2` call (its `file_uploads` list), in the thread."""
    try:
        await client.files_upload_v2(
            channel=channel,
            thread_ts=thread,
            initial_comment=say(lang, "ui.export_note", count=summary.checked),
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
