"""`slack-manifest.yml` and the app agree: every command, shortcut and event in the manifest has a
listener, and the scopes cover the Web API methods the bot calls."""

import json
import urllib.parse
from pathlib import Path

import yaml
from pydantic import SecretStr
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.loopback.payloads import event_payload, file_shared_event, message_action_payload, message_event
from bot.loopback.web_api import SignedDriver, SlackStandIn
from bot.settings import Settings
from bot.slack.app import build_app, build_deps
from handlers.command_table import COMMANDS

MANIFEST = yaml.safe_load((Path(__file__).parents[2] / "slack-manifest.yml").read_text())
SECRET = "manifest-secret"


def _app(slack: SlackStandIn):  # type: ignore[no-untyped-def]
    settings = Settings(
        slack_bot_token=SecretStr("xoxb-x"),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=slack.api_url,
    )
    deps = build_deps(settings)
    return build_app(deps), deps


async def _status(app, body: str, content_type: str) -> int:  # type: ignore[no-untyped-def]
    headers = {"Content-Type": content_type, **SignedDriver("", SECRET).sign(body)}
    response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    return int(response.status)


def _command(name: str) -> str:
    return urllib.parse.urlencode(
        {
            "command": name,
            "text": "",
            "user_id": "U1",
            "channel_id": "C1",
            "team_id": "T1",
            "response_url": "",
        }
    )


async def test_every_manifest_command_has_a_listener() -> None:
    """Each slash command in the manifest is handled (an unknown one is not: Bolt answers 404)."""
    async with SlackStandIn() as slack:
        app, deps = _app(slack)
        await _each_command(app)
        await deps.background.drain(timeout_s=10)


async def _each_command(app) -> None:  # type: ignore[no-untyped-def]
    commands = [c["command"] for c in MANIFEST["features"]["slash_commands"]]
    assert commands == [command.name for command in COMMANDS]
    for name in commands:
        assert await _status(app, _command(name), "application/x-www-form-urlencoded") == 200, name
    assert await _status(app, _command("/nosuch"), "application/x-www-form-urlencoded") == 404


async def test_every_manifest_shortcut_and_event_has_a_listener() -> None:
    """The message shortcut and each subscribed bot event, sent as Slack shapes them, reach a
    listener that acts on them: a reply, a files.info lookup, a published Home view."""
    async with SlackStandIn() as slack:
        app, deps = _app(slack)
        slack.add_file(
            "F1",
            "WUAHandler.log",
            b"OnSearchComplete - Failed to end search job. Error = 0x80244022.",
            "C1",
            "2.1",
        )
        await _each_shortcut_and_event(app)
        await deps.background.drain(timeout_s=10)
    assert sorted(p["thread_ts"] for p in slack.of("chat.postMessage")) == ["1.1", "1.2", "2.1"]
    assert [c["file"] for c in slack.of("files.info")] == ["F1"]
    assert [v["user_id"] for v in slack.of("views.publish")] == ["U1"]


async def _each_shortcut_and_event(app) -> None:  # type: ignore[no-untyped-def]
    for shortcut in MANIFEST["features"]["shortcuts"]:
        payload = message_action_payload("Error = 0x80244022", ts="1.1", callback_id=shortcut["callback_id"])
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        assert await _status(app, body, "application/x-www-form-urlencoded") == 200
    kinds = {e.split(".")[0] for e in MANIFEST["settings"]["event_subscriptions"]["bot_events"]}
    assert kinds == {"message", "file_shared", "app_home_opened"}
    events = {
        "message": message_event("Error = 0x80072ee2", ts="1.2"),
        "file_shared": file_shared_event("F1"),
        "app_home_opened": {
            "type": "app_home_opened",
            "user": "U1",
            "channel": "D1",
            "tab": "home",
            "event_ts": "1.3",
        },
    }
    for kind in sorted(kinds):
        body = json.dumps(event_payload(events[kind], f"Ev{kind}"))
        assert await _status(app, body, "application/json") == 200, kind


# Web API method → the bot scope it needs (each method's page on docs.slack.dev/reference/methods/…)
METHOD_SCOPES = {
    "chat.postMessage": "chat:write",  # https://docs.slack.dev/reference/methods/chat.postMessage
    "chat.update": "chat:write",  # https://docs.slack.dev/reference/methods/chat.update
    "files.info": "files:read",  # https://docs.slack.dev/reference/methods/files.info
    "files.getUploadURLExternal": "files:write",  # https://docs.slack.dev/reference/methods/files.getUploadURLExternal
    "files.completeUploadExternal": "files:write",  # https://docs.slack.dev/reference/methods/files.completeUploadExternal
    "users.info": "users:read",  # https://docs.slack.dev/reference/methods/users.info
    "usergroups.users.list": "usergroups:read",  # https://docs.slack.dev/reference/methods/usergroups.users.list
}


def test_scopes_cover_what_the_bot_calls() -> None:
    """Every Web API method the bot calls (usergroups.users.list included) has its scope granted."""
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert "commands" in scopes
    assert set(METHOD_SCOPES.values()) <= scopes
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def test_manifest_usage_hints_follow_the_command_table() -> None:
    """Each manifest usage hint names only words the command table's usage for it has."""
    hints = {c["command"]: c["usage_hint"] for c in MANIFEST["features"]["slash_commands"]}
    for command in COMMANDS:
        usage = " ".join(form.usage for form in command.forms)
        first = hints[command.name].split()[0].split("|")[0]
        assert first.isupper() or first.startswith(("PC-", "0x")) or first in usage, command.name
