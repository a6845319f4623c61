"""The message shortcut "Diagnose with cmbot": explain any message, answer in its thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.explain_pool import explain_off_loop
from bot.render.blocks import explanation_message
from handlers.slack_text import from_slack
from handlers.sources import MAX_PASTE_CHARS, remember

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.app import Deps


def register(app: AsyncApp, deps: Deps) -> None:
    @app.shortcut("diagnose_message")
    async def diagnose(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        deps.background.spawn(_diagnose(deps, body), what="shortcut")


async def _diagnose(deps: Deps, body: dict[str, Any]) -> None:
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id", "")
    lang = await deps.lang_for((body.get("user") or {}).get("id"), channel)
    text = from_slack(str(message.get("text") or ""))
    explanation = await explain_off_loop(text[:MAX_PASTE_CHARS])
    source = await remember(deps, text, lang, "shortcut")
    reply = explanation_message(
        explanation, lang, token=source.token(), feedback=(source.answer, source.input)
    )
    await deps.client.chat_postMessage(
        channel=channel, thread_ts=message.get("thread_ts") or message.get("ts"), **reply.as_kwargs()
    )
