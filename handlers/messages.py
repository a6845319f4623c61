"""Channel messages with a known code or log line, and uploaded log files, get one threaded reply."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bot.views import explanation_message
from handlers.sources import MAX_PASTE_CHARS, Source, fetch_file
from probes.collected import explain_any as explain  # collect output gets the live check's answer

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.app import Deps

IGNORED_SUBTYPES = {
    "bot_message",
    "message_changed",
    "message_deleted",
    "channel_join",
    "channel_leave",
    "message_replied",
    "thread_broadcast",
    "file_share",
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
        deps.background.spawn(_answer_message(deps, event), what="message")

    @app.event("file_shared")
    async def on_file(event: dict[str, Any]) -> None:
        deps.background.spawn(_answer_file(deps, event), what="file_shared")


async def _answer_message(deps: Deps, event: dict[str, Any]) -> None:
    channel, ts, text = event.get("channel", ""), event.get("ts", ""), event.get("text") or ""
    if not await deps.auto_reply(channel):
        return
    lang = await deps.lang_for(event.get("user"), channel)
    explanation = await asyncio.to_thread(explain, text[:MAX_PASTE_CHARS], lang=lang)
    if not (explanation.findings or any(code.name for code in explanation.codes)):
        return  # chatter: stay quiet
    if not await deps.seen.first_time(f"msg:{channel}:{ts}"):
        return
    message = explanation_message(explanation, lang, token=Source.text(text, lang).token())
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
    thread = _share_ts(info, channel)
    if fetched.data is None:
        await deps.client.chat_postMessage(channel=channel, thread_ts=thread, text=fetched.problem)
        return
    lang = await deps.lang_for(event.get("user_id"), channel)
    explanation = await asyncio.to_thread(explain, fetched.data, lang=lang, source=fetched.name)
    token = Source("file", lang, str(file_id)).token()
    message = explanation_message(explanation, lang, token=token)
    await deps.client.chat_postMessage(channel=channel, thread_ts=thread, **message.as_kwargs())


def _share_ts(info: dict[str, Any], channel: str) -> str | None:
    for scope in ("public", "private"):
        shares = ((info.get("shares") or {}).get(scope) or {}).get(channel) or []
        if shares:
            return str(shares[0].get("ts"))
    return None
