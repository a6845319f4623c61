"""The App Home tab: how to use cmbot, and the user's recent checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.views import escape

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.app import Deps

HOW_TO = (
    "*cmbot* diagnoses ConfigMgr clients.\n"
    "• `/cmcheck PC-1234 [kb:KB5031356]` reads the machine over WinRM (read-only) and names the cause.\n"
    "• `/cmerr 0x80244022` explains an error code, a symbol or log lines.\n"
    "• Paste a code or log lines in a channel, or upload a log (or a zip of CCM\\Logs):"
    " cmbot answers in the thread.\n"
    "• Message menu ▸ *Diagnose with cmbot* explains any message.\n"
    "• `/cmbot autoreply on|off` and `/cmbot lang en|ja|auto` set a channel's replies;"
    " `/cmbot settings` shows them."
)


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened")
    async def home(event: dict[str, Any]) -> None:
        deps.background.spawn(_publish(deps, str(event.get("user", ""))), what="app_home_opened")


async def _publish(deps: Deps, user: str) -> None:
    recent = list(deps.recent.get(user, []))
    lines = "\n".join(f"• `/cmcheck {escape(r)}`" for r in recent) or "_No checks yet._"
    view = {
        "type": "home",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": HOW_TO}},
            {"type": "divider"},
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*Your recent checks*\n{lines}"}},
        ],
    }
    await deps.client.views_publish(user_id=user, view=view)
