"""`/cmbot`: a channel's settings (auto-replies to pasted codes, reply language) and help."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from bot.render.i18n import phrase, say
from bot.slack.background import ephemeral
from bot.slack.slash import help_text
from handlers.slack_text import command_text

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_bolt.context.respond.async_respond import AsyncRespond

    from bot.slack.deps import Deps
    from bot.slack.slash import CmbotCommand, Command
    from bot.state.channel_settings import ChannelPrefs
    from knowledge.findings import Lang


def register_cmbot(app: AsyncApp, deps: Deps, row: Command[CmbotCommand]) -> None:
    @app.command(row.name)
    async def cmbot(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any]) -> None:
        """Help and refusals are answered in the ack; reading or saving a setting after it."""
        parsed = row.parse(command_text(command.get("text", "")))
        user = command.get("user_id", "")
        if parsed.kind == "usage" and parsed.problem is not None:
            await ack(
                response_type="ephemeral",
                text=phrase(await deps.ack_lang(user, command.get("channel_id")), parsed.problem),
            )
            return
        if parsed.kind == "set" and not deps.policy.may_change_settings(user):
            await ack(
                response_type="ephemeral",
                text=say(await deps.ack_lang(user, command.get("channel_id")), "settings.admins_only"),
            )
            return
        await ack()
        deps.background.spawn(
            _answer(deps, respond, parsed, user, command.get("channel_id", "")),
            what="/cmbot",
            answer=ephemeral(respond),
        )


async def _answer(deps: Deps, respond: AsyncRespond, parsed: CmbotCommand, user: str, channel: str) -> None:
    lang = await deps.lang_for(user, channel)
    if parsed.kind == "help":
        await respond(
            response_type="ephemeral", text=f"```{help_text(deps.commands, lang, surface='slack')}```"
        )
        return
    prefs = await deps.channel_prefs(channel)
    if parsed.kind == "show":
        text = say(lang, "settings.show", settings=_described(deps, prefs, lang))
        await respond(response_type="ephemeral", text=text)
        return
    changed = prefs.model_copy(update=parsed.changes)
    try:
        await deps.channels.put(channel, changed)
    except (RedisError, OSError):
        await respond(response_type="ephemeral", text=say(lang, "settings.down"))
        return
    lang = changed.lang or lang  # the channel's new language, when this change set one
    described = _described(deps, changed, lang)
    await respond(
        response_type="in_channel", text=say(lang, "settings.changed", user=f"<@{user}>", settings=described)
    )
    change = ", ".join(f"{key}={value}" for key, value in parsed.changes.items())
    await deps.record(user=user, action="setting", target=channel, outcome=change, channel=channel)


def _described(deps: Deps, prefs: ChannelPrefs, lang: Lang) -> str:
    """The channel's settings in `lang`; a set language is named in its own words (`日本語`)."""
    auto = prefs.auto_reply if prefs.auto_reply is not None else deps.settings.cmbot_auto_reply
    named = say(prefs.lang, "ui.language_name") if prefs.lang else say(lang, "settings.lang_auto")
    switch = say(lang, "settings.on" if auto else "settings.off")
    return say(lang, "settings.describe", auto=switch, language=named)
