"""Buttons: Remedy steps, Evidence, English/日本語 on explanations; Re-run on checks."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.views import (
    Message,
    evidence_file_note,
    evidence_line_count,
    evidence_message,
    evidence_text,
    explanation_message,
    explanation_verdict,
    remedy_message,
)
from handlers.commands import start_check
from handlers.sources import Source, explain_source
from knowledge.findings import Explanation, Lang

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.app import Deps

log = logging.getLogger("cmbot.actions")
ALREADY = {"en": "Already posted in this thread.", "ja": "このスレッドに投稿済みです。"}
GONE = "This reply can no longer be rebuilt: {problem}"
EVIDENCE_FILE = "cmbot-evidence.txt"


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action("cmbot_lang")
    async def switch_language(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        deps.background.spawn(_switch_language(deps, body, respond), what="cmbot_lang")

    @app.action("cmbot_remedy")
    async def remedy(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        deps.background.spawn(_post_remedy(deps, body, respond), what="cmbot_remedy")

    @app.action("cmbot_evidence")
    async def evidence(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        deps.background.spawn(_post_evidence(deps, body, respond), what="cmbot_evidence")

    @app.action("cmbot_rerun")
    async def rerun(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        value = body["actions"][0].get("value", "")
        hosts, _, kbs = value.removeprefix("rerun:").partition("|")
        channel = (body.get("channel") or {}).get("id", "")
        thread = (body.get("message") or {}).get("ts")
        user = (body.get("user") or {}).get("id", "")
        names = hosts.split()
        for host in names:
            if not deps.policy.authorize(user_id=user, channel_id=channel, target=host):
                return
        deps.background.spawn(
            start_check(
                deps,
                hosts=names,
                kbs=kbs.split(),
                user=user,
                channel=channel,
                thread_ts=thread,
                bypass_cache=True,
            ),
            what="cmbot_rerun",
        )


async def _rebuilt(
    deps: Deps, body: dict[str, Any], respond: Any, lang: Lang | None = None
) -> tuple[Source, Explanation] | None:
    source = Source.parse(str(body["actions"][0].get("value", "")))
    if source is None:
        await respond(
            response_type="ephemeral", replace_original=False, text=GONE.format(problem="unknown button")
        )
        return None
    explanation = await explain_source(deps, source, lang or source.lang)
    if isinstance(explanation, str):
        await respond(
            response_type="ephemeral", replace_original=False, text=GONE.format(problem=explanation)
        )
        return None
    return source, explanation


async def _switch_language(deps: Deps, body: dict[str, Any], respond: Any) -> None:
    source = Source.parse(str(body["actions"][0].get("value", "")))
    other: Lang = "en" if source is not None and source.lang == "ja" else "ja"
    rebuilt = await _rebuilt(deps, body, respond, other)
    if rebuilt is None:
        return
    source, explanation = rebuilt
    message = explanation_message(explanation, other, token=source.token(other))
    await respond(replace_original=True, **message.as_kwargs())


def _where(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """The channel, the clicked message's ts and the thread to answer in."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
    ts = message.get("ts") or container.get("message_ts")
    return str(channel), str(ts or ""), message.get("thread_ts") or ts


async def _once(deps: Deps, kind: str, body: dict[str, Any], lang: Lang, respond: Any) -> str | None:
    """The dedup key when this is the first click of its kind on this message in this language
    (one post however many people click), else None after telling the clicker."""
    channel, ts, _ = _where(body)
    key = f"{kind}:{channel}:{ts}:{lang}"
    if await deps.seen.first_time(key):
        return key
    await respond(response_type="ephemeral", replace_original=False, text=ALREADY[lang])
    return None


async def _to_clicker(deps: Deps, key: str, respond: Any, message: Message, why: str) -> None:
    """Nothing reached the thread: answer only the person who clicked, and let the next click
    try the thread again rather than be told it is already there."""
    log.info("thread answer refused (%s); answering the clicker only", why)
    await deps.seen.forget(key)
    await respond(response_type="ephemeral", replace_original=False, **message.as_kwargs())


async def _post_in_thread(deps: Deps, key: str, body: dict[str, Any], respond: Any, message: Message) -> None:
    channel, _, thread = _where(body)
    try:
        await deps.client.chat_postMessage(channel=channel, thread_ts=thread, **message.as_kwargs())
    except SlackApiError as exc:
        await _to_clicker(deps, key, respond, message, str(exc.response.get("error")))


async def _post_remedy(deps: Deps, body: dict[str, Any], respond: Any) -> None:
    rebuilt = await _rebuilt(deps, body, respond)
    if rebuilt is None:
        return
    source, explanation = rebuilt
    if key := await _once(deps, "remedy", body, source.lang, respond):
        await _post_in_thread(deps, key, body, respond, remedy_message(explanation, source.lang))


async def _post_evidence(deps: Deps, body: dict[str, Any], respond: Any) -> None:
    """The whole evidence in the thread; as a file when it does not fit in one message."""
    rebuilt = await _rebuilt(deps, body, respond)
    if rebuilt is None:
        return
    source, explanation = rebuilt
    lang = source.lang
    if not (key := await _once(deps, "evidence", body, lang, respond)):
        return
    message = evidence_message(explanation, lang)
    if message is not None:
        await _post_in_thread(deps, key, body, respond, message)
        return
    channel, _, thread = _where(body)
    note = evidence_file_note(lang, evidence_line_count(explanation))
    try:
        await deps.client.files_upload_v2(
            channel=channel,
            thread_ts=thread,
            content=evidence_text(explanation, lang),
            filename=EVIDENCE_FILE,
            title=EVIDENCE_FILE,
            initial_comment=f"{explanation_verdict(explanation, lang)}\n{note}",
        )
    except SlackClientError as exc:
        cut = explanation_message(explanation, lang, evidence=True, buttons=False)
        await _to_clicker(deps, key, respond, cut, type(exc).__name__)
