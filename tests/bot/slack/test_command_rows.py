"""A command is its row in the table plus its listener: the app, the console, `/cmbot help`, App Home
and the manifest all serve the table the app is built with, through the real slack-bolt app."""

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from pydantic import SecretStr
from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.cli.console import ConsoleBot
from bot.loopback.payloads import slack_escaped
from bot.loopback.web_api import Harness, SlackStandIn, serving_http
from bot.settings import Settings
from bot.slack.app import build_deps
from bot.slack.deps import Deps
from bot.slack.manifest import manifest
from bot.slack.slash import Command, Example, Form
from handlers.command_table import COMMANDS
from handlers.slack_text import command_text

SECRET = "rows-secret"


def _register_ping(app: AsyncApp, deps: Deps, row: Command[str]) -> None:
    @app.command(row.name)
    async def ping(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack(response_type="ephemeral", text=f"pong {row.parse(command_text(command.get('text', '')))}")


PING: Command[str] = Command(
    name="/cmping",
    forms=(Form("/cmping WORD", {"en": "answer pong and the word", "ja": "pong と単語を返す"}),),
    parse=lambda args: args.strip().upper(),
    examples=(Example("hello", "HELLO"),),
    listener=_register_ping,
    description="Answer pong",
    usage_hint="WORD",
)


@asynccontextmanager
async def _serving(commands: Sequence[Command[Any]]) -> AsyncIterator[Harness]:
    """The real app over HTTP on port 0, built from `commands`, and the Web API stand-in."""
    async with SlackStandIn() as slack:
        settings = Settings(
            slack_bot_token=SecretStr("xoxb-test-token"),
            slack_signing_secret=SecretStr(SECRET),
            slack_api_url=slack.api_url,
            cmbot_check_deadline=10,
        )
        deps = build_deps(settings, commands=commands)
        async with serving_http(deps, SECRET) as driver:
            yield Harness(slack, driver, deps)


async def test_a_new_row_is_served_in_slack_help_app_home_and_the_manifest() -> None:
    """A row added to a copy of the table, and nothing else, is a working command in Slack, in
    `/cmbot help`, on App Home and in the manifest (the console: the test below)."""
    table = (*COMMANDS, PING)
    async with _serving(table) as harness:
        status, body = await harness.bot.command("/cmping", "hello")
        assert status == 200 and json.loads(body)["text"] == "pong HELLO"
        await harness.bot.command("/cmbot", "help")
        await harness.bot.event(
            {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1.3"}
        )
        async with asyncio.timeout(10):
            (helped,) = await harness.slack.wait_for("response_url")
            (home,) = await harness.slack.wait_for("views.publish")
    assert "/cmping WORD" in helped["text"] and "answer pong and the word" in helped["text"]
    assert "/cmping WORD" in json.dumps(home["view"], ensure_ascii=False)
    assert manifest(table)["features"]["slash_commands"][-1] == {
        "command": "/cmping",
        "description": "Answer pong",
        "usage_hint": "WORD",
        "should_escape": False,
    }


async def test_the_served_table_is_the_one_given() -> None:
    """An app built without a row does not serve it: Bolt answers the unknown command 404."""
    async with _serving(COMMANDS) as harness:
        status, _ = await harness.bot.command("/cmping", "hello")
    assert status == 404


def _recording(commands: Sequence[Command[Any]], seen: list[tuple[str, object]]) -> tuple[Command[Any], ...]:
    """The table with each row's parser noting what it returned, so a test sees which parser ran."""

    def wrap(row: Command[Any]) -> Command[Any]:
        def parse(args: str) -> object:
            parsed = row.parse(args)
            seen.append((row.name, parsed))
            return parsed

        return dataclasses.replace(row, parse=parse)

    return tuple(wrap(row) for row in commands)


EXAMPLES = [(row, example) for row in (*COMMANDS, PING) for example in row.examples]


async def test_each_example_parses_the_same_through_slack_and_the_console() -> None:
    """Every example, sent as Slack encodes it or typed into the console, is parsed by its row's parser
    into the value the table documents (a pasted CMTrace line's `<` and `>` included); a row added to
    the table answers in the console and is in its help."""
    seen: list[tuple[str, object]] = []
    table = _recording((*COMMANDS, PING), seen)
    async with _serving(table) as harness:
        for row, example in EXAMPLES:
            seen.clear()
            status, _ = await harness.bot.command(row.name, slack_escaped(example.args))
            assert status == 200
            assert seen == [(row.name, example.parsed)], f"Slack: {row.name} {example.args}"
    async with ConsoleBot.running(Settings(), lang="en", deadline_s=10, commands=table) as console:
        for row, example in EXAMPLES:
            seen.clear()
            await console.handle(f"{row.name} {example.args}")
            assert seen, f"console: {row.name} {example.args} ran no parser of the table"
            assert all(one == (row.name, example.parsed) for one in seen), (
                f"console: {row.name} {example.args}"
            )
        assert await console.handle("/cmping hello") == "pong HELLO"
        assert "/cmping WORD" in (await console.handle("help") or "")
