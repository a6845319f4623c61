"""The message shortcut "Diagnose with cmbot": explain any message, answer in its thread."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bot.views import explanation_message
from handlers.sources import Source
from probes.collected import explain_any as explain  # collect output gets the live check's answer

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
    text = str(message.get("text") or "")
    explanation = await asyncio.to_thread(explain, text[:200_000], lang=lang)
    reply = explanation_message(explanation, lang, token=Source.text(text, lang).token())
    await deps.client.chat_postMessage(
        channel=channel, thread_ts=message.get("thread_ts") or message.get("ts"), **reply.as_kwargs()
    )
