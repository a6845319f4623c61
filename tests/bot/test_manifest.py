"""`slack-manifest.yml` and the app agree: every command, shortcut and event in the manifest has a
listener, and the scopes cover the Web API methods the bot calls."""

import json
import time
import urllib.parse
from pathlib import Path

import yaml
from pydantic import SecretStr
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import build_app, build_deps
from bot.settings import Settings
from bot.testing import SignedDriver, SlackStandIn

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
    assert set(commands) == {"/cmcheck", "/cmerr", "/cmbot"}
    for name in commands:
        assert await _status(app, _command(name), "application/x-www-form-urlencoded") == 200, name
    assert await _status(app, _command("/nosuch"), "application/x-www-form-urlencoded") == 404


async def test_every_manifest_shortcut_and_event_has_a_listener() -> None:
    """The message shortcut and each subscribed bot event reach a listener."""
    async with SlackStandIn() as slack:
        app, deps = _app(slack)
        await _each_shortcut_and_event(app)
        await deps.background.drain(timeout_s=10)


async def _each_shortcut_and_event(app) -> None:  # type: ignore[no-untyped-def]
    for shortcut in MANIFEST["features"]["shortcuts"]:
        payload = {
            "type": "message_action",
            "callback_id": shortcut["callback_id"],
            "user": {"id": "U1"},
            "channel": {"id": "C1"},
            "team": {"id": "T1"},
            "message": {"ts": "1.1", "text": "hello"},
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        assert await _status(app, body, "application/x-www-form-urlencoded") == 200
    kinds = {e.split(".")[0] for e in MANIFEST["settings"]["event_subscriptions"]["bot_events"]}
    assert kinds == {"message", "file_shared", "app_home_opened"}
    for kind in kinds:
        event = {"type": kind, "user": "U1", "channel": "C1", "ts": "1.1", "text": ""}
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "event": event,
                "event_id": f"Ev{kind}",
                "event_time": int(time.time()),
            }
        )
        assert await _status(app, body, "application/json") == 200, kind


def test_scopes_cover_what_the_bot_calls() -> None:
    """Posting, reading uploads and user locales, uploading evidence files and commands are all granted."""
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "files:read", "files:write", "users:read"} <= scopes
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
