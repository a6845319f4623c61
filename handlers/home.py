"""The App Home tab: how to use cmbot, and the user's recent checks."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from bot.render.blocks import MAX_SECTION_CHARS, cut, escape
from bot.render.i18n import say
from bot.slack.manifest import SHORTCUT_NAME
from bot.slack.slash import how_to_lines

if TYPE_CHECKING:
    from collections.abc import Sequence

    from slack_bolt.async_app import AsyncApp

    from bot.slack.deps import Deps
    from bot.slack.slash import Command
    from knowledge.findings import Lang

log = logging.getLogger("cmbot.home")
RECENT_ON_HOME = 15


def how_to(commands: Sequence[Command[Any]], lang: Lang) -> str:
    """The tab's how-to: one bullet per way to call each command in the table, then the rest."""
    return "\n".join(
        [
            say(lang, "home.title"),
            *how_to_lines(commands, lang),
            say(lang, "home.paste"),
            say(lang, "home.shortcut", shortcut=SHORTCUT_NAME),
        ]
    )


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened")
    async def home(event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":  # the event also fires for the Messages tab
            return
        deps.background.spawn(_publish(deps, str(event.get("user", ""))), what="app_home_opened")


async def _publish(deps: Deps, user: str) -> None:
    """Recent results from the audit stream (every bot and worker process, across restarts) when
    Redis is there; else the checks this process started."""
    lines: list[str] = []
    if deps.audit is not None:
        try:
            rows = await deps.audit.read(user=user, count=200)
        except (RedisError, OSError):
            log.warning("audit stream unavailable; App Home shows this process's checks")
            rows = []
        results = [r for r in rows if r.get("action") == "check" and r.get("outcome") != "accepted"]
        lines = [_result_line(r) for r in results[:RECENT_ON_HOME]]
    if not lines:
        lines = [f"• `/cmcheck {escape(r)}`" for r in deps.recent.get(user, [])]
    lang = await deps.lang_for(user)
    body = "\n".join(lines) or say(lang, "home.none")
    view = {
        "type": "home",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": how_to(deps.commands, lang)}},
            {"type": "divider"},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": cut(f"{say(lang, 'home.recent')}\n{body}", MAX_SECTION_CHARS),
                },
            },
        ],
    }
    await deps.client.views_publish(user_id=user, view=view)


def _result_line(row: dict[str, str]) -> str:
    outcome = row.get("outcome", "")
    mark = "✅" if outcome == "healthy" else "❔" if outcome == "unreachable" else "❌"
    when = datetime.fromtimestamp(float(row.get("ts") or 0), tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{mark} `{escape(row.get('target', ''))}` {escape(outcome)} · {when}"
