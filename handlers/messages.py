"""Channel messages with a known code or log line, and uploaded log files, get one threaded reply.

An upload arrives twice: as a `message` with subtype `file_share` (the comment typed with it, in
`text`) and as a `file_shared` event (the file ID; the file is read through files.info)
(https://docs.slack.dev/reference/events/file_shared; bolt-python
tests/scenario_tests/test_message_file_share.py). The comment is answered like a paste, the file
on its own: each once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.jobs.explain_pool import explain_off_loop
from bot.render.blocks import explanation_message, file_problem_message
from handlers.slack_text import from_slack
from handlers.sources import MAX_PASTE_CHARS, fetch_file, remember, remember_file

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.slack.deps import Deps

IGNORED_SUBTYPES = {
    "bot_message",
    "message_changed",
    "message_deleted",
    "channel_join",
    "channel_leave",
    "message_replied",
    "thread_broadcast",
}


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("message")
    async def on_message(event: dict[str, Any], context: Any) -> None:
        if event.get("subtype") in IGNORED_SUBTYPES or event.get("bot_id"):
            return
        if event.get("user") and event.get("user") == context.get("bot_user_id"):
            return
        if not (event.get("text") or "").strip():
            return
        kind = "comment" if event.get("subtype") == "file_share" else "paste"
        deps.background.spawn(_answer_message(deps, event, kind), what="message")

    @app.event("file_shared")
    async def on_file(event: dict[str, Any]) -> None:
        deps.background.spawn(_answer_file(deps, event), what="file_shared")


async def _answer_message(deps: Deps, event: dict[str, Any], kind: str) -> None:
    channel, ts = event.get("channel", ""), event.get("ts", "")
    if not await deps.auto_reply(channel):
        return
    text = from_slack(event.get("text") or "")
    lang = await deps.lang_for(event.get("user"), channel)
    explanation = await explain_off_loop(text[:MAX_PASTE_CHARS], kb_dirs=deps.settings.kb_dirs)
    if not (explanation.findings or any(code.name for code in explanation.codes)):
        return  # chatter: stay quiet
    if not await deps.seen.first_time(f"msg:{channel}:{ts}"):
        return
    source = await remember(deps, text, lang, kind)
    message = explanation_message(
        explanation, lang, token=source.token(), feedback=(source.answer, source.input)
    )
    await deps.client.chat_postMessage(
        channel=channel, thread_ts=event.get("thread_ts") or ts, **message.as_kwargs()
    )


async def _answer_file(deps: Deps, event: dict[str, Any]) -> None:
    file_id = event.get("file_id") or (event.get("file") or {}).get("id")
    if not file_id or not await deps.seen.first_time(f"file:{file_id}"):
        return
    fetched = await fetch_file(deps, str(file_id))
    info = fetched.info or {}
    channel = event.get("channel_id") or next(iter(info.get("channels") or []), None)
    if not channel:
        return
    thread = _share_thread(info, channel)
    lang = await deps.lang_for(event.get("user_id"), channel)
    if fetched.data is None:
        problem = file_problem_message(fetched.why, fetched.name, lang)
        await deps.client.chat_postMessage(channel=channel, thread_ts=thread, **problem.as_kwargs())
        return
    explanation = await explain_off_loop(fetched.data, source=fetched.name, kb_dirs=deps.settings.kb_dirs)
    source = await remember_file(deps, str(file_id), lang, explanation)
    message = explanation_message(
        explanation, lang, token=source.token(), feedback=(source.answer, source.input)
    )
    await deps.client.chat_postMessage(channel=channel, thread_ts=thread, **message.as_kwargs())


def _share_thread(info: dict[str, Any], channel: str) -> str | None:
    """The thread to answer in: the share's parent when the file was shared as a reply (a share
    carries `thread_ts` then; a reply's own `ts` is never a thread, per chat.postMessage)."""
    for scope in ("public", "private"):
        shares = ((info.get("shares") or {}).get(scope) or {}).get(channel) or []
        if shares:
            return str(shares[0].get("thread_ts") or shares[0].get("ts"))
    return None
