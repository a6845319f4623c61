"""Request payloads shaped like the ones Slack sends, for the scenario tests and the stand-ins.

Shapes follow Slack's docs and its SDKs' own test payloads (read, not copied):
- message events: https://docs.slack.dev/reference/events/message (channel_type, event_ts, team,
  client_msg_id, blocks) and bolt-python tests/scenario_tests/test_message.py;
- file uploads: `message` subtype `file_share` with the comment and `files[]`, plus `file_shared`
  with `file_id`, `file: {id}`, `channel_id`, `event_ts`
  (bolt-python tests/scenario_tests/test_message_file_share.py,
  https://docs.slack.dev/reference/events/file_shared);
- edits: subtype `message_changed` with `message` and `previous_message`
  (https://docs.slack.dev/reference/events/message/message_changed);
- slash commands: form fields with token, team_domain, channel_name, user_name, api_app_id and an
  always-present response_url (https://docs.slack.dev/interactivity/implementing-slash-commands);
- block_actions: container (message_ts, channel_id, is_ephemeral, thread_ts), api_app_id,
  response_url, actions[].text (bolt-python tests/scenario_tests/test_block_actions.py);
- message shortcuts: message_ts, action_ts, response_url, message.type/user
  (bolt-python tests/scenario_tests/test_shortcut.py).

Text is given as a person typed it and encoded the way Slack delivers it (`slack_escaped`).
"""

from __future__ import annotations

import itertools
import re
import time
import uuid
from typing import Any

TEAM = "T1"
APP = "A1"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
VERIFICATION_TOKEN = "legacy-verification-token"  # noqa: S105 - a placeholder Slack sends, never checked
_ids = itertools.count(1)
_URL = re.compile(r"https?://[^\s<>|]+")


def slack_escaped(typed: str) -> str:
    """What Slack puts in `text` for what a person typed: `&`, `<` and `>` as entities, bare URLs
    as `<url>` (https://docs.slack.dev/messaging/formatting-message-text#escaping)."""
    escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _URL.sub(lambda m: f"<{m.group(0)}>", escaped)


def _rich_text(text: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "rich_text",
            "block_id": f"rt{next(_ids)}",
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
        }
    ]


def message_event(
    typed: str,
    *,
    ts: str,
    channel: str = "C1",
    user: str = "U2",
    thread_ts: str | None = None,
    raw: str | None = None,
) -> dict[str, Any]:
    """A person's message (`raw` overrides the encoded text, for hostile input sent as is)."""
    event: dict[str, Any] = {
        "type": "message",
        "client_msg_id": str(uuid.uuid4()),
        "text": slack_escaped(typed) if raw is None else raw,
        "user": user,
        "ts": ts,
        "team": TEAM,
        "blocks": _rich_text(typed),
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = "U3"
    return event


def file_object(file_id: str, name: str, base_url: str) -> dict[str, Any]:
    return {
        "id": file_id,
        "created": int(time.time()),
        "name": name,
        "title": name,
        "mimetype": "text/plain",
        "filetype": "text",
        "user": "U2",
        "mode": "hosted",
        "size": 1,
        "url_private": f"{base_url}/files/{file_id}",
        "url_private_download": f"{base_url}/files/{file_id}",
    }


def file_share_message(
    comment: str,
    *,
    file: dict[str, Any],
    ts: str,
    channel: str = "C1",
    user: str = "U2",
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """The `message` (subtype `file_share`) Slack sends with an upload and its comment."""
    event = message_event(comment, ts=ts, channel=channel, user=user, thread_ts=thread_ts)
    event.pop("client_msg_id")
    event.update(subtype="file_share", files=[file], upload=True, display_as_bot=False)
    return event


def file_shared_event(file_id: str, *, channel: str = "C1", user: str = "U2") -> dict[str, Any]:
    return {
        "type": "file_shared",
        "channel_id": channel,
        "file_id": file_id,
        "user_id": user,
        "file": {"id": file_id},
        "event_ts": f"{time.time():.6f}",
    }


def message_changed_event(typed: str, *, ts: str, previous: str, channel: str = "C1") -> dict[str, Any]:
    edited = message_event(typed, ts=ts, channel=channel)
    edited["edited"] = {"user": "U2", "ts": f"{float(ts) + 5:.6f}"}
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": edited,
        "previous_message": message_event(previous, ts=ts, channel=channel),
        "channel": channel,
        "hidden": True,
        "ts": f"{float(ts) + 5:.6f}",
        "event_ts": f"{float(ts) + 5:.6f}",
        "channel_type": "channel",
    }


def bot_message_event(text: str, *, ts: str, channel: str = "C1") -> dict[str, Any]:
    """Another app's message: bot_id, bot_profile and its bot user."""
    return {
        "type": "message",
        "text": text,
        "user": "U0ALERTS",
        "bot_id": "B0ALERTS",
        "bot_profile": {"id": "B0ALERTS", "app_id": "A0ALERTS", "name": "alerts", "team_id": TEAM},
        "ts": ts,
        "team": TEAM,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
    }


def command_payload(
    command: str, text: str, *, user: str = "U1", channel: str = "C1", response_url: str = ""
) -> dict[str, str]:
    """A slash command's fields as Slack sends them (form fields over HTTP, JSON in Socket Mode)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM,
        "team_domain": "example",
        "channel_id": channel,
        "channel_name": "helpdesk",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{next(_ids)}.1.abc",
    }


def event_payload(event: dict[str, Any], event_id: str = "Ev1") -> dict[str, Any]:
    """The Events API envelope around one event."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM,
        "api_app_id": APP,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event_id}",
    }


def block_actions_payload(
    action_id: str,
    value: str,
    *,
    message_ts: str,
    thread_ts: str | None = None,
    user: str = "U1",
    channel: str = "C1",
    response_url: str = "",
    label: str = "button",
) -> dict[str, Any]:
    """A button press on the bot's message `message_ts` (a reply in `thread_ts`, if given)."""
    message: dict[str, Any] = {
        "type": "message",
        "user": BOT_USER,
        "bot_id": BOT_ID,
        "ts": message_ts,
        "text": "",
        "team": TEAM,
    }
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel,
        "is_ephemeral": False,
    }
    if thread_ts:
        message["thread_ts"] = thread_ts
        container["thread_ts"] = thread_ts
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": APP,
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": f"{next(_ids)}.1.abc",
        "team": {"id": TEAM, "domain": "example"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "helpdesk"},
        "message": message,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "text": {"type": "plain_text", "text": label, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def message_action_payload(
    typed: str,
    *,
    ts: str,
    thread_ts: str | None = None,
    callback_id: str = "diagnose_message",
    user: str = "U1",
    channel: str = "C1",
    response_url: str = "",
) -> dict[str, Any]:
    """The message shortcut on a person's message (a reply in `thread_ts`, if given)."""
    message: dict[str, Any] = {
        "type": "message",
        "user": "U2",
        "ts": ts,
        "text": slack_escaped(typed),
        "client_msg_id": str(uuid.uuid4()),
        "team": TEAM,
    }
    if thread_ts:
        message["thread_ts"] = thread_ts
    return {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": f"{time.time():.6f}",
        "team": {"id": TEAM, "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM, "name": user.lower()},
        "channel": {"id": channel, "name": "helpdesk"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": f"{next(_ids)}.1.abc",
        "response_url": response_url,
        "message_ts": ts,
        "message": message,
    }
