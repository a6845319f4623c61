"""The message shortcut "Diagnose with cmbot": explain any message, answer in its thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.slack_text import from_slack
from handlers.usecases import explained_reply

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.context.ack.async_ack import AsyncAck

    from bot.slack.deps import Deps


def register(app: AsyncApp, deps: Deps) -> None:
    @app.shortcut("diagnose_message")
    async def diagnose(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        deps.background.spawn(_diagnose(deps, body), what="shortcut")


async def _diagnose(deps: Deps, body: dict[str, Any]) -> None:
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id", "")
    lang = await deps.lang_for((body.get("user") or {}).get("id"), channel)
    text = from_slack(str(message.get("text") or ""))
    _, reply = await explained_reply(deps, text, lang, "shortcut")
    await deps.client.chat_postMessage(
        channel=channel, thread_ts=message.get("thread_ts") or message.get("ts"), **reply.as_kwargs()
    )
