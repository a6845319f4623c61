"""`/cmbot`: a channel's settings (auto-replies to pasted codes, reply language) and help."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from bot.slack.background import ephemeral
from bot.slack.slash import help_text
from handlers.slack_text import command_text

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.respond.async_respond import AsyncRespond

    from bot.slack.deps import Deps
    from bot.slack.slash import CmbotCommand, Command

SETTINGS_DOWN = "⚠️ The channel settings could not be saved (Redis is unavailable); try again in a minute."


def register_cmbot(app: AsyncApp, deps: Deps, row: Command[CmbotCommand]) -> None:
    @app.command(row.name)
    async def cmbot(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        """Help and refusals are answered in the ack; reading or saving a setting after it."""
        parsed = row.parse(command_text(command.get("text", "")))
        user = command.get("user_id", "")
        if parsed.kind == "usage":
            await ack(response_type="ephemeral", text=parsed.problem)
            return
        if parsed.kind == "set" and not deps.policy.may_change_settings(user):
            await ack(
                response_type="ephemeral",
                text="🚫 Only the channel admins in the policy file may change cmbot's settings here.",
            )
            return
        await ack()
        deps.background.spawn(
            _answer(deps, respond, parsed, user, command.get("channel_id", "")),
            what="/cmbot",
            answer=ephemeral(respond),
        )


async def _answer(deps: Deps, respond: AsyncRespond, parsed: CmbotCommand, user: str, channel: str) -> None:
    if parsed.kind == "help":
        lang = await deps.lang_for(user, channel)
        await respond(
            response_type="ephemeral", text=f"```{help_text(deps.commands, lang, surface='slack')}```"
        )
        return
    prefs = await deps.channel_prefs(channel)
    if parsed.kind == "show":
        text = prefs.describe(default_auto_reply=deps.settings.cmbot_auto_reply)
        await respond(response_type="ephemeral", text=f"This channel: {text}.")
        return
    changed = prefs.model_copy(update=parsed.changes)
    try:
        await deps.channels.put(channel, changed)
    except (RedisError, OSError):
        await respond(response_type="ephemeral", text=SETTINGS_DOWN)
        return
    described = changed.describe(default_auto_reply=deps.settings.cmbot_auto_reply)
    await respond(response_type="in_channel", text=f"<@{user}> changed cmbot's settings here: {described}.")
    change = ", ".join(f"{key}={value}" for key, value in parsed.changes.items())
    await deps.record(user=user, action="setting", target=channel, outcome=change, channel=channel)
