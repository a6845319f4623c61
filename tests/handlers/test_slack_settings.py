"""`/cmbot`: per-channel auto-replies and language, help, refusals, and settings kept in Redis."""

import asyncio
import json

from pydantic import SecretStr
from redis.asyncio import Redis

from bot.access.policy import Policy
from bot.loopback.web_api import Harness
from bot.settings import Settings
from bot.slack.app import build_deps
from bot.slack.slash import help_text
from bot.state.channel_settings import ChannelPrefs
from bot.state.redis_server import EmbeddedRedis
from handlers.command_table import COMMANDS

CODE_MESSAGE = {"type": "message", "channel": "C1", "user": "U2", "text": "scan failed 0x80072ee2"}


async def _cmbot(harness: Harness, text: str, *, user: str = "U1", channel: str = "C1") -> dict:  # type: ignore[type-arg]
    before = len(harness.slack.of("response_url"))
    status, body = await harness.bot.command(
        "/cmbot", text, user=user, channel=channel, response_url=harness.slack.response_url()
    )
    assert status == 200
    if body:
        return json.loads(body)
    async with asyncio.timeout(10):
        return (await harness.slack.wait_for("response_url", before + 1))[-1]


async def test_autoreply_off_silences_the_channel_and_on_brings_it_back(harness: Harness) -> None:
    """After `/cmbot autoreply off` a pasted code gets no reply in that channel; `on` restores it."""
    answer = await _cmbot(harness, "autoreply off")
    assert (
        answer["response_type"] == "in_channel"
        and "auto-replies to pasted codes and log lines: off" in answer["text"]
    )
    await harness.bot.event({**CODE_MESSAGE, "ts": "10.1"}, event_id="EvA")
    await harness.bot.event({**CODE_MESSAGE, "channel": "C2", "ts": "10.2"}, event_id="EvB")
    async with asyncio.timeout(10):
        (reply,) = await harness.slack.wait_for("chat.postMessage")
    assert reply["channel"] == "C2"  # another channel still gets its answer
    await _cmbot(harness, "autoreply on")
    await harness.bot.event({**CODE_MESSAGE, "ts": "10.3"}, event_id="EvC")
    async with asyncio.timeout(10):
        posts = await harness.slack.wait_for("chat.postMessage", 2)
    assert [(p["channel"], p["thread_ts"]) for p in posts] == [("C2", "10.2"), ("C1", "10.3")]


async def test_channel_language_overrides_the_user_locale(harness: Harness) -> None:
    """`/cmbot lang ja` makes an en-US user's /cmerr answer Japanese in that channel only."""
    await _cmbot(harness, "lang ja")
    ja = await _cmbot_err(harness, channel="C1")
    en = await _cmbot_err(harness, channel="C2")
    assert "タイムアウト" in ja["text"] and "タイムアウト" not in en["text"]
    await _cmbot(harness, "lang auto")
    again = await _cmbot_err(harness, channel="C1")
    assert "タイムアウト" not in again["text"]


async def _cmbot_err(harness: Harness, *, channel: str) -> dict:  # type: ignore[type-arg]
    before = len(harness.slack.of("response_url"))
    await harness.bot.command(
        "/cmerr", "0x80072ee2", channel=channel, response_url=harness.slack.response_url()
    )
    async with asyncio.timeout(10):
        return (await harness.slack.wait_for("response_url", before + 1))[-1]


async def test_settings_help_and_bad_usage(harness: Harness) -> None:
    """`/cmbot settings` shows the channel's settings, `help` the commands, a typo the usage."""
    shown = await _cmbot(harness, "settings")
    assert shown["response_type"] == "ephemeral"
    assert (
        "auto-replies to pasted codes and log lines: on; language: each user's Slack language"
        in shown["text"]
    )
    helped = await _cmbot(harness, "")
    assert "/cmcheck" in helped["text"] and "/cmbot autoreply" in helped["text"]
    assert helped["text"] == f"```{help_text(COMMANDS, 'en', surface='slack')}```"
    wrong = await _cmbot(harness, "autoreply maybe")
    assert wrong == {"response_type": "ephemeral", "text": "Usage: /cmbot autoreply on|off|default"}
    assert harness.slack.of("chat.postMessage") == []


async def test_only_channel_admins_change_settings_when_the_policy_names_them(harness: Harness) -> None:
    """With `channel_admins` in the policy, anyone else is refused in the ack and nothing changes."""
    harness.deps.policy = Policy.open_default().model_copy(update={"channel_admins": ["UADMIN"]})
    refused = await _cmbot(harness, "autoreply off", user="U1")
    assert refused["response_type"] == "ephemeral" and "Only the channel admins" in refused["text"]
    assert (await harness.deps.channels.get("C1")) == ChannelPrefs()
    allowed = await _cmbot(harness, "autoreply off", user="UADMIN")
    assert "off" in allowed["text"]
    assert (await harness.deps.channels.get("C1")).auto_reply is False


async def test_settings_live_in_redis_for_every_bot_process(
    redis_server: EmbeddedRedis, redis: Redis
) -> None:
    """A setting saved by one bot's deps is read by another's (same Redis), and survives as JSON."""
    settings = Settings(slack_bot_token=SecretStr("xoxb-x"), slack_signing_secret=SecretStr("s"))
    first = build_deps(settings, redis_url=redis_server.url)
    second = build_deps(settings, redis_url=redis_server.url)
    await first.channels.put("C9", ChannelPrefs(auto_reply=False, lang="ja"))
    assert await second.auto_reply("C9") is False
    assert await second.lang_for("U1", "C9") == "ja"
    assert json.loads(await redis.get("cmbot:channel:C9")) == {"auto_reply": False, "lang": "ja"}


async def test_settings_store_down_falls_back_to_defaults() -> None:
    """With Redis unreachable, channel settings read as the defaults instead of failing the reply."""
    settings = Settings(slack_bot_token=SecretStr("xoxb-x"), slack_signing_secret=SecretStr("s"))
    deps = build_deps(settings, redis_url=EmbeddedRedis().url)  # never started: nothing listens
    assert await deps.auto_reply("C1") is True
    assert await deps.channel_prefs("C1") == ChannelPrefs()


async def test_saving_with_redis_down_says_so(harness: Harness) -> None:
    """`/cmbot autoreply off` with the settings store down answers that nothing was saved."""
    from bot.state.channel_settings import RedisChannelSettings  # noqa: PLC0415

    harness.deps.channels = RedisChannelSettings(Redis.from_url(EmbeddedRedis().url))
    answer = await _cmbot(harness, "autoreply off")
    assert answer["response_type"] == "ephemeral" and "could not be saved" in answer["text"]


async def test_slack_help_is_slack_help_not_the_consoles(harness: Harness) -> None:
    """`/cmbot help` lists every slash command and none of the console's own (`/lang`, `quit`)."""
    helped = (await _cmbot(harness, "help"))["text"]
    assert all(form.usage in helped for command in COMMANDS for form in command.forms)
    assert "/lang" not in helped and "quit" not in helped
