"""`slack-manifest.yml`, generated: the slash commands from the command table, the rest fixed here.

`cmbot manifest` prints or writes it; tests/bot/slack/test_manifest_file.py fails when the checked-in
file is not what the table generates, so a command cannot be served without being in the manifest.

Field names and limits follow Slack's app manifest reference
(https://docs.slack.dev/reference/app-manifest) and its published JSON schema
(slackapi/manifest-schema:schemas/manifest.schema.1.0.0.json, `app-manifests.v1.features.slash_commands`):
`command` 2-32 characters starting with `/`, `description` 1-2000, `usage_hint` 1-1000, `url`
http(s) up to 3000 and needed only without Socket Mode, `should_escape` a boolean; at most 50 commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.slack.server import EVENTS_PATH
from bot.slack.slash import Command

MAX_SLASH_COMMANDS = 50
HEADER = (
    "# Generated from the command table (handlers/command_table.py): run\n"
    "#   cmbot manifest --output slack-manifest.yml\n"
    "# after changing a command.\n"
    "# Paste into https://api.slack.com/apps → Create New App → From an app manifest.\n"
)

SHORTCUT_NAME = "Diagnose with cmbot"
"""The message shortcut as Slack lists it (one name: the manifest has no per-language names)."""


class _Dumper(yaml.SafeDumper):
    """Block lists indented under their key, as Slack's own manifest examples write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class ManifestError(ValueError):
    """A command row that Slack would refuse in a manifest; the message names the row and the field."""


class SlashCommandEntry(BaseModel):
    """One `features.slash_commands` item, with the limits of Slack's manifest schema."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    command: str = Field(min_length=2, max_length=32, pattern=r"^/")
    description: str = Field(min_length=1, max_length=2000)
    usage_hint: str = Field(min_length=1, max_length=1000)
    url: str | None = Field(default=None, max_length=3000, pattern=r"^https?://")
    should_escape: bool = False


def slash_command_entry(command: Command[Any], request_url: str | None = None) -> dict[str, Any]:
    """The manifest item for one row; a row Slack would refuse raises `ManifestError`."""
    try:
        entry = SlashCommandEntry(
            command=command.name,
            description=command.description,
            usage_hint=command.usage_hint,
            url=request_url,
            should_escape=command.should_escape,
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise ManifestError(
            f"command table row {command.name!r}: {problems} "
            "(Slack's limits: https://docs.slack.dev/reference/app-manifest)"
        ) from None
    return entry.model_dump(exclude_none=True)


def manifest(commands: Sequence[Command[Any]], *, request_url: str | None = None) -> dict[str, Any]:
    """The app manifest for Socket Mode, or, given the app's public `request_url`
    (`https://host/slack/events`), for HTTP: every request URL set and Socket Mode off."""
    if not commands or len(commands) > MAX_SLASH_COMMANDS:
        raise ManifestError(f"a manifest lists 1 to {MAX_SLASH_COMMANDS} slash commands, not {len(commands)}")
    names = [command.name for command in commands]
    if len(set(names)) != len(names):
        raise ManifestError(f"the command table names a command twice: {names}")
    interactivity: dict[str, Any] = {"is_enabled": True}
    events: dict[str, Any] = {
        # https://docs.slack.dev/reference/events/message.channels (and .groups, .im, .mpim),
        # https://docs.slack.dev/reference/events/file_shared, .../app_home_opened
        "bot_events": [
            "message.channels",
            "message.groups",
            "message.im",
            "message.mpim",
            "file_shared",
            "app_home_opened",
        ]
    }
    if request_url is not None:
        events = {"request_url": request_url, **events}
        interactivity["request_url"] = request_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "cmbot",
            "description": "ConfigMgr troubleshooting - causes, remedies and live checks over WinRM",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": False},
            "bot_user": {"display_name": "cmbot", "always_online": True},
            "slash_commands": [slash_command_entry(command, request_url) for command in commands],
            "shortcuts": [
                {
                    "name": SHORTCUT_NAME,
                    "type": "message",
                    "callback_id": "diagnose_message",
                    "description": "Explain the codes and log lines in this message",
                }
            ],
        },
        "oauth_config": {
            "scopes": {
                # Each Web API method the bot calls and its scope: tests/bot/test_manifest.py::METHOD_SCOPES
                "bot": [
                    "commands",
                    "chat:write",
                    "files:read",
                    "files:write",
                    "users:read",
                    "usergroups:read",
                    "channels:history",
                    "groups:history",
                    "im:history",
                    "mpim:history",
                ]
            }
        },
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": request_url is None,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(commands: Sequence[Command[Any]], *, request_url: str | None = None) -> str:
    """The manifest as `slack-manifest.yml` holds it."""
    body = yaml.dump(
        manifest(commands, request_url=request_url),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return HEADER + body


def request_url_for(base: str) -> str:
    """The one URL Slack posts commands, events and interactions to (`bot/slack/server.py`)."""
    return base.rstrip("/") + EVENTS_PATH
