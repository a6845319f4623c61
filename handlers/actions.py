"""Buttons: Remedy steps, Evidence, English/日本語 on explanations; Re-run on checks; "Right
cause? 👍 / 👎" on every verdict."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.jobs.check_job import recall_reports, reports_token, summary_message
from bot.jobs.metrics import observe_feedback
from bot.render.blocks import (
    FEEDBACK_ACTIONS,
    Message,
    escape,
    evidence_file_note,
    evidence_line_count,
    evidence_message,
    evidence_text,
    explanation_message,
    explanation_verdict,
    file_problem_message,
    notice_message,
    remedy_message,
)
from bot.render.i18n import phrase, say
from bot.slack.background import ephemeral
from handlers.sources import Source, explain_source, recall
from handlers.usecases import rerun_check
from knowledge.findings import LANGS, Explanation, Lang, Phrase, lang_named, next_lang

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.respond.async_respond import AsyncRespond

    from bot.slack.deps import Deps

log = logging.getLogger("cmbot.actions")
EVIDENCE_FILE = "cmbot-evidence.txt"


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action("cmbot_lang")
    async def switch_language(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        deps.background.spawn(
            _switch_language(deps, body, respond), what="cmbot_lang", answer=ephemeral(respond)
        )

    @app.action("cmbot_check_lang")
    async def switch_check_language(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        deps.background.spawn(_switch_check_language(deps, body, respond), what="cmbot_check_lang")

    @app.action("cmbot_remedy")
    async def remedy(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        deps.background.spawn(
            _post_remedy(deps, body, respond), what="cmbot_remedy", answer=ephemeral(respond)
        )

    @app.action("cmbot_evidence")
    async def evidence(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        deps.background.spawn(
            _post_evidence(deps, body, respond), what="cmbot_evidence", answer=ephemeral(respond)
        )

    @app.action("cmbot_rerun")
    async def rerun(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        channel, _, thread = _where(body)
        deps.background.spawn(
            rerun_check(
                deps,
                respond,
                value=str(body["actions"][0].get("value", "")),
                user=str((body.get("user") or {}).get("id", "")),
                channel=channel,
                thread=thread,
            ),
            what="cmbot_rerun",
            answer=ephemeral(respond),
        )

    for action_id in FEEDBACK_ACTIONS:

        @app.action(action_id)
        async def feedback(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
            await ack()
            deps.background.spawn(
                _vote(deps, body, respond), what="cmbot_feedback", answer=ephemeral(respond)
            )


async def _vote(deps: Deps, body: dict[str, Any], respond: AsyncRespond) -> None:
    """One vote per user per answer, with the cause the verdict named and the kind of input."""
    action = body["actions"][0]
    answer, _, rest = str(action.get("value", "")).partition("|")
    cause, _, kind = rest.partition("|")
    user = str((body.get("user") or {}).get("id", ""))
    if not (answer and cause and kind and user):
        await _tell(respond, "unknown button")
        return
    right = action.get("action_id") == FEEDBACK_ACTIONS[0]
    try:
        counted = await deps.feedback.vote(answer=answer, user=user, cause=cause, kind=kind, right=right)
        if counted:
            observe_feedback(cause, right, await deps.feedback.precision())
    except (RedisError, OSError):
        log.warning("feedback store unavailable")
        lang = await deps.lang_for(user, _where(body)[0])
        await _tell(respond, say(lang, "act.vote_down"))
        return
    lang = await deps.lang_for(user, _where(body)[0])
    await _tell(respond, say(lang, "act.thanks" if counted else "act.voted"), mark="🙏" if counted else "ℹ️")


async def _tell(respond: AsyncRespond, text: str, *, mark: str = "⚠️") -> None:
    await respond(
        response_type="ephemeral", replace_original=False, **notice_message(text, mark=mark).as_kwargs()
    )


async def _rebuilt(
    deps: Deps, body: dict[str, Any], respond: AsyncRespond
) -> tuple[Source, Explanation] | None:
    """The explanation behind the clicked button, from the whole paste or the file again; or,
    after telling the clicker why not, None."""
    source = await recall(deps, str(body["actions"][0].get("value", "")))
    lang = source.lang if isinstance(source, Source) else await _clicker_lang(deps, body)
    if isinstance(source, Phrase):
        await _tell(respond, say(lang, "act.gone", why=phrase(lang, source)))
        return None
    explanation = await explain_source(deps, source)
    if not isinstance(explanation, Explanation):
        message = file_problem_message(explanation.why, explanation.name, lang, gone=True)
        await respond(response_type="ephemeral", replace_original=False, **message.as_kwargs())
        return None
    return source, explanation


async def _clicker_lang(deps: Deps, body: dict[str, Any]) -> Lang:
    return await deps.lang_for((body.get("user") or {}).get("id"), _where(body)[0])


async def _switch_language(deps: Deps, body: dict[str, Any], respond: AsyncRespond) -> None:
    rebuilt = await _rebuilt(deps, body, respond)
    if rebuilt is None:
        return
    source, explanation = rebuilt
    other = next_lang(source.lang)
    message = explanation_message(
        explanation, other, token=source.token(other), feedback=(source.answer, source.input)
    )
    await respond(replace_original=True, **message.as_kwargs())


async def _switch_check_language(deps: Deps, body: dict[str, Any], respond: AsyncRespond) -> None:
    """The check summary again in the other language, from the stored reports: no host is
    contacted again (the reports are language-free; `bot.check_job.remember_reports`)."""
    _, _, rest = str(body["actions"][0].get("value", "")).partition(":")  # reports:LANG:REQUEST_ID
    raw_lang, _, request_id = rest.partition(":")
    other = next_lang(lang_named(raw_lang) or LANGS[0])
    kept = await recall_reports(deps.buttons, request_id) if request_id else None
    if kept is None:
        await _tell(respond, say(other, "act.gone", why=say(other, "act.expired")))
        return
    message = summary_message(kept, other, lang_token=reports_token(request_id, other))
    await respond(replace_original=True, **message.as_kwargs())


def _where(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """The channel, the clicked message's ts and the thread to answer in."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
    ts = message.get("ts") or container.get("message_ts")
    return str(channel), str(ts or ""), message.get("thread_ts") or container.get("thread_ts") or ts


