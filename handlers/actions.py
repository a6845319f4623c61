"""Buttons: switch the language of an explanation; re-run a check (bypassing any cache)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from bot.views import explanation_message
from handlers.commands import start_check
from knowledge.explain import explain
from knowledge.findings import Lang

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.app import Deps


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action("cmbot_lang")
    async def switch_language(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        deps.background.spawn(_switch_language(body, respond), what="cmbot_lang")

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


async def _switch_language(body: dict[str, Any], respond: Any) -> None:
    value = body["actions"][0].get("value", "")
    _, lang, text = [*value.split(":", 2), "", ""][:3]
    other: Lang = "en" if lang == "ja" else "ja"
    explanation = await asyncio.to_thread(explain, text, lang=other)
    message = explanation_message(explanation, other, token=f"explain:{other}:{text}")
    await respond(replace_original=True, **message.as_kwargs())