async def _once(deps: Deps, kind: str, body: dict[str, Any], lang: Lang, respond: AsyncRespond) -> str | None:
    """The dedup key when this is the first click of its kind on this message in this language
    (one post however many people click), else None after telling the clicker."""
    channel, ts, _ = _where(body)
    key = f"{kind}:{channel}:{ts}:{lang}"
    if await deps.seen.first_time(key):
        return key
    await _tell(respond, say(lang, "act.already"), mark="ℹ️")
    return None


async def _to_clicker(deps: Deps, key: str, respond: AsyncRespond, message: Message, why: str) -> None:
    """Nothing reached the thread: answer only the person who clicked, and let the next click
    try the thread again rather than be told it is already there."""
    log.info("thread answer refused (%s); answering the clicker only", why)
    await deps.seen.forget(key)
    await respond(response_type="ephemeral", replace_original=False, **message.as_kwargs())


async def _post_in_thread(
    deps: Deps, key: str, body: dict[str, Any], respond: AsyncRespond, message: Message
) -> None:
    channel, _, thread = _where(body)
    try:
        await deps.client.chat_postMessage(channel=channel, thread_ts=thread, **message.as_kwargs())
    except SlackApiError as exc:
        await _to_clicker(deps, key, respond, message, str(exc.response.get("error")))


async def _post_remedy(deps: Deps, body: dict[str, Any], respond: AsyncRespond) -> None:
    rebuilt = await _rebuilt(deps, body, respond)
    if rebuilt is None:
        return
    source, explanation = rebuilt
    if key := await _once(deps, "remedy", body, source.lang, respond):
        await _post_in_thread(deps, key, body, respond, remedy_message(explanation, source.lang))


async def _post_evidence(deps: Deps, body: dict[str, Any], respond: AsyncRespond) -> None:
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
            initial_comment=f"{escape(explanation_verdict(explanation, lang))}\n{escape(note)}",
        )
    except SlackClientError as exc:
        cut = explanation_message(explanation, lang, evidence=True, buttons=False)
        await _to_clicker(deps, key, respond, cut, type(exc).__name__)
